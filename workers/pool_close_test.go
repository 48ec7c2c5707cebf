package workers

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCloseWithQueuedWork(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: Unbounded})
	var done atomic.Int64
	var tasks []*Task[int]
	for range 50 {
		tk, err := Submit(bg, p, func(context.Context) (int, error) {
			time.Sleep(200 * time.Microsecond)
			done.Add(1)
			return 1, nil
		})
		require.NoError(t, err)
		tasks = append(tasks, tk)
	}
	require.NoError(t, p.Close(bg))
	assert.EqualValues(t, 50, done.Load())
	for _, tk := range tasks {
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
	require.NoError(t, p.Close(bg), "Close is idempotent")
}

func TestCloseDeadline(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1})
	release := make(chan struct{})
	_, err := Submit(bg, p, blocker(nil, release))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, p.Close(ctx), context.DeadlineExceeded)
	close(release)
	require.NoError(t, p.Close(bg))
}

func TestCloseNow(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: Unbounded})
	started := make(chan struct{}, 2)
	var running []*Task[int]
	for range 2 {
		tk, err := Submit(bg, p, blocker(started, nil))
		require.NoError(t, err)
		running = append(running, tk)
	}
	<-started
	<-started
	var ran atomic.Int32
	var queued []*Task[int]
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	for i := range 20 {
		c := bg
		if i%2 == 0 {
			c = ctx // some with a cancel hook registered
		}
		tk, err := Submit(c, p, func(context.Context) (int, error) { ran.Add(1); return 0, nil })
		require.NoError(t, err)
		queued = append(queued, tk)
	}
	var goErr atomic.Value
	require.NoError(t, p.Go(bg, func(context.Context) error { ran.Add(1); return nil }, func(err error) { goErr.Store(err) }))
	p.CloseNow()
	for _, tk := range running {
		_, err := tk.Wait(bg)
		require.ErrorIs(t, err, context.Canceled)
	}
	for _, tk := range queued {
		_, err := tk.Wait(bg)
		require.ErrorIs(t, err, ErrClosed)
		require.ErrorIs(t, err, context.Canceled)
	}
	require.ErrorIs(t, goErr.Load().(error), ErrClosed)
	assert.Zero(t, ran.Load())
	st := p.Stats()
	assert.EqualValues(t, 21, st.Cancelled)
	assert.Equal(t, 0, st.Workers)
	assert.Equal(t, 0, st.Queued)
	p.CloseNow() // idempotent
	require.NoError(t, p.Close(bg))
}

// TestCloseNowCancelsEveryKindOfContext checks that CloseNow reaches running
// tasks whatever their submit context: one that cannot end (the pool's own
// context is used), one that can (the task's context is derived from it and
// armed on its worker), with and without a per-task timeout, and that the
// task still sees the submitter's values.
func TestCloseNowCancelsEveryKindOfContext(t *testing.T) {
	type key struct{}
	cancellable, cancel := context.WithCancel(context.WithValue(bg, key{}, "v"))
	defer cancel()
	valued := context.WithValue(bg, key{}, "v")
	cases := []struct {
		name string
		ctx  context.Context
		opts []TaskOption
	}{
		{"background", bg, nil},
		{"values only", valued, nil},
		{"values only+timeout", valued, []TaskOption{WithTimeout(time.Hour)}},
		{"cancellable", cancellable, nil},
		{"cancellable+timeout", cancellable, []TaskOption{WithTimeout(time.Hour)}},
	}
	p := NewPool(Options{MaxWorkers: len(cases)})
	started := make(chan struct{}, len(cases))
	var tasks []*Task[string]
	for _, c := range cases {
		tk, err := Submit(c.ctx, p, func(ctx context.Context) (string, error) {
			started <- struct{}{}
			<-ctx.Done()
			v, _ := ctx.Value(key{}).(string)
			return v, ctx.Err()
		}, c.opts...)
		require.NoError(t, err)
		tasks = append(tasks, tk)
	}
	for range cases {
		<-started
	}
	p.CloseNow()
	for i, tk := range tasks {
		v, err := tk.Wait(bg)
		require.ErrorIs(t, err, context.Canceled, cases[i].name)
		if cases[i].ctx != bg {
			assert.Equal(t, "v", v, cases[i].name)
		}
	}
	assert.EqualValues(t, len(cases), p.Stats().CancelledRunning)
}

// TestCloseNowRacingStarts closes a busy pool while tasks with cancellable
// contexts start and finish, many times: every handle must end (none may
// wait forever on a context that CloseNow missed).
func TestCloseNowRacingStarts(t *testing.T) {
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	for round := range 50 {
		p := NewPool(Options{MaxWorkers: 3, MaxQueue: Unbounded})
		var tasks []*Task[int]
		for range 40 {
			tk, err := Submit(ctx, p, func(ctx context.Context) (int, error) {
				select {
				case <-ctx.Done():
					return 0, ctx.Err()
				case <-time.After(time.Duration(round%5) * 10 * time.Microsecond):
					return 1, nil
				}
			})
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
		p.CloseNow()
		wctx, wcancel := context.WithTimeout(bg, 10*time.Second)
		for _, tk := range tasks {
			_, err := tk.Wait(wctx)
			require.NotErrorIs(t, err, context.DeadlineExceeded, "round %d: a task outlived CloseNow", round)
		}
		wcancel()
	}
}
