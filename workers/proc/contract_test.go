//go:build linux

package proc

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
)

// The contract both pools keep, tested against each through an adapter:
// the same sentinels, option meanings, Close and CloseNow semantics, panic
// errors and Stats.

func init() {
	Register("ok", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) { return nil, nil })
}

// poolUnderTest adapts one pool to the contract: tasks are named by kind
// ("ok", "cooperative" (waits for its context), "panic", "goexit").
type poolUnderTest interface {
	// submit starts a task; wait returns its error. try fails at once
	// with ErrQueueFull instead of waiting for queue space.
	submit(ctx context.Context, kind string, try bool) (wait func() error, err error)
	close(ctx context.Context) error
	closeNow()
	stats() workers.Stats
}

type goroutinePool struct{ p *workers.Pool }

var goroutineTasks = map[string]func(ctx context.Context) (int, error){
	"ok":          func(ctx context.Context) (int, error) { return 0, nil },
	"cooperative": func(ctx context.Context) (int, error) { <-ctx.Done(); return 0, ctx.Err() },
	"panic":       func(ctx context.Context) (int, error) { var m map[string]int; m["x"] = 1; return 0, nil },
	"goexit":      func(ctx context.Context) (int, error) { runtime.Goexit(); return 0, nil },
}

func (g goroutinePool) submit(ctx context.Context, kind string, try bool) (func() error, error) {
	submit := workers.Submit[int]
	if try {
		submit = workers.TrySubmit[int]
	}
	t, err := submit(ctx, g.p, goroutineTasks[kind])
	if err != nil {
		return nil, err
	}
	return func() error { _, err := t.Wait(context.Background()); return err }, nil
}
func (g goroutinePool) close(ctx context.Context) error { return g.p.Close(ctx) }
func (g goroutinePool) closeNow()                       { g.p.CloseNow() }
func (g goroutinePool) stats() workers.Stats            { return g.p.Stats() }

type processPool struct{ p *Pool }

// submit runs the call on a goroutine of its own; an error that comes back
// at once (a closed pool, a full queue) is submit's.
func (pp processPool) submit(ctx context.Context, kind string, try bool) (func() error, error) {
	done := make(chan error, 1)
	go func() {
		call := pp.p.Call
		if try {
			call = pp.p.TryCall
		}
		_, err := call(ctx, kind, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if errors.Is(err, ErrClosed) || errors.Is(err, ErrQueueFull) {
			return nil, err
		}
		return func() error { return err }, nil
	case <-time.After(100 * time.Millisecond):
		return func() error { return <-done }, nil
	}
}
func (pp processPool) close(ctx context.Context) error { return pp.p.Close(ctx) }
func (pp processPool) closeNow()                       { pp.p.CloseNow() }
func (pp processPool) stats() workers.Stats            { return pp.p.Stats() }

// pools makes one pool of each kind with one worker and room for maxQueue
// waiting tasks.
func pools(t *testing.T, maxQueue int) map[string]poolUnderTest {
	wp := workers.NewPool(workers.Options{Workers: 1, MaxQueue: maxQueue})
	t.Cleanup(wp.CloseNow)
	pp := newPool(t, Options{Workers: 1, MaxQueue: maxQueue})
	return map[string]poolUnderTest{"workers.Pool": goroutinePool{wp}, "proc.Pool": processPool{pp}}
}

// wait waits for a task's error, failing the test rather than hanging.
func wait(t *testing.T, w func() error) error {
	t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- w() }()
	select {
	case err := <-ch:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("task did not end")
		return nil
	}
}

// started waits until the pool runs n tasks.
func started(t *testing.T, pool poolUnderTest, n int64) {
	t.Helper()
	require.Eventually(t, func() bool { return pool.stats().Running == n }, 10*time.Second, time.Millisecond)
}

