//go:build linux

package proc

import (
	"time"

	"github.com/sharc-go/sharc/workers"
)

// Stats returns the pool's counters and latency histograms.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	live, closed := len(p.live), p.closed
	p.mu.Unlock()
	util := float64(p.busy.Load()) / (float64(p.opts.Workers) * float64(time.Since(p.born)))
	return Stats{
		Queued: len(p.slots), Running: max(p.running.Load()-p.piped.Load(), 0),
		Workers: live, MaxWorkers: p.opts.Workers, MaxQueue: p.maxQueue, Closed: closed,
		Submitted: p.submitted.Load(), Completed: p.completed.Load(), Failed: p.failed.Load(),
		Cancelled: p.cancelled.Load(), CancelledRunning: p.cancelledRunning.Load(),
		Died: p.died.Load(), Killed: p.killed.Load(), Restarts: p.restarts.Load(), Recycled: p.recycled.Load(),
		Timing: true, Utilization: min(util, 1),
		Wait: workers.Latency(p.wait.Snapshot()), Run: workers.Latency(p.run.Snapshot()),
	}
}
