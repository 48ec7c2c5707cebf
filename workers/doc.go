// Package workers runs work on goroutines that are kept alive between jobs.
//
// Team is a fixed set of persistent workers for fork-join loops (the engine
// under package kernels); Pool is a task pool with a bounded queue,
// cancellation, panic isolation and statistics.
//
// A Pool hands a task straight to a parked worker when one is idle, and
// otherwise queues it in a ring buffer; a task whose context ends while it
// is queued is marked dead in its slot and skipped. A worker that finds the
// ring empty watches it for up to 50 µs, yielding its P at each look,
// before it parks: a burst's next tasks then need no wake-up. The budget
// adapts (doubling on a catch, halving on a miss), and an idle pool's
// workers are parked 50 µs after its last task at most; pools with more
// workers than GOMAXPROCS, or LockOSThread, park at once. Every task's context
// ends when the task returns, whatever it was submitted with; a task that
// never asks for its context's Done channel pays no allocation or
// registration for that. Package workers/proc
// runs tasks in child processes under the same contract: the same
// sentinels (ErrClosed, ErrQueueFull), Options names, Close semantics,
// Stats and *PanicError.
package workers
