package workers

import (
	"bytes"
	"context"
	"errors"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goid returns the calling goroutine's id, to tell the caller of For from
// the team's workers in a body.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// runFor runs team.For on a goroutine of its own and reports how it ended:
// returned, panicked (with the value), or ended by runtime.Goexit.
func runFor(t *testing.T, team *Team, n, grain int, body func(caller bool, lo, hi int)) (returned bool, panicked any) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() { panicked = recover() }()
		me := goid()
		team.For(n, grain, func(lo, hi int) { body(goid() == me, lo, hi) })
		returned = true
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("For did not end")
	}
	return returned, panicked
}

func TestForGoexitOnWorker(t *testing.T) {
	team := NewTeam(3)
	defer team.Close()
	for round := range 20 {
		var once atomic.Bool
		var ran atomic.Int64
		returned, v := runFor(t, team, 1000, 10, func(caller bool, lo, hi int) {
			if !caller && once.CompareAndSwap(false, true) {
				runtime.Goexit()
			}
			ran.Add(int64(hi - lo))
		})
		if !once.Load() {
			continue // the caller ran every chunk this time
		}
		require.False(t, returned, "round %d", round)
		pe, ok := v.(*PanicError)
		require.True(t, ok, "For panics with a *PanicError, got %T %v", v, v)
		assert.ErrorIs(t, pe, ErrGoexit)
		assert.Contains(t, pe.Error(), "runtime.Goexit")
		assert.EqualValues(t, 990, ran.Load(), "every other chunk ran")
	}
	// The team is whole again: every index once.
	hits := make([]int32, 10000)
	team.For(len(hits), 7, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			atomic.AddInt32(&hits[i], 1)
		}
	})
	for i, h := range hits {
		require.EqualValues(t, 1, h, "index %d", i)
	}
}

func TestForGoexitOnCaller(t *testing.T) {
	team := NewTeam(3)
	defer team.Close()
	for range 20 {
		var once atomic.Bool
		returned, v := runFor(t, team, 1000, 10, func(caller bool, lo, hi int) {
			if caller && once.CompareAndSwap(false, true) {
				runtime.Goexit()
			}
		})
		if once.Load() {
			assert.False(t, returned, "the caller's Goexit goes on")
			assert.Nil(t, v)
		}
		// Not left locked: the next loop runs on the team (a locked team
		// would run it on the caller alone).
		var others atomic.Int64
		for range 100 {
			_, _ = runFor(t, team, 64, 1, func(caller bool, lo, hi int) {
				if !caller {
					others.Add(1)
				}
				time.Sleep(10 * time.Microsecond)
			})
			if others.Load() > 0 {
				break
			}
		}
		require.Positive(t, others.Load(), "the team's workers take chunks again")
	}
}

func TestForIndexArithmeticNearMaxInt(t *testing.T) {
	type rng struct{ lo, hi int }
	const q = math.MaxInt/4 + 1
	for _, workers := range []int{1, 2, 3} {
		team := NewTeam(workers)
		for _, c := range []struct {
			n, grain int
			want     []rng
		}{
			{math.MaxInt, math.MaxInt - 1, []rng{{0, math.MaxInt - 1}, {math.MaxInt - 1, math.MaxInt}}},
			{math.MaxInt, math.MaxInt, []rng{{0, math.MaxInt}}},
			{math.MaxInt - 1, math.MaxInt / 2, []rng{{0, math.MaxInt / 2}, {math.MaxInt / 2, math.MaxInt - 1}}},
			{math.MaxInt, q, []rng{{0, q}, {q, 2 * q}, {2 * q, 3 * q}, {3 * q, math.MaxInt}}},
		} {
			var mu sync.Mutex
			var got []rng
			returned, v := runFor(t, team, c.n, c.grain, func(_ bool, lo, hi int) {
				mu.Lock()
				got = append(got, rng{lo, hi})
				mu.Unlock()
			})
			require.True(t, returned, "%v", v)
			assert.ElementsMatch(t, c.want, got, "workers %d, n %d, grain %d", workers, c.n, c.grain)
		}
		// grain 0 splits MaxInt evenly without overflowing.
		var total atomic.Uint64
		team.For(math.MaxInt, 0, func(lo, hi int) {
			require.Less(t, lo, hi)
			total.Add(uint64(hi - lo))
		})
		assert.EqualValues(t, uint64(math.MaxInt), total.Load())
		team.Close()
	}
}

