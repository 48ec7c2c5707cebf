// Package workers runs work on goroutines that are kept alive between jobs.
//
// Team is a fixed set of persistent workers for fork-join loops (the engine
// under package kernels); Pool is a task pool with a bounded queue,
// cancellation, panic isolation and statistics.
package workers
