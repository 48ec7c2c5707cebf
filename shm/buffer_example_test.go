package shm_test

import (
	"errors"
	"fmt"

	"github.com/sharc-go/sharc/shm"
)

// A buffer handed to another goroutine with Transfer: no element is copied,
// and the sender's handle can no longer reach the memory.
func ExampleBuffer_Transfer() {
	buf := shm.NewBuffer[float64](1 << 20)
	buf.Data()[0] = 42

	ch := make(chan *shm.Buffer[float64], 1)
	ch <- buf.Transfer()

	fmt.Println("sender detached:", buf.Detached(), "len", buf.Len())
	got := <-ch
	fmt.Println("receiver len:", got.Len(), "first:", got.Data()[0])

	func() {
		defer func() {
			err := recover().(error)
			fmt.Println("stale use:", errors.Is(err, shm.ErrDetached))
		}()
		buf.Data()
	}()
	// Output:
	// sender detached: true len 0
	// receiver len: 1048576 first: 42
	// stale use: true
}

// Detach reports a lost race (or a second transfer) as an error.
func ExampleBuffer_Detach() {
	buf := shm.NewBuffer[int32](8)
	_ = buf.Transfer()
	_, err := buf.Detach()
	fmt.Println(errors.Is(err, shm.ErrDetached))
	// Output: true
}

func ExampleBuffer_Clone() {
	buf := shm.NewBuffer[int32](3)
	copy(buf.Data(), []int32{1, 2, 3})
	c := buf.Clone()
	c.Data()[0] = 100
	fmt.Println(buf.Data(), c.Data())
	// Output: [1 2 3] [100 2 3]
}

// A guarded buffer turns a stale slice into a crash at its first use, for
// hunting use-after-transfer bugs.
func ExampleNewGuardedBuffer() {
	buf, err := shm.NewGuardedBuffer[float64](512)
	if err != nil {
		fmt.Println(err)
		return
	}
	next := buf.Transfer() // buf's old pages are now PROT_NONE
	next.Data()[0] = 1
	fmt.Println(next.Len(), buf.Detached())
	fmt.Println(next.Release())
	// Output:
	// 512 true
	// <nil>
}

func ExampleNewBuffer() {
	buf := shm.NewBuffer[uint8](4)
	fmt.Println(buf.Len(), buf.Data(), buf.Detached())
	// Output: 4 [0 0 0 0] false
}
