package proc_test

import (
	"context"
	"fmt"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// In a real program: register tasks in init, call proc.RunChildIfRequested
// first thing in main, then use a Pool.
func ExampleNewPool() {
	r, _ := shm.New(4096)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, 3)
	copy(xs, []float64{1, 2, 3})

	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	// "scale" is registered by this package's tests: it doubles the
	// region's float64s in the child, through the shared pages.
	if _, err := p.Call(context.Background(), "scale", nil, proc.Share(r)); err != nil {
		panic(err)
	}
	fmt.Println(xs)
	// Output: [2 4 6]
}
