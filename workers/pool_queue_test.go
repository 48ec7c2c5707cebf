package workers

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueueFull(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: 3})
	defer p.CloseNow()
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	for range 2 {
		_, err := TrySubmit(bg, p, blocker(started, release))
		require.NoError(t, err)
	}
	<-started
	<-started
	for range 3 {
		_, err := TrySubmit(bg, p, blocker(nil, release))
		require.NoError(t, err)
	}
	assert.True(t, p.NeedsDrain())
	_, err := TrySubmit(bg, p, blocker(nil, release))
	require.ErrorIs(t, err, ErrQueueFull)

	// A blocking Submit waits, and honours its context.
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err = Submit(ctx, p, blocker(nil, release))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// ... and gets in once space frees.
	got := make(chan error, 1)
	go func() {
		tk, err := Submit(bg, p, func(context.Context) (int, error) { return 7, nil })
		if err == nil {
			_, err = tk.Wait(bg)
		}
		got <- err
	}()
	drained := make(chan error, 1)
	go func() { drained <- p.Drain(bg, 1) }()
	time.Sleep(10 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("Submit returned while the queue was full")
	default:
	}
	close(release)
	require.NoError(t, <-got)
	require.NoError(t, <-drained)
	assert.False(t, p.NeedsDrain())
	require.NoError(t, p.Close(bg))
	_, err = Submit(bg, p, blocker(nil, release))
	require.ErrorIs(t, err, ErrClosed)
	_, err = TrySubmit(bg, p, blocker(nil, release))
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, p.Go(bg, func(context.Context) error { return nil }, nil), ErrClosed)
}

func TestManySubmitters(t *testing.T) {
	const goroutines, per = 50, 2000 // 1e5 tasks
	for _, mq := range []int{0, 7, Unbounded} {
		t.Run(fmt.Sprint("maxQueue=", mq), func(t *testing.T) {
			p := NewPool(Options{MaxWorkers: 4, MaxQueue: mq})
			hits := make([]atomic.Int32, goroutines*per)
			var wg sync.WaitGroup
			var handles atomic.Int64
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						id := g*per + i
						if i%3 == 0 {
							assert.NoError(t, p.Go(bg, func(context.Context) error { hits[id].Add(1); return nil }, nil))
							continue
						}
						tk, err := Submit(bg, p, func(context.Context) (int, error) { hits[id].Add(1); return id, nil })
						if !assert.NoError(t, err) {
							return
						}
						if i%7 == 0 {
							v, err := tk.Wait(bg)
							assert.NoError(t, err)
							assert.Equal(t, id, v)
						}
						handles.Add(1)
					}
				}()
			}
			wg.Wait()
			require.NoError(t, p.Close(bg))
			for id := range hits {
				require.EqualValues(t, 1, hits[id].Load(), "task %d", id)
			}
			st := p.Stats()
			require.EqualValues(t, goroutines*per, st.Submitted)
			require.EqualValues(t, goroutines*per, st.Completed)
			assert.Zero(t, st.Running)
			// The first alwaysTimed tasks and then one in sampleEvery are timed.
			assert.Equal(t, st.Wait.Count, st.Run.Count)
			assert.GreaterOrEqual(t, st.Run.Count, uint64(alwaysTimed))
			assert.InDelta(t, alwaysTimed+(goroutines*per-alwaysTimed)/sampleEvery, st.Run.Count, goroutines*per/sampleEvery/5)
		})
	}
}

// TestBlockedSubmitters parks many submitters on a full queue at once:
// freed slots must reach all of them (a token passed on while room is
// left), a resize must let them in at once, and close must release the rest.
func TestBlockedSubmitters(t *testing.T) {
	for _, mode := range []string{"release", "resize", "close"} {
		t.Run(mode, func(t *testing.T) {
			p := NewPool(Options{MaxWorkers: 1, MaxQueue: 2})
			started := make(chan struct{}, 1)
			release := make(chan struct{})
			_, err := Submit(bg, p, blocker(started, release))
			require.NoError(t, err)
			<-started
			for range 2 {
				_, err := Submit(bg, p, blocker(nil, release))
				require.NoError(t, err)
			}
			const waiters = 13
			errs := make(chan error, waiters)
			for range waiters {
				go func() {
					tk, err := Submit(bg, p, func(context.Context) (int, error) { return 1, nil })
					if err == nil {
						_, err = tk.Wait(bg)
					}
					errs <- err
				}()
			}
			waitFor(t, "submitters parked", func() bool {
				p.mu.Lock()
				defer p.mu.Unlock()
				return p.spaceWait == waiters
			})
			switch mode {
			case "release":
				close(release)
			case "resize":
				p.Resize(1 + waiters) // room for every waiter on a worker
			case "close":
				// Close stops accepting at once; it cannot finish while
				// the queued tasks block, so give it a short deadline.
				ctx, cancel := context.WithTimeout(bg, 10*time.Millisecond)
				require.ErrorIs(t, p.Close(ctx), context.DeadlineExceeded)
				cancel()
			}
			for range waiters {
				err := <-errs
				if mode == "close" {
					require.ErrorIs(t, err, ErrClosed)
				} else {
					require.NoError(t, err)
				}
			}
			if mode != "release" {
				close(release)
			}
			require.NoError(t, p.Close(bg))
			st := p.Stats()
			if mode == "close" {
				assert.EqualValues(t, 3, st.Submitted)
			} else {
				assert.EqualValues(t, 3+waiters, st.Completed)
			}
		})
	}
}

