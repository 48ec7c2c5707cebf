package proc

import (
	"errors"
)

var (
	// ErrWorkerDied is returned for a task whose child process died while
	// running it; the error text says how (exit code or signal).
	ErrWorkerDied = errors.New("proc: worker process died")
	// ErrClosed is returned for calls made after Close.
	ErrClosed = errors.New("proc: pool is closed")
	// ErrQueueFull is returned by TryCall when the queue is full.
	ErrQueueFull = errors.New("proc: queue is full")
)

// TaskError is a task's failure inside a healthy child: the Func returned an
// error or panicked (then Msg holds the panic value and the child's stack).
type TaskError struct {
	Fn    string
	Msg   string
	Panic bool
}

func (e *TaskError) Error() string { return "proc: task " + e.Fn + ": " + e.Msg }
