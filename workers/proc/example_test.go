package proc_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
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

// Transfer hands a region over: the parent's mapping is gone once the call
// is sent, and the child unmaps it after the task.
func ExampleTransfer() {
	r, _ := shm.New(4096)
	xs, _ := shm.View[float64](r, 0, 2)
	copy(xs, []float64{1.5, 2.5})

	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	// "sum" (registered by this package's tests) adds the region's float64s.
	out, err := p.Call(context.Background(), "sum", nil, proc.Transfer(r))
	if err != nil {
		panic(err)
	}
	fmt.Println(math.Float64frombits(binary.LittleEndian.Uint64(out)), r.Bytes() == nil)
	// Output: 4 true
}

// Stats counts calls and summarizes their latencies.
func ExamplePool_Stats() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	for range 3 {
		p.Call(context.Background(), "echo", []byte("x"))
	}
	p.Call(context.Background(), "fail", nil)
	st := p.Stats()
	fmt.Println(st.Completed, st.Failed, st.Run.Count, st.Run.P50 > 0)
	// Output: 3 1 4 true
}

// MaxRSS and MaxTasksPerWorker recycle children whose tasks leak: a child
// past either is retired after the call it is running and a fresh one takes
// its place, without failing any call.
func ExampleOptions_recycling() {
	p, err := proc.NewPool(proc.Options{
		Workers:           1,
		MaxRSS:            256 << 20, // bytes resident, checked between calls
		MaxTasksPerWorker: 2,
	})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	for range 5 {
		// "echo" is registered by this package's tests.
		if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
			panic(err)
		}
	}
	st := p.Stats()
	fmt.Println(st.Completed, st.Recycled)
	// Output: 5 2
}

// A task that returns an error or panics fails its call with a *TaskError;
// its child lives on and serves the next call.
func ExampleTaskError() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	// "fail" and "panic" are registered by this package's tests.
	_, err = p.Call(context.Background(), "fail", nil)
	var te *proc.TaskError
	if errors.As(err, &te) {
		fmt.Println(te.Fn, te.Msg, te.Panic)
	}
	_, err = p.Call(context.Background(), "panic", nil)
	var pe *workers.PanicError // the same type a panicking task gives in a workers.Pool
	fmt.Println(errors.As(err, &te), te.Panic, errors.As(err, &pe))
	// Output:
	// fail bad input false
	// true true true
}

// A child that dies (os.Exit, a signal, out of memory, a panic in a goroutine
// of its own) fails only the call it was running, with an error matching
// ErrWorkerDied that says how it died; a replacement serves the next call.
func ExampleErrWorkerDied() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())
	// "exit" (registered by this package's tests) calls os.Exit(7).
	_, err = p.Call(context.Background(), "exit", nil)
	fmt.Println(errors.Is(err, proc.ErrWorkerDied), strings.Contains(err.Error(), "exit code 7"))
	out, err := p.Call(context.Background(), "echo", []byte("still here"))
	fmt.Println(string(out), err)
	// Output:
	// true true
	// echo:still here <nil>
}

// Call waits for a child and the result until its context ends; a running
// task is asked to stop through its own context, and the child serves on.
func ExamplePool_Call() {
	p, err := proc.NewPool(proc.Options{Workers: 1, Grace: time.Second})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// "cooperative" (registered by this package's tests) waits for its
	// context to end.
	_, err = p.Call(ctx, "cooperative", nil)
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	out, err := p.Call(context.Background(), "echo", []byte("next"))
	fmt.Println(string(out), err, p.Stats().Killed)
	// Output:
	// true
	// echo:next <nil> 0
}
