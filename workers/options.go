package workers

import (
	"time"
)

// Unbounded, as Options.MaxQueue, lets the queue grow without limit.
const Unbounded = -1

// Options configures a Pool. The zero value is ready to use.
type Options struct {
	MinWorkers  int           // workers kept alive while idle; default 0
	MaxWorkers  int           // default GOMAXPROCS
	IdleTimeout time.Duration // workers above MinWorkers exit after this idle time; default 10s
	// MaxQueue bounds the tasks waiting for a worker; Unbounded (< 0)
	// lifts the bound (past 64 tasks per worker a submit then yields the
	// processor once, but never blocks). 0 means auto: about 1 ms of work
	// per worker, as measured on the pool's own tasks, between 4 and 64
	// tasks per worker. Tasks of 250 µs or more get 4 per worker; tiny
	// tasks get a deeper queue, which lets producers and workers take turns
	// in runs of many tasks instead of a few (13 M tiny tasks/s instead of
	// 7 M on 2 cores).
	MaxQueue     int
	LockOSThread bool // each worker runs on its own locked OS thread
	// NoTiming turns off the clock reads behind Stats' utilization and
	// wait/run histograms; the task counters stay on. Timing costs 5–10% of
	// the throughput of empty tasks (BenchmarkTimingCost), nothing
	// measurable for tasks of a few µs or more.
	NoTiming bool
}

// TaskOption changes how one task runs.
type TaskOption func(*taskOptions)

type taskOptions struct{ timeout time.Duration }

// WithTimeout bounds a task's run time (not its time in the queue): its
// context is cancelled d after it starts.
func WithTimeout(d time.Duration) TaskOption {
	return func(o *taskOptions) { o.timeout = d }
}
