package shm_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/sharc-go/sharc/shm"
)

func ExampleNew() {
	r, err := shm.New(1 << 20)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, 4)
	copy(xs, []float64{1, 2, 3, 4})
	fmt.Println(r.Len(), xs, r.Bytes()[8:16])
	// Output: 1048576 [1 2 3 4] [0 0 0 0 0 0 0 64]
}

func ExampleCreate() {
	name := fmt.Sprintf("sharc-example-%d", os.Getpid())
	r, err := shm.Create(name, 4096)
	if err != nil {
		panic(err)
	}
	defer shm.Unlink(name)
	defer r.Close()

	// Another process (or Python's multiprocessing.shared_memory) opens
	// the same segment by name and sees the same bytes.
	other, err := shm.Open(name)
	if err != nil {
		panic(err)
	}
	defer other.Close()
	r.Bytes()[0] = 42
	fmt.Println(other.Bytes()[0], other.Len())
	// Output: 42 4096
}

func ExampleView() {
	r, _ := shm.New(4096)
	defer r.Close()
	_, err := shm.View[int64](r, 4, 1)
	fmt.Println(err)
	v, _ := shm.View[int64](r, 8, 2)
	v[1] = -1
	fmt.Println(v)
	// Output:
	// shm: misaligned offset: offset 4 is not a multiple of 8 (the alignment of int64)
	// [0 -1]
}

func ExampleRegion_Int32() {
	r, _ := shm.New(4096)
	defer r.Close()
	flag, _ := r.Int32(0)

	var wg sync.WaitGroup
	wg.Go(func() {
		for flag.Load() == 0 {
			flag.Wait(0, time.Second) // Atomics.wait(flag, 0, 1000)
		}
		fmt.Println("worker saw", flag.Load())
	})
	flag.Store(1) // Atomics.store + Atomics.notify
	flag.Notify(1)
	wg.Wait()
	// Output: worker saw 1
}

func ExampleNewBarrier() {
	r, _ := shm.New(4096)
	defer r.Close()
	b, _ := shm.NewBarrier(r, 0, 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		other, _ := shm.OpenBarrier(r, 0) // another process would open it so
		fmt.Println("worker:", other.Wait(context.Background()))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := b.Wait(ctx)
	wg.Wait()
	fmt.Println("main:", err)
	// Output:
	// worker: <nil>
	// main: <nil>
}
