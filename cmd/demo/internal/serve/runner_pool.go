package serve

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/sharc-go/sharc/workers"
)

// poolRunner runs the servers' CPU-heavy work on a workers.Pool: admission
// is TrySubmit, so a full queue is refused at once (503) instead of blocking
// a handler, and a request whose client goes away cancels its queued task.
type poolRunner struct {
	p        *workers.Pool
	nice     int          // > 0: worker threads run at this nice value
	rejected atomic.Int64 // refused with 503: the pool does not see these
}

// poolStats is the pool's statistics plus the refusals only the runner sees.
type poolStats struct {
	Runner string `json:"runner"` // "goroutines" or "processes"
	workers.Stats
	Rejected int64 `json:"rejected"`
}

// newPoolRunner returns a runner with workers workers and room for queue
// waiting tasks (at least 1: the pool has no zero-length queue). With nice
// > 0 every worker owns a locked OS thread whose nice value is raised to
// nice before it runs a task, so the kernel gives the CPU to the threads
// serving requests first; the pool never unlocks a worker's thread, so the
// lowered priority ends with the worker instead of leaking to other
// goroutines.
func newPoolRunner(workersN, queue, nice int) *poolRunner {
	if workersN < 1 {
		panic(fmt.Sprintf("serve.newPoolRunner: workers = %d, want >= 1", workersN))
	}
	if nice < 0 || nice > 19 {
		panic(fmt.Sprintf("serve.newPoolRunner: nice = %d, want 0..19", nice))
	}
	return &poolRunner{
		p: workers.NewPool(workers.Options{
			MinWorkers: workersN, MaxWorkers: workersN, MaxQueue: max(queue, 1),
			LockOSThread: nice > 0,
		}),
		nice: nice,
	}
}

func (r *poolRunner) run(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
	if r.nice > 0 {
		inner := fn
		fn = func(ctx context.Context) (any, error) {
			// One cheap syscall per task: raising a nice value that is
			// already this high changes nothing, and a thread has no
			// local storage to remember that it was done.
			// Best effort: a sandbox that forbids it leaves the worker
			// at normal priority, slower to yield but still correct.
			_ = lowerThreadPriority(r.nice)
			return inner(ctx)
		}
	}
	t, err := workers.TrySubmit(ctx, r.p, fn)
	if errors.Is(err, workers.ErrClosed) {
		r.rejected.Add(1)
		return nil, fmt.Errorf("%w: %w: %w", errBusy, errRunnerClosed, err)
	}
	if errors.Is(err, workers.ErrQueueFull) {
		r.rejected.Add(1)
		return nil, fmt.Errorf("%w: %w", errBusy, err)
	}
	if err != nil {
		return nil, err
	}
	return t.Wait(ctx)
}

func (r *poolRunner) stats() any {
	return poolStats{Runner: "goroutines", Stats: r.p.Stats(), Rejected: r.rejected.Load()}
}

func (r *poolRunner) close(ctx context.Context) error { return r.p.Close(ctx) }