// TestAutoQueue checks that an auto queue follows the measured run time:
// deep for tiny tasks, 4 per worker for long ones, and that long tasks are
// never held back in one worker's batch (Running never exceeds the workers).
func TestAutoQueue(t *testing.T) {
	const workers = 2
	p := NewPool(Options{MaxWorkers: workers})
	defer p.CloseNow()
	require.Equal(t, autoQueueMin*workers, p.Stats().MaxQueue, "before any task is measured")

	var wg sync.WaitGroup
	const tiny = 20_000
	// Pops timed across preemptions can hold the estimate up for a while
	// on a loaded machine (-race, packages in parallel): deep, if not the
	// deepest, within a few rounds.
	for round := 0; ; round++ {
		wg.Add(tiny)
		for range tiny {
			require.NoError(t, p.Go(bg, func(context.Context) error { wg.Done(); return nil }, nil))
		}
		wg.Wait()
		if q := p.Stats().MaxQueue; q >= autoQueueMax*workers/4 || round == 4 {
			require.GreaterOrEqual(t, q, autoQueueMax*workers/4, "tiny tasks, %d rounds", round+1)
			break
		}
	}

	const long, d = 80, 2 * time.Millisecond
	// watch samples Stats().Running until the returned func is called,
	// which returns the largest value seen.
	watch := func() func() int64 {
		stop, seen := make(chan struct{}), make(chan int64)
		go func() {
			var m int64
			for {
				select {
				case <-stop:
					seen <- m
					return
				case <-time.After(100 * time.Microsecond):
					m = max(m, p.Stats().Running)
				}
			}
		}()
		return func() int64 { close(stop); return <-seen }
	}
	sleepers := func() {
		wg.Add(long)
		for range long {
			require.NoError(t, p.Go(bg, func(context.Context) error { time.Sleep(d); wg.Done(); return nil }, nil))
		}
		wg.Wait()
	}
	// While the estimate still says "tiny", the first pops of long tasks
	// may take a batch; once it has caught up, never.
	sleepers()
	require.Equal(t, autoQueueMin*workers, p.Stats().MaxQueue, "tasks of %v", d)
	done := watch()
	sleepers()
	assert.LessOrEqual(t, done(), int64(workers), "long tasks held in a batch")
}

// TestRingReuse runs pools one after another, each with a queue deep
// enough to take a ring from the one closed before it, with tasks cancelled
// while queued and pools closed with Close and CloseNow: the tasks of each
// still run once, in order, and every ring left for reuse is empty.
func TestRingReuse(t *testing.T) {
	for round := range 6 {
		p := NewPool(Options{Workers: 1, MaxQueue: 100})
		started, release := make(chan struct{}, 1), make(chan struct{})
		_, err := Submit(bg, p, blocker(started, release))
		require.NoError(t, err)
		<-started
		ctx, cancel := context.WithCancel(bg)
		var mu sync.Mutex
		var order []int
		for i := range 90 {
			c := bg
			if i%3 == 0 {
				c = ctx // cancelled below, while queued: a tombstone
			}
			require.NoError(t, p.Go(c, func(context.Context) error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return nil
			}, nil))
		}
		cancel()
		close(release)
		if round%2 == 0 {
			require.NoError(t, p.Close(bg))
			var want []int
			for i := range 90 {
				if i%3 != 0 {
					want = append(want, i)
				}
			}
			mu.Lock()
			require.Equal(t, want, order, "round %d", round)
			mu.Unlock()
		} else {
			p.CloseNow()
		}
	}
	for range 4 {
		r, ok := ringCache.Get().(*[]entry)
		if !ok {
			break
		}
		for i := range *r {
			require.Zero(t, (*r)[i], "slot %d of a cached ring", i)
		}
	}
}
