package serve

import "runtime"

// Headroom makes room for the request path beside workers busy workers: if
// GOMAXPROCS is below workers+runtime.NumCPU() it raises it to that, and it
// returns the previous value (pass it to runtime.GOMAXPROCS to undo).
//
// A worker running a task holds one of Go's GOMAXPROCS Ps, the right to run
// Go code, for as long as the task runs. When the workers hold them all, a
// goroutine answering GET /healthz waits for the scheduler to preempt a
// worker, about every 10 ms, and then behind every other runnable
// goroutine: ~250 ms at p99 on two saturated cores. With spare Ps the
// request goroutines run on threads of their own, the kernel interleaves
// those with the workers' threads at its much finer grain, and, with
// WorkerNice, runs them first.
func Headroom(workers int) (prev int) {
	prev = runtime.GOMAXPROCS(0)
	if want := workers + runtime.NumCPU(); prev < want {
		runtime.GOMAXPROCS(want)
	}
	return prev
}
