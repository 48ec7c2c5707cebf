package serve

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"

	"github.com/sharc-go/sharc/workers/proc"
)

// procRunner runs the servers' work in child processes (workers/proc): a
// task that crashes its process fails only its own request, and the pool
// starts a replacement in the background. Work travels as a registered
// task name and bytes (tasks.go), so the handlers call call or stream
// instead of run.
type procRunner struct {
	p        *proc.Pool
	rejected atomic.Int64 // refused with 503: the pool does not see these
}

// errWorkerDied is what a request whose process worker died gets (a 500):
// it wraps proc.ErrWorkerDied.
var errWorkerDied = errors.New("serve: the worker process died")

// newProcRunner starts processes children, with room for queue waiting
// calls (at least 1, as newPoolRunner's), each niced by nice (0: not).
func newProcRunner(processes, queue, nice int) (*procRunner, error) {
	if processes < 1 {
		panic(fmt.Sprintf("serve.newProcRunner: processes = %d, want >= 1", processes))
	}
	p, err := proc.NewPool(proc.Options{Workers: processes, MaxQueue: max(queue, 1), Nice: nice})
	if err != nil {
		return nil, fmt.Errorf("serve: starting %d process workers: %w", processes, err)
	}
	return &procRunner{p: p}, nil
}

// run is not how work reaches a process worker: a closure cannot travel.
func (r *procRunner) run(context.Context, func(context.Context) (any, error)) (any, error) {
	panic("serve: procRunner.run called; process workers take registered tasks through call")
}

// call runs the task registered as name in a child. A full queue is
// refused at once with errBusy, as the other runners refuse; a child that
// died running it fails with errWorkerDied.
func (r *procRunner) call(ctx context.Context, name string, arg []byte) ([]byte, error) {
	b, err := r.p.TryCall(ctx, name, arg)
	return b, r.mapErr(err)
}

// stream runs the stream task registered as name in a child; it waits for
// queue space (bounded by ctx) rather than refusing.
func (r *procRunner) stream(ctx context.Context, name string, arg []byte) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for b, err := range r.p.Stream(ctx, name, arg) {
			if !yield(b, r.mapErr(err)) {
				return
			}
		}
	}
}

func (r *procRunner) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, proc.ErrQueueFull):
		r.rejected.Add(1)
		return fmt.Errorf("%w: %w", errBusy, err)
	case errors.Is(err, proc.ErrClosed):
		r.rejected.Add(1)
		return fmt.Errorf("%w: %w: %w", errBusy, errRunnerClosed, err)
	case errors.Is(err, proc.ErrWorkerDied):
		return fmt.Errorf("%w: %w", errWorkerDied, err)
	}
	return err
}

func (r *procRunner) stats() any {
	return poolStats{Runner: "processes", Stats: r.p.Stats(), Rejected: r.rejected.Load()}
}

func (r *procRunner) close(ctx context.Context) error { return r.p.Close(ctx) }
