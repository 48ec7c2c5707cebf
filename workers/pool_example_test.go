package workers_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sharc-go/sharc/workers"
)

func ExampleSubmit() {
	p := workers.NewPool(workers.Options{MaxWorkers: 4})
	defer p.Close(context.Background())

	var tasks []*workers.Task[int]
	for i := 1; i <= 3; i++ {
		t, err := workers.Submit(context.Background(), p, func(ctx context.Context) (int, error) {
			return i * i, nil
		})
		if err != nil {
			panic(err)
		}
		tasks = append(tasks, t)
	}
	for _, t := range tasks {
		v, err := t.Wait(context.Background())
		fmt.Println(v, err)
	}
	// Output:
	// 1 <nil>
	// 4 <nil>
	// 9 <nil>
}

func ExampleTrySubmit() {
	p := workers.NewPool(workers.Options{MaxWorkers: 1, MaxQueue: 1})
	defer p.CloseNow()
	release := make(chan struct{})
	block := func(ctx context.Context) (int, error) { <-release; return 0, nil }

	started := make(chan struct{})
	workers.TrySubmit(context.Background(), p, func(ctx context.Context) (int, error) {
		close(started)
		return block(ctx)
	})
	<-started
	_, err1 := workers.TrySubmit(context.Background(), p, block) // queued
	_, err2 := workers.TrySubmit(context.Background(), p, block) // no room
	fmt.Println(err1, errors.Is(err2, workers.ErrQueueFull))
	close(release)
	// Output: <nil> true
}

func ExampleWithTimeout() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())
	t, _ := workers.Submit(context.Background(), p, func(ctx context.Context) (string, error) {
		<-ctx.Done() // a task that never finishes by itself
		return "", ctx.Err()
	}, workers.WithTimeout(10*time.Millisecond))
	_, err := t.Wait(context.Background())
	fmt.Println(err)
	// Output: context deadline exceeded
}

func ExamplePool_Go() {
	p := workers.NewPool(workers.Options{MaxWorkers: 2})
	errs := make(chan error, 1)
	p.Go(context.Background(), func(ctx context.Context) error {
		return errors.New("disk full")
	}, func(err error) { errs <- err })
	fmt.Println(<-errs)
	p.Close(context.Background())
	// Output: disk full
}

func ExamplePanicError() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())
	t, _ := workers.Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		panic("bad input")
	})
	_, err := t.Wait(context.Background())
	var pe *workers.PanicError
	fmt.Println(errors.As(err, &pe), pe.Value)
	// Output: true bad input
}

func ExamplePool_Drain() {
	p := workers.NewPool(workers.Options{MaxWorkers: 2, MaxQueue: 8})
	defer p.Close(context.Background())
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		if p.NeedsDrain() {
			// Backpressure: let the queue fall to half before producing more.
			if err := p.Drain(ctx, 4); err != nil {
				panic(err)
			}
		}
		if err := p.Go(ctx, func(ctx context.Context) error { return nil }, nil); err != nil {
			panic(err)
		}
	}
	p.Close(ctx)
	fmt.Println(p.Stats().Completed)
	// Output: 100
}

func ExamplePool_CloseNow() {
	p := workers.NewPool(workers.Options{MaxWorkers: 1})
	started := make(chan struct{})
	running, _ := workers.Submit(context.Background(), p, func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		return 0, ctx.Err()
	})
	<-started
	queued, _ := workers.Submit(context.Background(), p, func(ctx context.Context) (int, error) { return 1, nil })
	p.CloseNow()
	_, err1 := running.Wait(context.Background())
	_, err2 := queued.Wait(context.Background())
	fmt.Println(err1)
	fmt.Println(errors.Is(err2, workers.ErrClosed), errors.Is(err2, context.Canceled))
	// Output:
	// context canceled
	// true true
}

func ExamplePool_Stats() {
	p := workers.NewPool(workers.Options{MaxWorkers: 2})
	for i := 0; i < 10; i++ {
		p.Go(context.Background(), func(ctx context.Context) error { return nil }, nil)
	}
	p.Close(context.Background())
	st := p.Stats()
	fmt.Println(st.Submitted, st.Completed, st.Workers)
	// Output: 10 10 0
}

func ExampleNewPool() {
	p := workers.NewPool(workers.Options{
		MinWorkers:  1,
		MaxWorkers:  8,
		IdleTimeout: time.Second,
		MaxQueue:    workers.Unbounded,
	})
	p.Resize(2)
	fmt.Println(p.Stats().MaxWorkers)
	p.Close(context.Background())
	// Output: 2
}

// With NoTiming the pool reads no clock: the counts stay exact, the
// utilization and latency figures are off.
func ExampleOptions_noTiming() {
	p := workers.NewPool(workers.Options{MaxWorkers: 2, NoTiming: true})
	for i := 0; i < 10; i++ {
		p.Go(context.Background(), func(ctx context.Context) error {
			if i%5 == 0 {
				return errors.New("odd one out")
			}
			return nil
		}, nil)
	}
	p.Close(context.Background())
	st := p.Stats()
	fmt.Println(st.Timing, st.Run.Count)
	fmt.Println(st)
	// Output:
	// false 0
	// queued=0 running=0 workers=0/2 submitted=10 completed=8 failed=2 cancelled=0 timing=off
}

func ExamplePool_Resize() {
	p := workers.NewPool(workers.Options{MaxWorkers: 1, MaxQueue: workers.Unbounded})
	var done atomic.Int64
	for i := 0; i < 50; i++ {
		p.Go(context.Background(), func(ctx context.Context) error {
			time.Sleep(100 * time.Microsecond)
			done.Add(1)
			return nil
		}, nil)
	}
	p.Resize(4) // more workers for the queued tasks at once
	p.Resize(2) // and fewer: the surplus retire as they finish
	p.Close(context.Background())
	fmt.Println(done.Load(), p.Stats().MaxWorkers)
	// Output: 50 2
}

func ExamplePool_Close() {
	p := workers.NewPool(workers.Options{MaxWorkers: 1})
	release := make(chan struct{})
	t, _ := workers.Submit(context.Background(), p, func(ctx context.Context) (string, error) {
		<-release
		return "finished", nil
	})
	// Close waits for queued and running work; a deadline bounds the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	fmt.Println(p.Close(ctx))
	_, err := workers.Submit(context.Background(), p, func(ctx context.Context) (string, error) { return "", nil })
	fmt.Println(err)
	close(release)
	fmt.Println(p.Close(context.Background()))
	fmt.Println(t.Wait(context.Background()))
	// Output:
	// context deadline exceeded
	// workers: pool is closed
	// <nil>
	// finished <nil>
}
