package proc

import (
	"context"
	"errors"
	"strings"

	"github.com/sharc-go/sharc/workers"
)

var (
	// ErrWorkerDied is returned for a task whose child process died while
	// running it; the error text says how (exit code or signal).
	ErrWorkerDied = errors.New("proc: worker process died")
	// ErrClosed is returned for calls made after Close, and (wrapping
	// context.Canceled) for calls that CloseNow, or a Close whose context
	// ended, stopped. It is workers.ErrClosed: one sentinel for both pools.
	ErrClosed = workers.ErrClosed
	// ErrQueueFull is returned by TryCall when the queue is full. It is
	// workers.ErrQueueFull.
	ErrQueueFull = workers.ErrQueueFull
	// ErrUnknownTask is returned for a call to a name no task function was
	// registered under.
	ErrUnknownTask = errors.New("proc: no task function registered under this name")

	errClosedCanceled = &stoppedError{"proc: pool is closed: call stopped", []error{ErrClosed, context.Canceled}}
	errClosedNotRun   = &stoppedError{"proc: pool is closed: call dropped before it ran", []error{ErrClosed, workers.ErrNotRun, context.Canceled}}
)

// stoppedError is the error of a call the pool stopped or dropped: it
// matches each of errs.
type stoppedError struct {
	msg  string
	errs []error
}

func (e *stoppedError) Error() string   { return e.msg }
func (e *stoppedError) Unwrap() []error { return e.errs }

// notRun is the error of a call dropped before a child took it, because its
// context ended with err: it matches workers.ErrNotRun and err, as a task
// dropped from a workers.Pool does.
func notRun(err error) error {
	return &stoppedError{"proc: call dropped before it ran: " + err.Error(), []error{workers.ErrNotRun, err}}
}

// TaskError is a task's failure inside a healthy child: the Func returned an
// error, or panicked or called runtime.Goexit. A panic's TaskError wraps a
// *workers.PanicError, the error a panicking task gets in a workers.Pool, so
// errors.As finds it in both pools; its Value is the panic value as text
// (or workers.ErrGoexit) and its Stack the child's stack.
type TaskError struct {
	Fn    string // the task's registered name
	Msg   string // the error's text, or the panic value and the child's stack
	Panic bool   // the task panicked or called runtime.Goexit

	// kind is the sentinel the task's error matched in the child (only
	// shm.ErrTruncated travels), or nil.
	kind error
}

// Error returns "proc: task NAME: " and the task's error text, or the
// panic value and the child's stack for a task that panicked.
func (e *TaskError) Error() string { return "proc: task " + e.Fn + ": " + e.Msg }

// Unwrap returns the *workers.PanicError of a task that panicked,
// shm.ErrTruncated for a task whose error matched it in the child (it
// touched region memory that another process truncated), and nil
// otherwise.
func (e *TaskError) Unwrap() error {
	if !e.Panic {
		return e.kind
	}
	value, stack, _ := strings.Cut(strings.TrimPrefix(e.Msg, "panic: "), "\n\n")
	if value == workers.ErrGoexit.Error() {
		return &workers.PanicError{Value: workers.ErrGoexit, Stack: []byte(stack)}
	}
	return &workers.PanicError{Value: value, Stack: []byte(stack)}
}
