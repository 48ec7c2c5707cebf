package workers

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pools runs a test on a pool and on goroutines of their own (nil pool).
func pools(t *testing.T, opts Options, f func(t *testing.T, p *Pool)) {
	t.Run("pool", func(t *testing.T) {
		p := NewPool(opts)
		defer p.CloseNow()
		f(t, p)
	})
	t.Run("goroutines", func(t *testing.T) { f(t, nil) })
}

func TestGroupFirstErrorCancels(t *testing.T) {
	pools(t, Options{MaxWorkers: 2, MaxQueue: Unbounded}, func(t *testing.T, p *Pool) {
		boom := errors.New("boom")
		g := NewGroup(bg, p, GroupOptions{Limit: 2})
		started, fire := make(chan struct{}), make(chan struct{})
		var sawCancel atomic.Bool
		g.Go(func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			sawCancel.Store(true)
			return ctx.Err()
		})
		<-started
		g.Go(func(ctx context.Context) error { <-fire; return boom })
		// Members waiting for a slot (and, on a pool, in its queue) when the
		// failure comes never run.
		var ran atomic.Int32
		queued := make(chan struct{})
		go func() {
			defer close(queued)
			for range 10 {
				g.Go(func(ctx context.Context) error { ran.Add(1); return nil })
			}
		}()
		time.Sleep(5 * time.Millisecond)
		close(fire)
		<-queued
		assert.ErrorIs(t, g.Wait(), boom)
		assert.True(t, sawCancel.Load(), "the running member saw ctx.Done()")
		assert.Zero(t, ran.Load(), "queued members ran")
		assert.ErrorIs(t, context.Cause(g.Context()), boom)
	})
}

func TestGroupQueuedInPoolDropped(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: Unbounded})
	defer p.CloseNow()
	boom := errors.New("boom")
	g := NewGroup(bg, p, GroupOptions{})
	fire := make(chan struct{})
	g.Go(func(ctx context.Context) error { <-fire; return boom })
	var ran atomic.Int32
	for range 100 {
		g.Go(func(ctx context.Context) error { ran.Add(1); return nil })
	}
	require.Equal(t, 100, p.Stats().Queued)
	close(fire)
	assert.Equal(t, boom, g.Wait())
	assert.Zero(t, ran.Load())
	s := p.Stats()
	assert.EqualValues(t, 100, s.Cancelled)
	assert.EqualValues(t, 1, s.Failed)
}

func TestGroupLimit(t *testing.T) {
	pools(t, Options{MaxWorkers: 8, MaxQueue: Unbounded}, func(t *testing.T, p *Pool) {
		for _, limit := range []int{1, 3} {
			g := NewGroup(bg, p, GroupOptions{Limit: limit})
			var in, peak atomic.Int32
			for range 60 {
				g.Go(func(ctx context.Context) error {
					n := in.Add(1)
					for {
						m := peak.Load()
						if n <= m || peak.CompareAndSwap(m, n) {
							break
						}
					}
					time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
					in.Add(-1)
					return nil
				})
			}
			require.NoError(t, g.Wait())
			assert.LessOrEqual(t, peak.Load(), int32(limit))
			assert.Positive(t, peak.Load())
		}
	})
}

func TestGroupSetLimit(t *testing.T) {
	g := NewGroup(bg, nil, GroupOptions{})
	g.SetLimit(1)
	release := make(chan struct{})
	g.Go(func(ctx context.Context) error { <-release; return nil })
	assert.False(t, g.TryGo(func(ctx context.Context) error { return nil }))
	assert.PanicsWithValue(t, "workers: SetLimit called after the group's first Go", func() { g.SetLimit(2) })
	close(release)
	require.NoError(t, g.Wait())
}

func TestGroupTryGo(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 1, MaxQueue: 1})
	defer p.CloseNow()
	g := NewGroup(bg, p, GroupOptions{})
	started, release := make(chan struct{}), make(chan struct{})
	require.True(t, g.TryGo(func(ctx context.Context) error { close(started); <-release; return nil }))
	<-started
	var ran atomic.Int32
	count := func(ctx context.Context) error { ran.Add(1); return nil }
	assert.True(t, g.TryGo(count), "queued")
	assert.False(t, g.TryGo(count), "the pool's queue is full")
	close(release)
	require.NoError(t, g.Wait())
	assert.EqualValues(t, 1, ran.Load())

	rg := NewResultGroup[int](bg, p, GroupOptions{Limit: 1})
	release = make(chan struct{})
	require.True(t, rg.TryGo(func(ctx context.Context) (int, error) { <-release; return 1, nil }))
	assert.False(t, rg.TryGo(func(ctx context.Context) (int, error) { return 2, nil }))
	close(release)
	require.True(t, tryUntil(rg, func(ctx context.Context) (int, error) { return 3, nil }))
	got, err := rg.Wait()
	require.NoError(t, err)
	assert.Equal(t, []int{1, 3}, got)
}

