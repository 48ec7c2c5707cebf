//go:build linux

package proc_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
	"github.com/sharc-go/sharc/workers/proc"
)

// The tasks of these examples, registered at package level so that the
// children, which run the same binary, register them too.
var (
	// rectArea takes a fixed-size struct and returns a number.
	rectArea = proc.RegisterT("example-area", func(ctx context.Context, r rect, _ []*shm.Region) (float64, error) {
		return r.W * r.H, nil
	})
	// total takes a slice: its elements travel back to back.
	total = proc.RegisterT("example-total", func(ctx context.Context, xs []float64, _ []*shm.Region) (float64, error) {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s, nil
	})
)

type rect struct{ W, H float64 }

func init() {
	// "example-pid" answers with the id of the process that ran it.
	proc.Register("example-pid", func(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
		return strconv.AppendInt(nil, int64(os.Getpid()), 10), nil
	})
	// "example-add-one" adds 1 to every int64 of its region, in place.
	proc.Register("example-add-one", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		xs, err := shm.View[int64](rs[0], 0, rs[0].Len()/8)
		if err != nil {
			return nil, err
		}
		for i := range xs {
			xs[i]++
		}
		return nil, nil
	})
	// "example-above" emits, in order, the index of each float64 of its
	// region that is above the threshold in arg, and stops early when the
	// caller has stopped reading.
	proc.RegisterStream("example-above", func(ctx context.Context, arg []byte, rs []*shm.Region, emit func([]byte) bool) error {
		limit, err := strconv.ParseFloat(string(arg), 64)
		if err != nil {
			return err
		}
		xs, err := shm.View[float64](rs[0], 0, rs[0].Len()/8)
		if err != nil {
			return err
		}
		for i, x := range xs {
			if x > limit && !emit(binary.LittleEndian.AppendUint64(nil, uint64(i))) {
				return ctx.Err()
			}
		}
		return nil
	})
	// "example-hold" runs until its context ends.
	proc.Register("example-hold", func(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
}

// A program calls RunChildIfRequested first thing in main, after its tasks
// are registered: in a child that a Pool started it serves tasks and never
// returns; in the parent it returns at once and the program goes on.
func ExampleRunChildIfRequested() {
	proc.RunChildIfRequested() // this process is the parent: returns at once

	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	out, err := p.Call(context.Background(), "example-pid", nil)
	if err != nil {
		panic(err)
	}
	child, _ := strconv.Atoi(string(out))
	fmt.Println("served by another process:", child != os.Getpid())
	// Output: served by another process: true
}

// Share lends a region to a call: the child works on the very pages the
// parent sees, and both keep them mapped, so the same region can go to call
// after call (the child maps it once).
func ExampleShare() {
	r, err := shm.New(3 * 8)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	xs, _ := shm.View[int64](r, 0, 3)
	copy(xs, []int64{1, 2, 3})

	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	for range 2 {
		if _, err := p.Call(context.Background(), "example-add-one", nil, proc.Share(r)); err != nil {
			panic(err)
		}
	}
	fmt.Println(xs, r.Bytes() != nil)
	// Output: [3 4 5] true
}

// CallT calls a typed task by its name, for code that has the name but not
// the Typed value RegisterT returned.
func ExampleCallT() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	area, err := proc.CallT[rect, float64](context.Background(), p, "example-area", rect{W: 2, H: 3.5})
	fmt.Println(area, err)
	// Output: 7 <nil>
}

// A Typed task takes and returns Go values instead of bytes. A slice
// argument travels as its elements back to back: one copy, with no
// reflection, when the element's memory layout already fits.
func ExampleTyped() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	sum, err := total.Call(context.Background(), p, []float64{0.5, 1.5, 2, 4})
	fmt.Println(total.Name(), sum, err)
	area, err := rectArea.Call(context.Background(), p, rect{W: 4, H: 2.5})
	fmt.Println(rectArea.Name(), area, err)
	// Output:
	// example-total 8 <nil>
	// example-area 10 <nil>
}

// A streaming task sends its results one at a time as it finds them; the
// caller ranges over them with Pool.Stream and may stop early, which
// cancels the task. Called with Pool.Call, the same task runs to the end
// and its items are dropped.
func ExampleRegisterStream() {
	r, err := shm.New(8 * 8)
	if err != nil {
		panic(err)
	}
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, 8)
	copy(xs, []float64{0.1, 0.9, 0.4, 0.7, 0.8, 0.2, 0.95, 0.3})

	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	// The first three values above 0.5.
	var found []uint64
	for item, err := range p.Stream(context.Background(), "example-above", []byte("0.5"), proc.Share(r)) {
		if err != nil {
			panic(err)
		}
		found = append(found, binary.LittleEndian.Uint64(item))
		if len(found) == 3 {
			break
		}
	}
	fmt.Println(found)

	out, err := p.Call(context.Background(), "example-above", []byte("0.5"), proc.Share(r))
	fmt.Println(len(out), err)
	// Output:
	// [1 3 4]
	// 0 <nil>
}

// TryCall fails at once with ErrQueueFull, instead of waiting, when every
// child is busy and the queue is full: the form for callers that would
// rather shed load than wait, such as a server answering 503.
func ExamplePool_TryCall() {
	p, err := proc.NewPool(proc.Options{Workers: 1, MaxInFlight: 1, MaxQueue: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	// One call keeps the only child busy and one more waits in the queue.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { p.Call(ctx, "example-hold", nil) })
	}
	for p.Stats().Queued < 1 {
		time.Sleep(time.Millisecond)
	}

	_, err = p.TryCall(context.Background(), "example-pid", nil)
	fmt.Println(errors.Is(err, proc.ErrQueueFull), errors.Is(err, workers.ErrQueueFull))

	cancel() // both calls end; there is room again
	wg.Wait()
	_, err = p.TryCall(context.Background(), "example-pid", nil)
	fmt.Println(err)
	// Output:
	// true true
	// <nil>
}

// CloseNow stops a pool at once: the children are killed, and the calls
// still running or waiting fail with an error matching ErrClosed.
func ExamplePool_CloseNow() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	done := make(chan error)
	go func() {
		_, err := p.Call(context.Background(), "example-hold", nil)
		done <- err
	}()
	p.CloseNow()
	err = <-done
	fmt.Println(errors.Is(err, proc.ErrClosed))
	_, err = p.Call(context.Background(), "example-pid", nil)
	fmt.Println(errors.Is(err, proc.ErrClosed))
	// Output:
	// true
	// true
}
