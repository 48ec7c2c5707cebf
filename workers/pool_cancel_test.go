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

func TestCancelWhileQueued(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded})
	defer p.CloseNow()
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	first, err := Submit(bg, p, blocker(started, release))
	require.NoError(t, err)
	<-started

	ctx, cancel := context.WithCancel(bg)
	var ran atomic.Bool
	queued, err := Submit(ctx, p, func(context.Context) (int, error) { ran.Store(true); return 0, nil })
	require.NoError(t, err)
	other, err := Submit(bg, p, func(context.Context) (int, error) { return 2, nil })
	require.NoError(t, err)
	require.Equal(t, 2, p.Stats().Queued)
	cancel()
	_, err = queued.Wait(bg)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, p.Stats().Queued, "cancelled task removed from the queue")

	// A context already done is refused at the door.
	_, err = Submit(ctx, p, func(context.Context) (int, error) { return 0, nil })
	require.ErrorIs(t, err, context.Canceled)

	close(release)
	v, err := first.Wait(bg)
	require.NoError(t, err)
	require.Equal(t, 1, v)
	v, err = other.Wait(bg)
	require.NoError(t, err)
	require.Equal(t, 2, v)
	require.NoError(t, p.Close(bg))
	assert.False(t, ran.Load(), "cancelled task ran")
	assert.EqualValues(t, 1, p.Stats().Cancelled)
}

func TestCancelWhileRunning(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1})
	defer p.CloseNow()
	ctx, cancel := context.WithCancel(context.WithValue(bg, "k", "v"))
	started := make(chan struct{}, 1)
	var sawValue atomic.Bool
	tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
		sawValue.Store(ctx.Value("k") == "v")
		started <- struct{}{}
		<-ctx.Done()
		return 0, ctx.Err()
	})
	require.NoError(t, err)
	<-started
	cancel()
	_, err = tk.Wait(bg)
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, sawValue.Load())
	// The worker survives.
	tk2, err := Submit(bg, p, func(context.Context) (int, error) { return 3, nil })
	require.NoError(t, err)
	v, err := tk2.Wait(bg)
	require.NoError(t, err)
	require.Equal(t, 3, v)
	st := p.Stats()
	assert.EqualValues(t, 1, st.CancelledRunning)
	assert.EqualValues(t, 1, st.Failed)
}

func TestPerTaskTimeout(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded})
	defer p.CloseNow()
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	first, err := Submit(bg, p, blocker(started, release))
	require.NoError(t, err)
	<-started
	// Queued for longer than its timeout: queue time does not count.
	ctxs := []context.Context{bg, context.WithValue(bg, "k", 1)}
	ctxCancel, cancel := context.WithCancel(bg)
	defer cancel()
	ctxs = append(ctxs, ctxCancel)
	var quick, slow []*Task[int]
	for _, ctx := range ctxs {
		tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
			select {
			case <-time.After(time.Millisecond):
				return 5, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}, WithTimeout(time.Second))
		require.NoError(t, err)
		quick = append(quick, tk)
		tk, err = Submit(ctx, p, func(ctx context.Context) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}, WithTimeout(20*time.Millisecond))
		require.NoError(t, err)
		slow = append(slow, tk)
	}
	time.Sleep(60 * time.Millisecond)
	close(release)
	_, err = first.Wait(bg)
	require.NoError(t, err)
	for i := range ctxs {
		v, err := quick[i].Wait(bg)
		require.NoError(t, err, "ctx %d", i)
		require.Equal(t, 5, v)
		_, err = slow[i].Wait(bg)
		require.ErrorIs(t, err, context.DeadlineExceeded, "ctx %d", i)
	}
}