func TestContract(t *testing.T) {
	bg := context.Background()
	for _, c := range []struct {
		name string
		run  func(t *testing.T, pool poolUnderTest)
	}{
		{"sentinels are shared", func(t *testing.T, _ poolUnderTest) {
			assert.Same(t, workers.ErrClosed, ErrClosed)
			assert.Same(t, workers.ErrQueueFull, ErrQueueFull)
			assert.Equal(t, workers.Unbounded, Unbounded)
		}},
		{"results and Stats", func(t *testing.T, pool poolUnderTest) {
			for range 3 {
				w, err := pool.submit(bg, "ok", false)
				require.NoError(t, err)
				require.NoError(t, wait(t, w))
			}
			st := pool.stats()
			assert.EqualValues(t, 3, st.Completed)
			assert.EqualValues(t, 3, st.Submitted)
			assert.Zero(t, st.Failed)
			assert.Equal(t, 1, st.MaxWorkers)
			assert.True(t, st.Timing)
			assert.EqualValues(t, 3, st.Run.Count)
			assert.Contains(t, st.String(), "completed=3")
		}},
		{"a panic is a *workers.PanicError", func(t *testing.T, pool poolUnderTest) {
			w, err := pool.submit(bg, "panic", false)
			require.NoError(t, err)
			var pe *workers.PanicError
			require.ErrorAs(t, wait(t, w), &pe)
			assert.Contains(t, pe.Error(), "assignment to entry in nil map")
			assert.NotEmpty(t, pe.Stack)
			w, err = pool.submit(bg, "ok", false)
			require.NoError(t, err)
			require.NoError(t, wait(t, w), "the pool goes on")
		}},
		{"runtime.Goexit fails the task with ErrGoexit", func(t *testing.T, pool poolUnderTest) {
			w, err := pool.submit(bg, "goexit", false)
			require.NoError(t, err)
			err = wait(t, w)
			assert.ErrorIs(t, err, workers.ErrGoexit)
			var pe *workers.PanicError
			assert.ErrorAs(t, err, &pe)
			w, err = pool.submit(bg, "ok", false)
			require.NoError(t, err)
			require.NoError(t, wait(t, w), "the pool goes on")
			require.NoError(t, pool.close(bg))
		}},
		{"full queue: ErrQueueFull from the try form", func(t *testing.T, pool poolUnderTest) {
			ctx, cancel := context.WithCancel(bg)
			running, err := pool.submit(ctx, "cooperative", false)
			require.NoError(t, err)
			started(t, pool, 1)
			queued, err := pool.submit(ctx, "cooperative", false)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return pool.stats().Queued == 1 }, 10*time.Second, time.Millisecond)
			_, err = pool.submit(ctx, "ok", true)
			assert.ErrorIs(t, err, workers.ErrQueueFull)
			assert.ErrorIs(t, err, ErrQueueFull)
			cancel()
			assert.ErrorIs(t, wait(t, running), context.Canceled)
			err = wait(t, queued)
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, workers.ErrNotRun, "dropped before it ran")
			st := pool.stats()
			assert.EqualValues(t, 2, st.Submitted, "a refused try is not submitted")
			assert.EqualValues(t, st.Submitted, st.Completed+st.Failed+st.Cancelled)
		}},
		{"after Close: ErrClosed", func(t *testing.T, pool poolUnderTest) {
			require.NoError(t, pool.close(bg))
			_, err := pool.submit(bg, "ok", false)
			assert.ErrorIs(t, err, workers.ErrClosed)
			assert.ErrorIs(t, err, ErrClosed)
			assert.True(t, pool.stats().Closed)
		}},
		{"CloseNow: running cancelled, queued dropped", func(t *testing.T, pool poolUnderTest) {
			running, err := pool.submit(bg, "cooperative", false)
			require.NoError(t, err)
			started(t, pool, 1)
			queued, err := pool.submit(bg, "ok", false)
			require.NoError(t, err)
			pool.closeNow()
			assert.ErrorIs(t, wait(t, running), context.Canceled)
			err = wait(t, queued)
			assert.ErrorIs(t, err, context.Canceled)
			assert.ErrorIs(t, err, workers.ErrClosed)
			assert.ErrorIs(t, err, workers.ErrNotRun)
		}},
		{"Close at expiry stops the pool and returns ctx.Err()", func(t *testing.T, pool poolUnderTest) {
			running, err := pool.submit(bg, "cooperative", false)
			require.NoError(t, err)
			started(t, pool, 1)
			ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			assert.ErrorIs(t, pool.close(ctx), context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.ErrorIs(t, wait(t, running), context.Canceled, "the running task was cancelled")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for name, pool := range pools(t, 1) {
				t.Run(name, func(t *testing.T) { c.run(t, pool) })
			}
		})
	}
}
