package workers

import (
	"fmt"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's monotonic clock: half the cost of time.Now,
// which also reads the wall clock.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// recentWindow is the span of Stats.UtilizationRecent, in seconds.
const recentWindow = 10

// Stats is a snapshot of a pool's counters. It renders as JSON with
// snake_case keys and, through String, as one log line.
type Stats struct {
	Queued     int   `json:"queued"`
	Running    int64 `json:"running"`
	Workers    int   `json:"workers"`
	MaxWorkers int   `json:"max_workers"`
	MaxQueue   int   `json:"max_queue"` // -1: unbounded
	Closed     bool  `json:"closed"`

	Submitted uint64 `json:"submitted"`
	Completed uint64 `json:"completed"` // ran and returned nil
	Failed    uint64 `json:"failed"`    // ran and returned an error or panicked
	Cancelled uint64 `json:"cancelled"` // never ran: context ended while queued, or CloseNow
	// CancelledRunning counts failed tasks whose error was their own
	// context's (cancellation, per-task timeout or CloseNow while running).
	CancelledRunning uint64 `json:"cancelled_running"`

	// Utilization is busy time ÷ (MaxWorkers × time) over the pool's life;
	// UtilizationRecent the same over the last 10 s (busy time of the tasks
	// that finished in that window).
	Utilization       float64 `json:"utilization"`
	UtilizationRecent float64 `json:"utilization_recent"`

	Wait Latency `json:"wait"` // submission to start
	Run  Latency `json:"run"`  // start to finish
}

// String renders s as one line for logs.
func (s Stats) String() string {
	return fmt.Sprintf("queued=%d running=%d workers=%d/%d submitted=%d completed=%d failed=%d cancelled=%d util=%.1f%% util10s=%.1f%% wait_us[p50=%.1f p99=%.1f max=%.1f] run_us[p50=%.1f p99=%.1f max=%.1f]",
		s.Queued, s.Running, s.Workers, s.MaxWorkers, s.Submitted, s.Completed, s.Failed, s.Cancelled,
		100*s.Utilization, 100*s.UtilizationRecent,
		s.Wait.P50, s.Wait.P99, s.Wait.Max, s.Run.P50, s.Run.P99, s.Run.Max)
}

type secondSlot struct {
	sec  atomic.Int64
	busy atomic.Int64
}

// statShards is the number of counter shards: workers spread their
// per-task updates over them so that cores do not fight over cache lines.
const statShards = 8

// statShard is the per-task counters of the workers assigned to it.
type statShard struct {
	completed, failed, cancelledRunning atomic.Uint64
	running                             atomic.Int64
	busy                                atomic.Int64 // ns
	wait, run                           histogram
	slots                               [recentWindow + 2]secondSlot
	_                                   [64]byte // keep neighbours' counters off our cache lines
}

// poolStats holds the counters, all atomic so the hot path takes no lock.
// The capacity integral (for lifetime utilization) is guarded by Pool.mu.
type poolStats struct {
	submitted, cancelled atomic.Uint64
	nextShard            atomic.Uint32
	shards               [statShards]statShard

	start    int64 // nanotime at NewPool
	capAcc   int64 // worker-ns of capacity before lastSize
	lastSize int64 // nanotime of the last resize
	size     int
}

func (s *poolStats) init(maxWorkers int) {
	s.start = nanotime()
	s.lastSize = s.start
	s.size = maxWorkers
}

// shard assigns a new worker its shard, round robin.
func (s *poolStats) shard() *statShard {
	return &s.shards[s.nextShard.Add(1)%statShards]
}

func (s *poolStats) resized(now int64, maxWorkers int) {
	s.capAcc += int64(s.size) * (now - s.lastSize)
	s.lastSize = now
	s.size = maxWorkers
}

func (s *statShard) finished(now, d int64, failed bool) {
	if failed {
		s.failed.Add(1)
	} else {
		s.completed.Add(1)
	}
	s.run.record(d)
	s.busy.Add(d)
	sec := now / 1e9
	slot := &s.slots[sec%int64(len(s.slots))]
	if old := slot.sec.Load(); old != sec && slot.sec.CompareAndSwap(old, sec) {
		// A racing Add between the swap and this store is lost: the
		// recent figure is an estimate.
		slot.busy.Store(0)
	}
	slot.busy.Add(d)
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	now := nanotime()
	st := Stats{
		Queued:     p.queued,
		Workers:    p.workers,
		MaxWorkers: p.max,
		MaxQueue:   p.maxQueue,
		Closed:     p.closed,
	}
	capacity := p.stats.capAcc + int64(p.stats.size)*(now-p.stats.lastSize)
	p.mu.Unlock()
	s := &p.stats
	st.Submitted = s.submitted.Load()
	st.Cancelled = s.cancelled.Load()
	cur := now / 1e9
	from := max((cur-recentWindow+1)*1e9, s.start)
	var busy, recent int64
	var wait, run histogram
	for i := range s.shards {
		sh := &s.shards[i]
		st.Running += sh.running.Load()
		st.Completed += sh.completed.Load()
		st.Failed += sh.failed.Load()
		st.CancelledRunning += sh.cancelledRunning.Load()
		busy += sh.busy.Load()
		for j := range sh.slots {
			sl := &sh.slots[j]
			if sec := sl.sec.Load(); sec > cur-recentWindow && sec <= cur {
				recent += sl.busy.Load()
			}
		}
		wait.merge(&sh.wait)
		run.merge(&sh.run)
	}
	if capacity > 0 {
		st.Utilization = min(float64(busy)/float64(capacity), 1)
	}
	if span := now - from; span > 0 {
		st.UtilizationRecent = min(float64(recent)/(float64(span)*float64(st.MaxWorkers)), 1)
	}
	st.Wait = wait.snapshot()
	st.Run = run.snapshot()
	return st
}
