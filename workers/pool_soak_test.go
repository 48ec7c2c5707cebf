package workers

import (
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSoakLong is the long soak, off unless SHARC_SOAK holds a duration.
func TestSoakLong(t *testing.T) {
	v := os.Getenv("SHARC_SOAK")
	if v == "" {
		t.Skip("set SHARC_SOAK=60s to run")
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatal(err)
	}
	soak(t, d)
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
