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
// A call runs on its caller's goroutine: it takes the child with the fewest
// calls in flight (up to Options.MaxInFlight wait in a child's queue), writes a
// compact binary request into the child's call queue (an shm.Queue in a
// region the parent made for that child) and reads the answer from the
// child's result queue itself; the child runs the task on the goroutine that
// read the call. A waiting side spins briefly, then sleeps on a futex, so a
// round trip between two running processes makes no system call and an idle
// child costs no CPU. The child's Unix socket carries what the queues cannot:
// file descriptors of regions new to the child, and messages larger than a
// queue's ring. Cancels travel on a second socket.
//
// RegisterT registers a task whose argument and result are typed (fixed-size
// values, carried in encoding/binary's little-endian layout); Map runs such a
// task over the chunks of a shared region with results in chunk order, and a
// Group runs related calls with the semantics of workers.Group.
//
// A child that crashes fails only its own task, with ErrWorkerDied and how it
// died (exit code or signal, and the runtime's fatal error or panic line); a
// replacement starts. Linux only.
package proc
