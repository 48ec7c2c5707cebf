package workers

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func count(n int) func(ctx context.Context, yield func(int) bool) error {
	return func(ctx context.Context, yield func(int) bool) error {
		for i := range n {
			if !yield(i) {
				return ctx.Err()
			}
		}
		return nil
	}
}

func TestStreamInOrder(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	defer p.CloseNow()
	for _, buf := range []int{1, 3, DefaultStreamBuffer} {
		var got []int
		for v, err := range Stream(bg, p, count(1000), StreamBuffer(buf)) {
			require.NoError(t, err)
			got = append(got, v)
		}
		require.Len(t, got, 1000)
		for i, v := range got {
			require.Equal(t, i, v)
		}
	}
	// Each range runs the task again.
	seq := Stream(bg, p, count(3))
	for range 2 {
		n := 0
		for range seq {
			n++
		}
		assert.Equal(t, 3, n)
	}
}

func TestStreamEarlyBreakFreesWorker(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1})
	defer p.CloseNow()
	var running atomic.Int32
	forever := func(ctx context.Context, yield func(int) bool) error {
		running.Add(1)
		defer running.Add(-1)
		for i := 0; ; i++ {
			if !yield(i) {
				return ctx.Err()
			}
		}
	}
	for v, err := range Stream(bg, p, forever) {
		require.NoError(t, err)
		if v == 5 {
			break
		}
	}
	assert.Zero(t, running.Load(), "the task still runs after the loop")
	// The only worker is free at once.
	ctx, cancel := context.WithTimeout(bg, time.Second)
	defer cancel()
	v, err := mustSubmit(t, p, func(context.Context) (int, error) { return 1, nil }).Wait(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, v)

	// A task blocked in yield on a full buffer is released too.
	for range Stream(bg, p, forever, StreamBuffer(1)) {
		time.Sleep(time.Millisecond)
		break
	}
	assert.Zero(t, running.Load())
}

func TestStreamBackpressure(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1})
	defer p.CloseNow()
	const buf = 4
	var produced atomic.Int64
	task := func(ctx context.Context, yield func(int) bool) error {
		for i := range 200 {
			if !yield(i) {
				return ctx.Err()
			}
			produced.Add(1)
		}
		return nil
	}
	consumed, ahead := int64(0), int64(0)
	for _, err := range Stream(bg, p, task, StreamBuffer(buf)) {
		require.NoError(t, err)
		consumed++
		if consumed%20 == 0 {
			time.Sleep(2 * time.Millisecond) // a slow consumer: the producer runs ahead, up to the bound
		}
		ahead = max(ahead, produced.Load()-consumed)
	}
	assert.EqualValues(t, 200, consumed)
	assert.LessOrEqual(t, ahead, int64(buf), "values produced ahead of the consumer")
	assert.GreaterOrEqual(t, ahead, int64(buf-1), "the buffer was used")
}

func TestStreamErrors(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	defer p.CloseNow()
	boom := errors.New("boom")
	collect := func(seq func(func(int, error) bool)) (vals []int, errs []error) {
		for v, err := range seq {
			if err != nil {
				errs = append(errs, err)
			} else {
				vals = append(vals, v)
			}
		}
		return
	}
	vals, errs := collect(Stream(bg, p, func(ctx context.Context, yield func(int) bool) error {
		yield(1)
		yield(2)
		return boom
	}))
	assert.Equal(t, []int{1, 2}, vals)
	assert.Equal(t, []error{boom}, errs)

	vals, errs = collect(Stream(bg, p, func(ctx context.Context, yield func(int) bool) error {
		yield(1)
		panic("stream")
	}))
	assert.Equal(t, []int{1}, vals)
	require.Len(t, errs, 1)
	var pe *PanicError
	require.ErrorAs(t, errs[0], &pe)
	assert.Equal(t, "stream", pe.Value)

	vals, errs = collect(Stream(bg, p, func(ctx context.Context, yield func(int) bool) error {
		yield(1)
		runtime.Goexit()
		return nil
	}))
	assert.Equal(t, []int{1}, vals)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrGoexit)

	ctx, cancel := context.WithCancel(bg)
	cancel()
	vals, errs = collect(Stream(ctx, p, count(3)))
	assert.Empty(t, vals)
	assert.Equal(t, []error{context.Canceled}, errs)

	// Cancelled while queued behind a busy worker: dropped, never run.
	one := NewPool(Options{MaxWorkers: 1, MaxQueue: 4})
	defer one.CloseNow()
	started, release := make(chan struct{}), make(chan struct{})
	require.NoError(t, one.Go(bg, func(context.Context) error { close(started); <-release; return nil }, nil))
	<-started
	ctx, cancel = context.WithCancel(bg)
	defer cancel()
	go func() { // once the stream's task is queued
		for one.Stats().Queued == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var ran atomic.Bool
	vals, errs = collect(Stream(ctx, one, func(ctx context.Context, yield func(int) bool) error { ran.Store(true); return nil }))
	close(release)
	assert.Empty(t, vals)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.ErrorIs(t, errs[0], ErrNotRun, "dropped before it ran")
	assert.False(t, ran.Load())

	closed := NewPool(Options{})
	closed.CloseNow()
	_, errs = collect(Stream(bg, closed, count(3)))
	assert.Equal(t, []error{ErrClosed}, errs)
}
