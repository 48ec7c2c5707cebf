package workers

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
)

var (
	// ErrQueueFull is returned by TrySubmit when the queue is at its limit.
	ErrQueueFull = errors.New("workers: pool queue is full")
	// ErrClosed is returned when submitting to a closed pool, and (wrapping
	// context.Canceled) by the handles of queued tasks that CloseNow dropped.
	ErrClosed = errors.New("workers: pool is closed")

	// ErrGoexit is the Value of the *PanicError of a task or loop body
	// that called runtime.Goexit, as t.FailNow (and testify's require)
	// do: the goroutine ends without returning or panicking.
	ErrGoexit = errors.New("workers: a task or loop body called runtime.Goexit (t.FailNow and require do this)")

	// ErrNotRun is matched by the error of a task that was dropped
	// before it ran: its context ended while it was queued (the error
	// then also matches that context's error), or the pool was stopped
	// (the error then also matches ErrClosed and context.Canceled). A
	// task that ran and failed never matches it, so an onError of Pool.Go
	// can count completions.
	ErrNotRun = errors.New("workers: task dropped before it ran")

	errClosedCanceled = &notRunError{"workers: pool is closed: task dropped before it ran", ErrClosed, context.Canceled}
	errNotRunCanceled = &notRunError{"workers: task dropped before it ran: context canceled", nil, context.Canceled}
	errNotRunDeadline = &notRunError{"workers: task dropped before it ran: context deadline exceeded", nil, context.DeadlineExceeded}
)

// notRunError is the error of a task dropped before it ran: it matches
// ErrNotRun, why (ErrClosed, when the pool was stopped) and the context
// error.
type notRunError struct {
	msg      string
	why, ctx error
}

func (e *notRunError) Error() string { return e.msg }

func (e *notRunError) Unwrap() []error {
	if e.why == nil {
		return []error{ErrNotRun, e.ctx}
	}
	return []error{ErrNotRun, e.why, e.ctx}
}

// notRun is the error of a task dropped because its context ended with
// err.
func notRun(err error) error {
	switch err {
	case context.Canceled:
		return errNotRunCanceled
	case context.DeadlineExceeded:
		return errNotRunDeadline
	}
	return &notRunError{"workers: task dropped before it ran: " + err.Error(), nil, err}
}

// PanicError is the error of a task that panicked or called
// runtime.Goexit, and the value a Team's For re-panics with when a loop body
// did. The pool or team goes on either way.
type PanicError struct {
	Value any    // the value passed to panic, or ErrGoexit
	Stack []byte // the panicking goroutine's stack
}

// Error returns "workers: panic: " and the panic value, or ErrGoexit's
// message for a Goexit.
func (e *PanicError) Error() string {
	if e.Value == ErrGoexit {
		return ErrGoexit.Error()
	}
	return fmt.Sprintf("workers: panic: %v", e.Value)
}

// Unwrap returns the panic value when it is an error, so errors.Is sees
// through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// panicError is the *PanicError for v, a value recovered in a deferred
// function after the call did not return: nil then means runtime.Goexit
// (a panic(nil) recovers as a *runtime.PanicNilError).
func panicError(v any) *PanicError {
	if v == nil {
		v = ErrGoexit
	}
	return &PanicError{Value: v, Stack: debug.Stack()}
}
