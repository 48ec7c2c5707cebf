package workers

import (
	"context"
	"time"
)

// runner is what a task runs: call runs the user's function and keeps its
// value; complete publishes the final error of a task with a handle (and is
// called exactly once, whether or not call ran); timeout is its
// WithTimeout.
type runner interface {
	call(ctx context.Context) error
	complete(err error)
	timeout() time.Duration
}

// goFn is a fire-and-forget task's function as a runner. A func is
// pointer-shaped, so making it a runner allocates nothing.
type goFn func(ctx context.Context) error

func (f goFn) call(ctx context.Context) error { return f(ctx) }
func (goFn) complete(error)                   {}
func (goFn) timeout() time.Duration           { return 0 }

// Task is the handle of a submitted task.
type Task[T any] struct {
	fn      func(ctx context.Context) (T, error)
	val     T
	err     error
	done    chan struct{}
	runTime time.Duration // WithTimeout
}

func (t *Task[T]) call(ctx context.Context) error {
	v, err := t.fn(ctx)
	t.val = v
	return err
}

func (t *Task[T]) complete(err error) {
	t.err = err
	close(t.done)
}

func (t *Task[T]) timeout() time.Duration { return t.runTime }

// Done returns a channel that is closed when the task has finished, failed,
// or been cancelled.
func (t *Task[T]) Done() <-chan struct{} { return t.done }

// Wait waits for the task and returns its result. ctx bounds only the wait:
// when it ends first, Wait returns ctx.Err() and the task goes on.
func (t *Task[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-t.done:
		return t.val, t.err
	default:
	}
	select {
	case <-t.done:
		return t.val, t.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func newTask[T any](fn func(ctx context.Context) (T, error), opts []TaskOption) *Task[T] {
	t := &Task[T]{fn: fn, done: make(chan struct{})}
	if len(opts) > 0 {
		var o taskOptions
		for _, f := range opts {
			f(&o)
		}
		t.runTime = o.timeout
	}
	return t
}

// Submit queues fn, waiting for queue space while the queue is full. The
// task runs with a context that carries ctx's values and is cancelled when
// ctx is, when its WithTimeout expires, when the pool is closed with
// CloseNow, and in any case when the task returns, so goroutines the task
// started on it are told to stop. If ctx is
// cancelled while the task is still queued, the task is removed and never
// runs; its handle then returns an error matching both ErrNotRun and
// ctx.Err(). Submit returns ErrClosed after the pool has been closed, and
// ctx.Err() if ctx ends while waiting.
func Submit[T any](ctx context.Context, p *Pool, fn func(ctx context.Context) (T, error), opts ...TaskOption) (*Task[T], error) {
	t := newTask(fn, opts)
	if err := p.submit(entry{r: t, ctx: ctx, handle: true}, true); err != nil {
		return nil, err
	}
	return t, nil
}

// TrySubmit is Submit, except that it returns ErrQueueFull at once instead of
// waiting for queue space.
func TrySubmit[T any](ctx context.Context, p *Pool, fn func(ctx context.Context) (T, error), opts ...TaskOption) (*Task[T], error) {
	t := newTask(fn, opts)
	if err := p.submit(entry{r: t, ctx: ctx, handle: true}, false); err != nil {
		return nil, err
	}
	return t, nil
}

// Go submits fn like Submit but returns no handle: if the task fails (or is
// dropped before it runs), onError, when not nil, is called with the error,
// once, never on the caller's goroutine (on the worker, or on the goroutine
// that removed the task from the queue). The error of a task dropped before
// it ran matches ErrNotRun (and its context's error, or ErrClosed after
// CloseNow); that of a task that ran and failed never does. Go allocates
// nothing.
func (p *Pool) Go(ctx context.Context, fn func(ctx context.Context) error, onError func(error)) error {
	return p.submit(entry{r: goFn(fn), onError: onError, ctx: ctx}, true)
}