// Chunks start at multiples of grain and all but the last are grain long,
// as For promises: lo/grain numbers them.
func TestForChunksAtMultiplesOfGrain(t *testing.T) {
	team := NewTeam(3)
	defer team.Close()
	for _, c := range []struct{ n, grain int }{{1, 1}, {10, 3}, {1000, 7}, {4096, 64}, {100003, 977}} {
		slots := make([]int64, (c.n+c.grain-1)/c.grain)
		team.For(c.n, c.grain, func(lo, hi int) {
			require.Zero(t, lo%c.grain, "chunk start %d", lo)
			if hi != c.n {
				require.Equal(t, c.grain, hi-lo)
			}
			atomic.AddInt64(&slots[lo/c.grain], int64(hi-lo))
		})
		var sum int64
		for _, s := range slots {
			require.Positive(t, s)
			sum += s
		}
		assert.EqualValues(t, c.n, sum)
	}
}

func TestPoolTaskGoexit(t *testing.T) {
	for _, opts := range []Options{{MaxWorkers: 2}, {MaxWorkers: 1, LockOSThread: true}, {MaxWorkers: 2, MaxQueue: Unbounded}} {
		p := NewPool(opts)
		var wg sync.WaitGroup
		var goErrs, ok atomic.Int64
		var tasks []*Task[int]
		for i := range 200 {
			if i%3 == 0 {
				wg.Add(1)
				require.NoError(t, p.Go(bg, func(ctx context.Context) error {
					runtime.Goexit()
					return nil
				}, func(err error) {
					if errors.Is(err, ErrGoexit) {
						goErrs.Add(1)
					}
					wg.Done()
				}))
				continue
			}
			var opt []TaskOption
			if i%5 == 0 {
				opt = append(opt, WithTimeout(time.Minute))
			}
			task, err := Submit(bg, p, func(ctx context.Context) (int, error) {
				if i%2 == 0 {
					runtime.Goexit()
				}
				ok.Add(1)
				return i, nil
			}, opt...)
			require.NoError(t, err)
			tasks = append(tasks, task)
		}
		for _, task := range tasks {
			ctx, cancel := context.WithTimeout(bg, 10*time.Second)
			v, err := task.Wait(ctx)
			cancel()
			require.NotErrorIs(t, err, context.DeadlineExceeded, "a task after a Goexit still runs")
			if v%2 == 0 && err != nil {
				var pe *PanicError
				require.ErrorAs(t, err, &pe)
				assert.ErrorIs(t, err, ErrGoexit)
				assert.NotEmpty(t, pe.Stack)
			}
		}
		wg.Wait()
		assert.EqualValues(t, 67, goErrs.Load())
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		require.NoError(t, p.Close(ctx), "Close finishes")
		cancel()
		st := p.Stats()
		assert.EqualValues(t, 200, st.Completed+st.Failed)
		assert.EqualValues(t, ok.Load(), st.Completed)
	}
}

// Pool.Go's onError tells a task dropped before it ran (ErrNotRun, and the
// context's error) from one that ran and failed with the same error.
func TestGoOnErrorTellsDroppedFromFailed(t *testing.T) {
	p := NewPool(Options{Workers: 1, MaxQueue: 4})
	defer p.CloseNow()
	release := occupy(t, p)
	ctx, cancel := context.WithCancel(bg)
	errs := make(chan error, 2)
	onError := func(err error) { errs <- err }
	require.NoError(t, p.Go(ctx, func(ctx context.Context) error { return nil }, onError))
	cancel()
	dropped := <-errs
	assert.ErrorIs(t, dropped, ErrNotRun)
	assert.ErrorIs(t, dropped, context.Canceled)
	release()
	require.NoError(t, p.Go(bg, func(ctx context.Context) error { return context.Canceled }, onError))
	failed := <-errs
	assert.ErrorIs(t, failed, context.Canceled)
	assert.NotErrorIs(t, failed, ErrNotRun)
}