// TestTaskContext checks the context a task with a cancellable submit
// context runs with, which derives its Done channel only on demand.
func TestTaskContext(t *testing.T) {
	// pollErr submits a task that spins until its context's Err is set,
	// never calling Done, and waits for it to start; it keeps the context.
	pollErr := func(t *testing.T, ctx context.Context, p *Pool) (tk *Task[int], kept *context.Context) {
		started := make(chan struct{})
		kept = new(context.Context)
		tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
			*kept = ctx
			close(started)
			for ctx.Err() == nil {
				runtime.Gosched()
			}
			return 0, ctx.Err()
		})
		require.NoError(t, err)
		<-started
		return tk, kept
	}
	t.Run("Err follows the submit context without Done", func(t *testing.T) {
		p := NewPool(Options{MaxWorkers: 1})
		defer p.CloseNow()
		ctx, cancel := context.WithCancel(bg)
		tk, _ := pollErr(t, ctx, p)
		cancel()
		_, err := tk.Wait(bg)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("CloseNow reaches a task that only polls Err", func(t *testing.T) {
		p := NewPool(Options{MaxWorkers: 1})
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		tk, kept := pollErr(t, ctx, p)
		p.CloseNow()
		_, err := tk.Wait(bg)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, context.Cause(*kept), context.Canceled)
		require.NoError(t, ctx.Err(), "the submit context is not the pool's to cancel")
	})
	t.Run("ends when the task returns", func(t *testing.T) {
		p := NewPool(Options{MaxWorkers: 1})
		defer p.CloseNow()
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		for _, callDone := range []bool{false, true} {
			kept := make(chan context.Context, 1)
			tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
				if callDone {
					_ = ctx.Done()
				}
				kept <- ctx
				return 1, nil
			})
			require.NoError(t, err)
			_, err = tk.Wait(bg)
			require.NoError(t, err)
			c := <-kept
			require.ErrorIs(t, c.Err(), context.Canceled, "callDone=%v", callDone)
			require.ErrorIs(t, context.Cause(c), context.Canceled, "callDone=%v", callDone)
			select {
			case <-c.Done():
			case <-time.After(5 * time.Second):
				t.Fatalf("callDone=%v: Done not closed after the task returned", callDone)
			}
			// Whether Done was asked for during the task or after it, no
			// registration with the pool's kill context is left behind.
			require.False(t, c.(*taskCtx).derived.Load().stopKill(), "callDone=%v: still registered with the pool", callDone)
		}
	})
	t.Run("derived contexts and AfterFunc", func(t *testing.T) {
		p := NewPool(Options{MaxWorkers: 1})
		defer p.CloseNow()
		type key struct{}
		ctx, cancel := context.WithCancel(context.WithValue(bg, key{}, "v"))
		started := make(chan struct{})
		var fired atomic.Bool
		tk, err := Submit(ctx, p, func(ctx context.Context) (string, error) {
			child, stop := context.WithTimeout(ctx, time.Hour)
			defer stop()
			context.AfterFunc(ctx, func() { fired.Store(true) })
			close(started)
			<-child.Done()
			v, _ := child.Value(key{}).(string)
			return v, context.Cause(child)
		})
		require.NoError(t, err)
		<-started
		cancel()
		v, err := tk.Wait(bg)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, "v", v)
		require.Eventually(t, fired.Load, 5*time.Second, time.Millisecond)
	})
}

// TestCancelSharedContextWhileQueued queues many tasks under one context
// among tasks under others: cancelling it removes exactly its tasks.
func TestCancelSharedContextWhileQueued(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded})
	defer p.CloseNow()
	release := occupy(t, p)

	doomed, cancel := context.WithCancel(bg)
	other, cancelOther := context.WithCancel(bg)
	defer cancelOther()
	var ran, errs atomic.Int64
	var kept []*Task[int]
	const n = 1001
	for i := range n {
		switch i % 3 {
		case 0:
			require.NoError(t, p.Go(doomed, func(context.Context) error { ran.Add(1); return nil },
				func(err error) {
					if errors.Is(err, context.Canceled) {
						errs.Add(1)
					}
				}))
		case 1:
			tk, err := Submit(doomed, p, func(context.Context) (int, error) { ran.Add(1); return 0, nil })
			require.NoError(t, err)
			kept = append(kept, tk)
		default:
			tk, err := Submit(other, p, func(context.Context) (int, error) { return i, nil })
			require.NoError(t, err)
			kept = append(kept, tk)
		}
	}
	require.Equal(t, n, p.Stats().Queued)
	cancel()
	for i, tk := range kept {
		if i%2 == 0 { // from doomed
			_, err := tk.Wait(bg)
			require.ErrorIs(t, err, context.Canceled)
		}
	}
	require.Eventually(t, func() bool { return p.Stats().Queued == n/3 }, 5*time.Second, time.Millisecond)
	release()
	for i, tk := range kept {
		if i%2 == 1 {
			v, err := tk.Wait(bg)
			require.NoError(t, err)
			require.Equal(t, 3*(i/2)+2, v)
		}
	}
	require.NoError(t, p.Close(bg))
	assert.Zero(t, ran.Load(), "a cancelled task ran")
	assert.EqualValues(t, (n+2)/3, errs.Load(), "onError calls of cancelled Go tasks")
	assert.EqualValues(t, n-n/3, p.Stats().Cancelled)
}

// TestIdleHooksBounded runs tasks under many contexts that are never
// cancelled while their tasks wait: the pool keeps at most maxIdleHooks of
// their cancel hooks, and none after Close.
func TestIdleHooksBounded(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded})
	var cancels []context.CancelFunc
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	for range 10 {
		release := occupy(t, p)
		var tasks []*Task[int]
		for range 10 {
			ctx, cancel := context.WithCancel(bg)
			cancels = append(cancels, cancel)
			tk, err := Submit(ctx, p, func(context.Context) (int, error) { return 1, nil })
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
		release()
		for _, tk := range tasks {
			_, err := tk.Wait(bg)
			require.NoError(t, err)
		}
		p.mu.Lock()
		n, idle := len(p.hooks), p.idleHooks
		p.mu.Unlock()
		require.LessOrEqual(t, n, maxIdleHooks)
		require.Equal(t, n, idle)
	}
	require.NoError(t, p.Close(bg))
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Empty(t, p.hooks)
	require.Zero(t, p.idleHooks)
}