func TestGroupPanic(t *testing.T) {
	pools(t, Options{MaxWorkers: 2}, func(t *testing.T, p *Pool) {
		g := NewGroup(bg, p, GroupOptions{})
		g.Go(func(ctx context.Context) error { panic("member") })
		err := g.Wait()
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "member", pe.Value)
		assert.Contains(t, string(pe.Stack), "group_test.go")
		if p != nil {
			// The pool counts it as failed and lives on.
			require.Eventually(t, func() bool { return p.Stats().Failed == 1 }, time.Second, time.Millisecond)
			v, err := mustSubmit(t, p, func(context.Context) (int, error) { return 7, nil }).Wait(bg)
			assert.Equal(t, 7, v)
			assert.NoError(t, err)
		}
	})
}

func mustSubmit[T any](t *testing.T, p *Pool, fn func(context.Context) (T, error)) *Task[T] {
	t.Helper()
	task, err := Submit(bg, p, fn)
	require.NoError(t, err)
	return task
}

func TestGroupParentCancelled(t *testing.T) {
	pools(t, Options{MaxWorkers: 1, MaxQueue: Unbounded}, func(t *testing.T, p *Pool) {
		ctx, cancel := context.WithCancel(bg)
		g := NewGroup(ctx, p, GroupOptions{Limit: 1})
		started := make(chan struct{})
		g.Go(func(ctx context.Context) error { close(started); <-ctx.Done(); return ctx.Err() })
		<-started
		var ran atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range 5 {
				g.Go(func(ctx context.Context) error { ran.Add(1); return nil })
			}
		}()
		time.Sleep(2 * time.Millisecond)
		cancel()
		<-done
		assert.ErrorIs(t, g.Wait(), context.Canceled)
		assert.Zero(t, ran.Load())
	})
}

func TestGroupWaitTwiceEmptyClosed(t *testing.T) {
	g := NewGroup(bg, nil, GroupOptions{})
	assert.NoError(t, g.Wait(), "empty group")
	assert.NoError(t, g.Wait(), "twice")
	assert.Error(t, g.Context().Err(), "Wait cancels the group's context")

	boom := errors.New("boom")
	g = NewGroup(bg, nil, GroupOptions{})
	g.Go(func(ctx context.Context) error { return boom })
	assert.Equal(t, boom, g.Wait())
	assert.Equal(t, boom, g.Wait())

	rg := NewResultGroup[int](bg, nil, GroupOptions{})
	got, err := rg.Wait()
	assert.NoError(t, err)
	assert.Empty(t, got)

	p := NewPool(Options{})
	p.CloseNow()
	g = NewGroup(bg, p, GroupOptions{})
	var ran atomic.Int32
	g.Go(func(ctx context.Context) error { ran.Add(1); return nil })
	g.TryGo(func(ctx context.Context) error { ran.Add(1); return nil })
	assert.ErrorIs(t, g.Wait(), ErrClosed)
	assert.Zero(t, ran.Load())
	_, err = Map(bg, p, []int{1, 2}, func(ctx context.Context, x int) (int, error) { return x, nil })
	assert.ErrorIs(t, err, ErrClosed)
}

func TestGroupKeepGoingJoinErrors(t *testing.T) {
	pools(t, Options{MaxWorkers: 2}, func(t *testing.T, p *Pool) {
		g := NewGroup(bg, p, GroupOptions{KeepGoing: true, JoinErrors: true})
		var ran atomic.Int32
		for i := range 20 {
			g.Go(func(ctx context.Context) error {
				ran.Add(1)
				if i%5 == 0 {
					return errors.New("failed")
				}
				return ctx.Err()
			})
		}
		err := g.Wait()
		assert.EqualValues(t, 20, ran.Load())
		require.Error(t, err)
		assert.Len(t, err.(interface{ Unwrap() []error }).Unwrap(), 4)
	})
}

func TestGroupJoinErrorsCancelled(t *testing.T) {
	// The members that fail only because the first failure cancelled the
	// group are not listed.
	g := NewGroup(bg, nil, GroupOptions{JoinErrors: true})
	started := make(chan struct{}, 3)
	for range 3 {
		g.Go(func(ctx context.Context) error { started <- struct{}{}; <-ctx.Done(); return ctx.Err() })
	}
	for range 3 {
		<-started
	}
	boom := errors.New("boom")
	g.Go(func(ctx context.Context) error { return boom })
	assert.Equal(t, boom, g.Wait())
}

