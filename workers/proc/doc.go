// Package proc runs tasks in child processes: crash-isolated workers that
// see the same shared regions zero-copy.
//
// Children are re-executions of the running binary, selected by an
// environment marker; the program registers its task functions with
// Register and calls RunChildIfRequested first thing in main, as Node.js code
// checks isMainThread. Regions travel to a child as file descriptors over a
// Unix socket (SCM_RIGHTS), so nothing is copied: Share keeps the parent's
// mapping, Transfer unmaps it after sending so a stale slice in the parent
// faults instead of silently racing with the child.
//
// A child that crashes fails only its own task, with ErrWorkerDied; a
// replacement starts. Linux only.
package proc
