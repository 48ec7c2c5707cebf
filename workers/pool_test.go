package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
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

func TestIdleShrinkAndRegrowth(t *testing.T) {
	p := NewPool(Options{MinWorkers: 1, MaxWorkers: 4, IdleTimeout: 20 * time.Millisecond})
	defer p.CloseNow()
	assert.Equal(t, 1, p.Stats().Workers, "MinWorkers started eagerly")
	for round := range 2 {
		started := make(chan struct{}, 4)
		release := make(chan struct{})
		var tasks []*Task[int]
		for range 4 {
			tk, err := Submit(bg, p, blocker(started, release))
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
		for range 4 {
			<-started
		}
		assert.Equal(t, 4, p.Stats().Workers, "round %d: grown to max", round)
		close(release)
		for _, tk := range tasks {
			_, err := tk.Wait(bg)
			require.NoError(t, err)
		}
		waitFor(t, "idle shrink", func() bool { return p.Stats().Workers == 1 })
		time.Sleep(60 * time.Millisecond)
		assert.Equal(t, 1, p.Stats().Workers, "round %d: MinWorkers kept", round)
	}
}

func TestResizeUnderLoad(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: Unbounded})
	defer p.CloseNow()
	var cur, peak atomic.Int64
	var done atomic.Int64
	task := func(context.Context) (int, error) {
		n := cur.Add(1)
		for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
		time.Sleep(300 * time.Microsecond)
		cur.Add(-1)
		done.Add(1)
		return 0, nil
	}
	const n = 600
	var tasks []*Task[int]
	submit := func(k int) {
		for range k {
			tk, err := Submit(bg, p, task)
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
	}
	submit(n / 3)
	p.Resize(6)
	waitFor(t, "growth", func() bool { return p.Stats().Workers == 6 || p.Stats().Queued == 0 })
	assert.Equal(t, 6, p.Stats().MaxWorkers)
	submit(n / 3)
	time.Sleep(5 * time.Millisecond)
	assert.GreaterOrEqual(t, peak.Load(), int64(3), "grew beyond the old size")
	p.Resize(1)
	waitFor(t, "shrink", func() bool { return p.Stats().Workers <= 1 })
	peak.Store(0)
	submit(n / 3)
	for _, tk := range tasks {
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
	assert.EqualValues(t, n, done.Load(), "no task lost")
	assert.EqualValues(t, 1, peak.Load(), "at most one running after shrinking")
	assert.Panics(t, func() { p.Resize(0) })
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

func TestLockOSThread(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, LockOSThread: true})
	tk, err := Submit(bg, p, func(context.Context) (int, error) { return runtime.NumGoroutine(), nil })
	require.NoError(t, err)
	_, err = tk.Wait(bg)
	require.NoError(t, err)
	require.NoError(t, p.Close(bg))
}

func TestStatsRendering(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	for range 20 {
		tk, err := Submit(bg, p, func(context.Context) (int, error) {
			deadline := time.Now().Add(200 * time.Microsecond)
			for time.Now().Before(deadline) {
			}
			return 0, nil
		})
		require.NoError(t, err)
		_, err = tk.Wait(bg)
		require.NoError(t, err)
	}
	require.NoError(t, p.Close(bg))
	st := p.Stats()
	assert.Greater(t, st.Utilization, 0.0)
	assert.LessOrEqual(t, st.Utilization, 1.0)
	assert.Greater(t, st.UtilizationRecent, 0.0)
	assert.GreaterOrEqual(t, st.Run.P50, 150.0)
	assert.GreaterOrEqual(t, st.Run.Max, st.Run.P99)
	assert.GreaterOrEqual(t, st.Run.P99, st.Run.P50)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"queued", "running", "completed", "failed", "cancelled", "workers", "utilization", "utilization_recent", "wait", "run"} {
		assert.Contains(t, m, k)
	}
	assert.Contains(t, m["run"], "p99_us")
	s := st.String()
	assert.NotContains(t, s, "\n")
	assert.True(t, strings.HasPrefix(s, "queued=0 "), s)
	assert.Contains(t, s, "completed=20")
}