func TestResultGroupOrder(t *testing.T) {
	pools(t, Options{MaxWorkers: 4, MaxQueue: Unbounded}, func(t *testing.T, p *Pool) {
		for _, n := range []int{1, 255, 256, 257, 1000} {
			g := NewResultGroup[int](bg, p, GroupOptions{Limit: 7})
			for i := range n {
				g.Go(func(ctx context.Context) (int, error) {
					if rand.IntN(8) == 0 {
						time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
					}
					return i * 3, nil
				})
			}
			got, err := g.Wait()
			require.NoError(t, err)
			require.Len(t, got, n)
			for i, v := range got {
				require.Equal(t, i*3, v)
			}
		}
	})
}

func TestResultGroupFailure(t *testing.T) {
	g := NewResultGroup[string](bg, nil, GroupOptions{Limit: 1})
	boom := errors.New("boom")
	g.Go(func(ctx context.Context) (string, error) { return "a", nil })
	g.Go(func(ctx context.Context) (string, error) { return "", boom })
	g.Go(func(ctx context.Context) (string, error) { return "c", nil }) // dropped
	got, err := g.Wait()
	assert.Equal(t, boom, err)
	assert.Equal(t, []string{"a", "", ""}, got)
}

// tryUntil retries TryGo until the member that holds the only slot is gone.
func tryUntil[T any](g *ResultGroup[T], fn func(ctx context.Context) (T, error)) bool {
	for range 1000 {
		if g.TryGo(fn) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

func TestGroupGoexit(t *testing.T) {
	pools(t, Options{MaxWorkers: 1}, func(t *testing.T, p *Pool) {
		g := NewGroup(bg, p, GroupOptions{})
		g.Go(func(ctx context.Context) error { runtime.Goexit(); return nil })
		g.Go(func(ctx context.Context) error { return nil })
		err := g.Wait()
		assert.ErrorIs(t, err, ErrGoexit)
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
	})
}

// TestGroupsShareAPool runs many groups at once on one small pool, with
// random limits, failures and cancellations: every Wait returns, a group
// fails exactly when one of its members did (or its parent was cancelled),
// and a member that ran after its group failed had been started before.
func TestGroupsShareAPool(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: 8})
	defer p.CloseNow()
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for round := range 30 {
				ctx, cancel := context.WithCancel(bg)
				opts := GroupOptions{Limit: rand.IntN(4), KeepGoing: rand.IntN(3) == 0, JoinErrors: rand.IntN(2) == 0}
				g := NewResultGroup[int](ctx, p, opts)
				var failed atomic.Bool
				n := rand.IntN(40)
				for i := range n {
					if i == n/2 && round%5 == w%5 {
						cancel()
					}
					g.Go(func(ctx context.Context) (int, error) {
						if rand.IntN(20) == 0 {
							failed.Store(true)
							return 0, errors.New("member failed")
						}
						if rand.IntN(4) == 0 {
							time.Sleep(time.Duration(rand.IntN(50)) * time.Microsecond)
						}
						return i + 1, nil
					})
				}
				got, err := g.Wait()
				cancelled := ctx.Err() != nil
				cancel()
				if len(got) != n {
					t.Errorf("%d results for %d members", len(got), n)
				}
				for i, v := range got {
					if v != 0 && v != i+1 {
						t.Errorf("result %d is %d", i, v)
					}
				}
				if failed.Load() && err == nil {
					t.Errorf("a member failed and Wait returned nil")
				}
				if err != nil && !failed.Load() && !cancelled {
					t.Errorf("Wait returned %v with no failure", err)
				}
			}
		})
	}
	wg.Wait()
}

// TestGroupAllocations: a member costs one allocation (its runner); a
// result group's values share chunks of slots.
func TestGroupAllocations(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: Unbounded})
	defer p.CloseNow()
	const n = 1000
	fn := func(context.Context) error { return nil }
	perMember := testing.AllocsPerRun(20, func() {
		g := NewGroup(bg, p, GroupOptions{})
		for range n {
			g.Go(fn)
		}
		g.Wait()
	}) / n
	assert.LessOrEqual(t, perMember, 1.1, "allocations per Group member")

	rfn := func(context.Context) (int, error) { return 1, nil }
	perMember = testing.AllocsPerRun(20, func() {
		g := NewResultGroup[int](bg, p, GroupOptions{})
		for range n {
			g.Go(rfn)
		}
		g.Wait()
	}) / n
	assert.LessOrEqual(t, perMember, 1.1, "allocations per ResultGroup member")
}
