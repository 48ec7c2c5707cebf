package workers

import (
	"context"
	"errors"
	"fmt"
)

var (
	// ErrQueueFull is returned by TrySubmit when the queue is at its limit.
	ErrQueueFull = errors.New("workers: pool queue is full")
	// ErrClosed is returned when submitting to a closed pool, and (wrapping
	// context.Canceled) by the handles of queued tasks that CloseNow dropped.
	ErrClosed = errors.New("workers: pool is closed")

	errClosedCanceled = fmt.Errorf("%w: %w", ErrClosed, context.Canceled)
)

// PanicError is the error of a task that panicked, and the value a Team's
// For re-panics with when a loop body panics. The worker survives either way.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("workers: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is sees
// through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
