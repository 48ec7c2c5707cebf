package workers

import (
	"context"
	"iter"
	"sync/atomic"
)

// DefaultStreamBuffer is how many values a stream holds between its task
// and its consumer unless StreamBuffer says otherwise.
const DefaultStreamBuffer = 16

// A StreamOption changes how Stream runs its task.
type StreamOption func(*streamOptions)

type streamOptions struct{ buffer int }

// StreamBuffer sets how many values may wait between the task and the
// consumer (at least 1): past that, the task's yield blocks until the
// consumer takes one, so a slow consumer slows the producer and memory
// stays bounded.
func StreamBuffer(n int) StreamOption {
	return func(o *streamOptions) { o.buffer = max(n, 1) }
}

// stream is one run of a streaming task.
type stream[T any] struct {
	ch      chan T
	err     error       // the task's error, written before ch is closed
	stopped atomic.Bool // the consumer has left: yield returns false
	started bool        // run was called (on the worker, like a later onError)
}

// Stream returns a sequence of the values a task on p yields, in order, as
// it yields them. Each range over the sequence submits the task afresh (as
// Submit would, waiting for queue space). The task gets a yield function:
// yield waits while the stream's buffer is full and returns false once the
// consumer has stopped or ctx ended, and then the task should return.
//
// The sequence ends after the task's last value; if the task failed, one
// more pair carries its error (a panic as a *PanicError, a task dropped
// before it ran with its context's error, ErrClosed if p is closed). A
// consumer that stops early (break) cancels the task's context, and the
// range statement ends once the task has returned, so the worker is free
// when the loop is left.
func Stream[T any](ctx context.Context, p *Pool, task func(ctx context.Context, yield func(T) bool) error, opts ...StreamOption) iter.Seq2[T, error] {
	o := streamOptions{buffer: DefaultStreamBuffer}
	for _, f := range opts {
		f(&o)
	}
	return func(yield func(T, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		s := &stream[T]{ch: make(chan T, o.buffer)}
		run := func(ctx context.Context) error {
			s.run(ctx, task)
			return nil
		}
		ended := func(err error) {
			if s.started {
				return // a Goexit: run has closed the stream already
			}
			s.err = err // dropped before it ran
			close(s.ch)
		}
		if err := p.Go(ctx, run, ended); err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for v := range s.ch {
			if !yield(v, nil) {
				s.stopped.Store(true)
				cancel()
				for range s.ch { // until the task has returned
				}
				return
			}
		}
		if s.err != nil {
			var zero T
			yield(zero, s.err)
		}
	}
}

// run runs the task on a worker and closes the channel with its error.
func (s *stream[T]) run(ctx context.Context, task func(ctx context.Context, yield func(T) bool) error) {
	s.started = true
	normal := false
	defer func() {
		if !normal {
			s.err = panicError(recover())
		}
		close(s.ch)
	}()
	done := ctx.Done()
	emit := func(v T) bool {
		if s.stopped.Load() {
			return false
		}
		select {
		case s.ch <- v:
			return true
		default:
		}
		select {
		case s.ch <- v:
			return true
		case <-done:
			return false
		}
	}
	s.err = task(ctx, emit)
	normal = true
}