func TestSoak(t *testing.T) {
	d := 2 * time.Second
	if testing.Short() {
		d = 200 * time.Millisecond
	}
	soak(t, d)
}

// soak runs soakPool on a pool with a fixed queue and then on one with an
// auto queue (deep for the tiny tasks, so workers take batches).
func soak(t *testing.T, d time.Duration) {
	t.Run("MaxQueue=16", func(t *testing.T) {
		soakPool(t, d/2, NewPool(Options{MinWorkers: 1, MaxWorkers: 3, IdleTimeout: 5 * time.Millisecond, MaxQueue: 16}))
	})
	t.Run("auto", func(t *testing.T) {
		soakPool(t, d/2, NewPool(Options{MinWorkers: 1, MaxWorkers: 3, IdleTimeout: 5 * time.Millisecond}))
	})
}

// soakPool mixes every kind of task, cancellation and resizes for d, then
// checks that every submission is accounted for exactly once. A longer run:
// SHARC_SOAK=60s go test -race -run TestSoakLong ./workers/
func soakPool(t *testing.T, d time.Duration, p *Pool) {
	stop := time.Now().Add(d)
	var wg sync.WaitGroup
	var submitted, rejected, okN, failN, cancelN atomic.Int64
	// Fire-and-forget bursts under one context each, half of them
	// cancelled midway: each task either runs and succeeds, or its onError
	// is called (it failed, or was cancelled before it ran), exactly once.
	var goSubmitted, goOK, goErr atomic.Int64
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				ctx, cancel := context.WithCancel(bg)
				var burst sync.WaitGroup
				for j := range 64 {
					burst.Add(1)
					err := p.Go(ctx, func(ctx context.Context) error {
						if j%7 == 0 {
							return errors.New("fail")
						}
						goOK.Add(1)
						burst.Done()
						return nil
					}, func(error) { goErr.Add(1); burst.Done() })
					if err != nil {
						require.ErrorIs(t, err, context.Canceled)
						burst.Done()
						continue
					}
					goSubmitted.Add(1)
					if i%2 == 1 && j == 32 {
						cancel()
					}
				}
				burst.Wait()
				cancel()
			}
		}()
	}
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				ctx, cancel := context.WithCancel(bg)
				var tk *Task[int]
				var err error
				fn := func(ctx context.Context) (int, error) {
					switch i % 5 {
					case 0:
						return 0, errors.New("fail")
					case 1:
						if i%10 == 1 {
							panic("soak")
						}
					case 2:
						select {
						case <-time.After(50 * time.Microsecond):
						case <-ctx.Done():
							return 0, ctx.Err()
						}
					}
					return i, nil
				}
				if g%2 == 0 {
					tk, err = TrySubmit(ctx, p, fn, WithTimeout(time.Millisecond))
				} else {
					tk, err = Submit(ctx, p, fn)
				}
				if err != nil {
					assert.ErrorIs(t, err, ErrQueueFull)
					rejected.Add(1)
					cancel()
					continue
				}
				submitted.Add(1)
				if i%4 == 3 {
					cancel()
				}
				v, err := tk.Wait(bg)
				switch {
				case err == nil:
					assert.Equal(t, i, v)
					okN.Add(1)
				case errors.Is(err, context.Canceled):
					cancelN.Add(1)
				default:
					failN.Add(1)
				}
				cancel()
				if i%97 == 0 {
					p.Resize(1 + i%4)
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, p.Close(bg))
	st := p.Stats()
	require.EqualValues(t, submitted.Load()+goSubmitted.Load(), st.Submitted)
	require.EqualValues(t, submitted.Load(), okN.Load()+failN.Load()+cancelN.Load())
	require.EqualValues(t, goSubmitted.Load(), goOK.Load()+goErr.Load())
	require.EqualValues(t, st.Submitted, st.Completed+st.Failed+st.Cancelled)
	require.EqualValues(t, okN.Load()+goOK.Load(), st.Completed)
	t.Logf("soak %v: submitted=%d+%d rejected=%d %s", d, submitted.Load(), goSubmitted.Load(), rejected.Load(), st)
}

