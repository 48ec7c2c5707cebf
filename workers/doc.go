// Package workers runs work on goroutines that are kept alive between jobs.
//
// Team is a fixed set of persistent workers for fork-join loops (the engine
// under package kernels); Pool is a task pool with a bounded queue,
// cancellation, panic isolation and statistics.
//
// A Pool hands a task straight to a parked worker when one is idle, and
// otherwise queues it on a mutex-guarded list that cancellation can unlink.
package workers
