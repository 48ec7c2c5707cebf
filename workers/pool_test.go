package workers

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

// blocker returns a task that signals started and then waits for release
// (or its context).
func blocker(started chan<- struct{}, release <-chan struct{}) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		if started != nil {
			started <- struct{}{}
		}
		select {
		case <-release:
			return 1, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// occupy runs a task on one of p's workers until the returned func is
// called, which waits for it to finish.
func occupy(t *testing.T, p *Pool) (release func()) {
	t.Helper()
	started := make(chan struct{}, 1)
	gate := make(chan struct{})
	tk, err := Submit(bg, p, blocker(started, gate))
	require.NoError(t, err)
	<-started
	return func() {
		close(gate)
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
}

func TestSubmitResult(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 3})
	defer p.CloseNow()
	for _, n := range []int{1, 5, 97} {
		tasks := make([]*Task[int], n)
		for i := range tasks {
			var err error
			tasks[i], err = Submit(bg, p, func(context.Context) (int, error) { return i * i, nil })
			require.NoError(t, err)
		}
		for i, tk := range tasks {
			v, err := tk.Wait(bg)
			require.NoError(t, err)
			require.Equal(t, i*i, v)
			select {
			case <-tk.Done():
			default:
				t.Fatal("Done not closed after Wait")
			}
		}
	}
	boom := errors.New("boom")
	tk, err := Submit(bg, p, func(context.Context) (string, error) { return "", boom })
	require.NoError(t, err)
	_, err = tk.Wait(bg)
	require.ErrorIs(t, err, boom)
	require.NoError(t, p.Close(bg))
	st := p.Stats()
	assert.EqualValues(t, 1+5+97+1, st.Submitted)
	assert.EqualValues(t, 1+5+97, st.Completed)
	assert.EqualValues(t, 1, st.Failed)
	assert.Equal(t, 0, st.Workers)
	assert.True(t, st.Closed)
}

func TestPanic(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	defer p.CloseNow()
	sentinel := errors.New("sentinel")
	for _, v := range []any{"oops", 42, sentinel} {
		tk, err := Submit(bg, p, func(context.Context) (int, error) { panic(v) })
		require.NoError(t, err)
		_, err = tk.Wait(bg)
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, v, pe.Value)
		assert.Contains(t, err.Error(), fmt.Sprint(v))
		assert.Contains(t, string(pe.Stack), "TestPanic")
	}
	tk, err := Submit(bg, p, func(context.Context) (int, error) { panic(sentinel) })
	require.NoError(t, err)
	_, err = tk.Wait(bg)
	require.ErrorIs(t, err, sentinel)
	// The pool keeps working, at its size.
	tk2, err := Submit(bg, p, func(context.Context) (int, error) { return 1, nil })
	require.NoError(t, err)
	_, err = tk2.Wait(bg)
	require.NoError(t, err)
	st := p.Stats()
	assert.EqualValues(t, 4, st.Failed)
	assert.LessOrEqual(t, st.Workers, 2)
	assert.GreaterOrEqual(t, st.Workers, 1)
}

func TestGo(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	var mu sync.Mutex
	var errs []error
	onErr := func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }
	var ok atomic.Int32
	boom := errors.New("boom")
	for i := range 10 {
		require.NoError(t, p.Go(bg, func(context.Context) error {
			if i%2 == 0 {
				return boom
			}
			if i == 9 {
				panic("nine")
			}
			ok.Add(1)
			return nil
		}, onErr))
	}
	require.NoError(t, p.Close(bg))
	assert.EqualValues(t, 4, ok.Load())
	require.Len(t, errs, 6)
	var pe *PanicError
	n := 0
	for _, e := range errs {
		if errors.As(e, &pe) {
			n++
		} else {
			require.ErrorIs(t, e, boom)
		}
	}
	assert.Equal(t, 1, n)
}

func TestWaitContextBoundsOnlyTheWait(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1})
	defer p.CloseNow()
	release := make(chan struct{})
	tk, err := Submit(bg, p, blocker(nil, release))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(bg, 5*time.Millisecond)
	defer cancel()
	_, err = tk.Wait(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	v, err := tk.Wait(bg)
	require.NoError(t, err)
	require.Equal(t, 1, v)
}

// TestGoAllocatesNothing checks that a fire-and-forget task costs no
// allocation once the ring has room, with or without a cancellable context.
func TestGoAllocatesNothing(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded, NoTiming: true})
	defer p.CloseNow()
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var n atomic.Int64
	fn := func(context.Context) error { n.Add(1); return nil }
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"background", bg}, {"cancellable", ctx}} {
		release := occupy(t, p)
		// The first task of a context sets up its hook; later ones share it.
		require.NoError(t, p.Go(c.ctx, fn, nil))
		allocs := testing.AllocsPerRun(1000, func() {
			if err := p.Go(c.ctx, fn, nil); err != nil {
				panic(err)
			}
		})
		release()
		assert.Zero(t, allocs, c.name)
	}
	require.NoError(t, p.Close(bg))
	assert.EqualValues(t, 2*1002, n.Load())
}

func TestLockOSThread(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, LockOSThread: true})
	tk, err := Submit(bg, p, func(context.Context) (int, error) { return runtime.NumGoroutine(), nil })
	require.NoError(t, err)
	_, err = tk.Wait(bg)
	require.NoError(t, err)
	require.NoError(t, p.Close(bg))
}
