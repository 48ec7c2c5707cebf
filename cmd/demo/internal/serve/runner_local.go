package serve

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// localRunner bounds concurrency with a semaphore of workers slots and
// admission with a counter of workers+queue: a task beyond that is refused
// at once. Tasks run on the caller's goroutine once they hold a slot. It
// stands in for workers.Pool until that lands (runner_pool.go).
type localRunner struct {
	workers, queue int
	sem            chan struct{}
	admitted       atomic.Int64 // queued + running
	closed         atomic.Bool
	started        time.Time

	queued, running                        atomic.Int64
	completed, failed, rejected, cancelled atomic.Int64
	busy                                   atomic.Int64 // nanoseconds spent running tasks

	mu          sync.Mutex
	waits, runs latencyRing
}

func newLocalRunner(workers, queue int) *localRunner {
	if workers < 1 {
		panic(fmt.Sprintf("serve.newLocalRunner: workers = %d, want >= 1", workers))
	}
	if queue < 0 {
		panic(fmt.Sprintf("serve.newLocalRunner: queue = %d, want >= 0", queue))
	}
	return &localRunner{
		workers: workers, queue: queue,
		sem:     make(chan struct{}, workers),
		started: time.Now(),
	}
}

func (r *localRunner) run(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
	if r.closed.Load() {
		r.rejected.Add(1)
		return nil, fmt.Errorf("%w: %w", errBusy, errRunnerClosed)
	}
	if r.admitted.Add(1) > int64(r.workers+r.queue) {
		r.admitted.Add(-1)
		r.rejected.Add(1)
		return nil, fmt.Errorf("%w: queue full", errBusy)
	}
	defer r.admitted.Add(-1)

	queuedAt := time.Now()
	r.queued.Add(1)
	acquired := false
	select {
	case r.sem <- struct{}{}:
		acquired = true
	case <-ctx.Done():
	}
	r.queued.Add(-1)
	// select picks at random when both are ready: check ctx again so an
	// abandoned task never starts.
	if err := ctx.Err(); err != nil {
		if acquired {
			<-r.sem
		}
		r.cancelled.Add(1)
		return nil, err
	}
	r.running.Add(1)
	startedAt := time.Now()
	v, err := fn(ctx)
	done := time.Now()
	<-r.sem
	r.running.Add(-1)
	r.busy.Add(int64(done.Sub(startedAt)))
	if err != nil {
		r.failed.Add(1)
	} else {
		r.completed.Add(1)
	}
	r.mu.Lock()
	r.waits.add(startedAt.Sub(queuedAt))
	r.runs.add(done.Sub(startedAt))
	r.mu.Unlock()
	return v, err
}

// localStats is the JSON shape of GET /stats for the local runner, with
// the fields workers.Pool's statistics carry.
type localStats struct {
	Runner      string  `json:"runner"`
	Workers     int     `json:"workers"`
	MaxQueue    int     `json:"max_queue"`
	Queued      int64   `json:"queued"`
	Running     int64   `json:"running"`
	Completed   int64   `json:"completed"`
	Failed      int64   `json:"failed"`
	Rejected    int64   `json:"rejected"`
	Cancelled   int64   `json:"cancelled"`
	Utilization float64 `json:"utilization"`
	WaitMs      pctls   `json:"wait_ms"`
	RunMs       pctls   `json:"run_ms"`
}

type pctls struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func (r *localRunner) stats() any {
	r.mu.Lock()
	w, rn := r.waits.pctls(), r.runs.pctls()
	r.mu.Unlock()
	elapsed := time.Since(r.started)
	return localStats{
		Runner: "local", Workers: r.workers, MaxQueue: r.queue,
		Queued: r.queued.Load(), Running: r.running.Load(),
		Completed: r.completed.Load(), Failed: r.failed.Load(),
		Rejected: r.rejected.Load(), Cancelled: r.cancelled.Load(),
		Utilization: round3(float64(r.busy.Load()) / (float64(elapsed) * float64(r.workers))),
		WaitMs:      w, RunMs: rn,
	}
}

func (r *localRunner) close(ctx context.Context) error {
	r.closed.Store(true)
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for r.admitted.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// directRunner runs every task at once on the handler's goroutine, with no
// bound and no queue: the naive server that -no-pool measures.
type directRunner struct {
	completed, failed, running atomic.Int64
}

func (d *directRunner) run(ctx context.Context, fn func(context.Context) (any, error)) (any, error) {
	d.running.Add(1)
	defer d.running.Add(-1)
	v, err := fn(ctx)
	if err != nil {
		d.failed.Add(1)
	} else {
		d.completed.Add(1)
	}
	return v, err
}

func (d *directRunner) stats() any {
	return map[string]any{
		"runner": "none (-no-pool)", "running": d.running.Load(),
		"completed": d.completed.Load(), "failed": d.failed.Load(),
	}
}

func (d *directRunner) close(context.Context) error { return nil }

// latencyRing keeps the last samples for percentiles.
type latencyRing struct {
	buf [1024]time.Duration
	n   int
}

func (l *latencyRing) add(d time.Duration) {
	l.buf[l.n%len(l.buf)] = d
	l.n++
}

func (l *latencyRing) pctls() pctls {
	n := min(l.n, len(l.buf))
	if n == 0 {
		return pctls{}
	}
	s := slices.Clone(l.buf[:n])
	slices.Sort(s)
	return pctls{P50: ms(pct(s, 50)), P90: ms(pct(s, 90)), P99: ms(pct(s, 99)), Max: ms(s[n-1])}
}

// pct returns the p-th percentile of sorted s by the nearest-rank method.
func pct(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return round3(float64(d) / 1e6) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