func TestNoTiming(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 3, NoTiming: true})
	release := make(chan struct{})
	var blocked []*Task[int]
	for range 3 {
		tk, err := Submit(bg, p, func(context.Context) (int, error) { <-release; return 0, nil })
		require.NoError(t, err)
		blocked = append(blocked, tk)
	}
	ctx, cancel := context.WithCancel(bg)
	queued, err := Submit(ctx, p, func(context.Context) (int, error) { return 0, nil })
	require.NoError(t, err)
	waitFor(t, "three running", func() bool { return p.Stats().Running == 3 })
	st := p.Stats()
	assert.Equal(t, 1, st.Queued)
	cancel()
	_, err = queued.Wait(bg)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	for _, tk := range blocked {
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
	const n = 37 // every fifth fails, one panics
	var tasks []*Task[int]
	for i := range n {
		tk, err := Submit(bg, p, func(context.Context) (int, error) {
			switch {
			case i == 11:
				panic("boom")
			case i%5 == 0:
				return 0, errors.New("failed")
			}
			return i, nil
		})
		require.NoError(t, err)
		tasks = append(tasks, tk)
	}
	for _, tk := range tasks {
		<-tk.Done()
	}
	require.NoError(t, p.Close(bg))

	st = p.Stats()
	assert.False(t, st.Timing)
	assert.EqualValues(t, 3+1+n, st.Submitted)
	assert.EqualValues(t, 3+n-8-1, st.Completed)
	assert.EqualValues(t, 8+1, st.Failed)
	assert.EqualValues(t, 1, st.Cancelled)
	assert.Zero(t, st.Running)
	assert.Zero(t, st.Queued)
	assert.Equal(t, Latency{}, st.Wait)
	assert.Equal(t, Latency{}, st.Run)
	assert.Zero(t, st.Utilization)
	assert.Zero(t, st.UtilizationRecent)

	b, err := json.Marshal(st)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, false, m["timing"])
	assert.EqualValues(t, 3+n-8-1, m["completed"])
	assert.EqualValues(t, 1, m["cancelled"])
	s := st.String()
	assert.NotContains(t, s, "\n")
	assert.Contains(t, s, fmt.Sprintf("completed=%d failed=9 cancelled=1 timing=off", 3+n-8-1))
	assert.NotContains(t, s, "util=")
}

// TestUtilizationOfLongStretch checks that a worker busy for longer than a
// second, without parking, counts in both utilization figures while still
// busy.
func TestUtilizationOfLongStretch(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 1.2 s")
	}
	p := NewPool(Options{MaxWorkers: 1})
	release := make(chan struct{})
	tk, err := Submit(bg, p, func(context.Context) (int, error) { <-release; return 0, nil })
	require.NoError(t, err)
	time.Sleep(1200 * time.Millisecond)
	st := p.Stats()
	assert.True(t, st.Timing)
	assert.Greater(t, st.Utilization, 0.8, st.String())
	assert.Greater(t, st.UtilizationRecent, 0.8, st.String())
	close(release)
	_, err = tk.Wait(bg)
	require.NoError(t, err)
	require.NoError(t, p.Close(bg))
	st = p.Stats()
	assert.Greater(t, st.Utilization, 0.8, st.String())
	assert.Greater(t, st.UtilizationRecent, 0.8, st.String())
	assert.EqualValues(t, 1, st.Run.Count)
	assert.GreaterOrEqual(t, st.Run.P50, 1e6)
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

// TestUtilizationAcrossResize checks that the recent utilization weighs
// each stretch of the window by the size the pool had then: two of four
// workers busy is half, before and just after a shrink to two.
func TestUtilizationAcrossResize(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 4})
	release1, release2 := occupy(t, p), occupy(t, p)
	time.Sleep(300 * time.Millisecond)
	before := p.Stats()
	p.Resize(2)
	after := p.Stats()
	release1()
	release2()
	require.NoError(t, p.Close(bg))
	assert.InDelta(t, 0.5, before.UtilizationRecent, 0.15, before.String())
	assert.InDelta(t, 0.5, after.UtilizationRecent, 0.15, after.String())
	assert.InDelta(t, 0.5, after.Utilization, 0.15, after.String())
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
