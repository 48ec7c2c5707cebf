package workers

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpinForTask checks a worker's watch of the ring before it parks: it
// takes what is pushed meanwhile and doubles its budget, gives up after
// the budget and halves it, and does not spin at all where it must not.
func TestSpinForTask(t *testing.T) {
	for _, c := range []struct {
		name    string
		opts    Options
		push    bool
		spins   bool
		found   bool
		budget  time.Duration
		wantNew time.Duration
	}{
		{"a task comes", Options{Workers: 1}, true, true, true, 10 * time.Second, workerSpinMax},
		{"nothing comes", Options{Workers: 1}, false, true, false, 2 * time.Millisecond, time.Millisecond},
		{"at the floor", Options{Workers: 1}, false, true, false, workerSpinMin, workerSpinMin},
		{"more workers than Ps", Options{Workers: runtime.GOMAXPROCS(0) + 1}, false, false, false, time.Second, time.Second},
		{"locked to a thread", Options{Workers: 1, LockOSThread: true}, false, false, false, time.Second, time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewPool(c.opts)
			defer p.Close(context.Background())
			w := &worker{spin: int64(c.budget)}
			var wg sync.WaitGroup
			if c.push {
				wg.Go(func() {
					for {
						p.mu.Lock()
						if p.spinners == 1 {
							p.pushLocked(entry{})
							p.mu.Unlock()
							return
						}
						p.mu.Unlock()
						time.Sleep(50 * time.Microsecond)
					}
				})
			}
			start := time.Now()
			p.mu.Lock()
			found := p.spinForTask(w)
			if found {
				_, ok := p.popLocked()
				assert.True(t, ok, "the task pushed is there")
			}
			spinners := p.spinners
			p.mu.Unlock()
			took := time.Since(start)
			wg.Wait()
			assert.Equal(t, c.found, found)
			assert.Zero(t, spinners, "spinners after the spin")
			assert.Equal(t, c.wantNew, time.Duration(w.spin), "budget after the spin")
			switch {
			case !c.spins:
				assert.Less(t, took, 100*time.Millisecond, "returned at once")
			case c.found:
				assert.Less(t, took, 5*time.Second, "took the task before the budget ran out")
			default:
				assert.GreaterOrEqual(t, took, c.budget, "spun its whole budget")
			}
		})
	}
}

// TestSpinningWorkersClose checks that Close and CloseNow return promptly
// while the workers watch the ring after a burst, and that the workers
// then exit (goleak in TestMain).
func TestSpinningWorkersClose(t *testing.T) {
	for _, now := range []bool{false, true} {
		p := NewPool(Options{Workers: runtime.GOMAXPROCS(0)})
		var wg sync.WaitGroup
		for range 1000 {
			wg.Add(1)
			require.NoError(t, p.Go(context.Background(), func(context.Context) error { wg.Done(); return nil }, nil))
		}
		wg.Wait()
		start := time.Now()
		if now {
			p.CloseNow()
		} else {
			p.Close(context.Background())
		}
		assert.Less(t, time.Since(start), time.Second, "close while the workers spin (CloseNow %v)", now)
	}
}
