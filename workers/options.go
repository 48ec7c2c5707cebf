package workers

import (
	"time"
)

// Unbounded, as Options.MaxQueue, lets the queue grow without limit.
const Unbounded = -1

// Options configures a Pool. The zero value is ready to use. Workers,
// MaxQueue (with Unbounded) and Nice mean the same in proc.Options.
type Options struct {
	// Workers is the most workers the pool runs at once; default
	// GOMAXPROCS. Workers start on demand and those above MinWorkers exit
	// after IdleTimeout idle.
	Workers     int
	MinWorkers  int           // workers kept alive while idle; default 0
	IdleTimeout time.Duration // workers above MinWorkers exit after this idle time; default 10s
	// MaxWorkers is Workers under its former name; Workers wins when both
	// are set.
	//
	// Deprecated: use Workers.
	MaxWorkers int
	// MaxQueue bounds the tasks waiting for a worker; Unbounded (< 0)
	// lifts the bound (past 64 tasks per worker a submit then yields the
	// processor once, but never blocks). 0 means auto: about 1 ms of work
	// per worker, as measured on the pool's own tasks, between 4 and 256
	// tasks per worker. Tasks of 250 µs or more get 4 per worker; tiny
	// tasks get a deeper queue, which lets producers and workers take turns
	// in runs of many tasks instead of trading places every few (a worker
	// draining the queue, parking, and being woken by the next submit).
	MaxQueue     int
	LockOSThread bool // each worker runs on its own locked OS thread
	// Nice, 1..19, lowers the priority of the workers (Linux; elsewhere it
	// is ignored): each worker runs on its own locked OS thread (as with
	// LockOSThread) whose nice value is raised by Nice, so the kernel runs
	// the program's other threads first. A server whose handlers must stay
	// quick while the pool saturates the CPU wants this (with GOMAXPROCS
	// above Workers, so the handlers have Ps of their own): with every core
	// busy in the pool, the handlers then answer far sooner than beside
	// workers of their own priority, at the price of the CPU share the
	// workers give up (bench/servers/healthz.sh measures it on the demo's
	// sudoku-server). The priority ends with the worker's thread.
	Nice int
	// NoTiming turns off the clock reads behind Stats' utilization and
	// wait/run histograms; the task counters stay on. Timing costs a few
	// percent of the throughput of empty tasks (BenchmarkTimingCost
	// measures it), nothing measurable for tasks of a few µs or more.
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
