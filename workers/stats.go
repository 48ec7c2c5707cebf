package workers

import (
	"fmt"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's monotonic clock: half the cost of time.Now,
// which also reads the wall clock. It still costs 20–50 ns on a VM, so the
// hot path reads it as rarely as it can. The linkname is a runtime-internal
// dependency (allowed for runtime.nanotime, which many packages use);
// BenchmarkNanotime measures the gain (27 ns vs 61-69 ns for time.Now,
// 3 alternated runs) and TestNanotime fails if a Go
// release changes what it returns.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// recentWindow is the span of Stats.UtilizationRecent, in seconds.
const recentWindow = 10

// sampleEvery is the share of tasks (every sampleEvery-th submitted) whose
// wait and run times go into the histograms once the pool has timed its
// first alwaysTimed tasks. Timing a task costs three clock reads, 60–200 ns
// on a VM; sampling keeps that to a few ns per task. The timed tasks are
// also the workers' run-time samples (Pool.run). Timing the first 64 and
// then one in 32, with pops timed twice as often, cost 4–11% of the
// throughput of a fresh pool's 2 000–20 000 tiny tasks (paired medians).
const (
	sampleEvery = 64
	alwaysTimed = 16
)

// Stats is a snapshot of a pool's counters, for a workers.Pool and a
// proc.Pool alike. It renders as JSON with snake_case keys and, through
// String, as one log line.
type Stats struct {
	Queued     int   `json:"queued"`      // waiting for a worker (in a proc.Pool, also those waiting in a child's call queue)
	Running    int64 `json:"running"`     // taken by a worker, not finished (a worker takes up to 32 tiny tasks at once)
	Workers    int   `json:"workers"`     // workers (child processes) alive now
	MaxWorkers int   `json:"max_workers"` // the most workers the pool runs at once (Options.Workers)
	MaxQueue   int   `json:"max_queue"`   // the queue's bound; -1: unbounded
	Closed     bool  `json:"closed"`      // Close or CloseNow has been called

	Submitted uint64 `json:"submitted"` // tasks submitted (calls made) to the open pool since it started
	Completed uint64 `json:"completed"` // ran and returned nil
	Failed    uint64 `json:"failed"`    // ran and returned an error or panicked
	Cancelled uint64 `json:"cancelled"` // never ran: context ended while queued, or CloseNow
	// CancelledRunning counts failed tasks whose error was their own
	// context's (cancellation, per-task timeout or CloseNow while running).
	CancelledRunning uint64 `json:"cancelled_running"`

	// Died, Killed and Restarts count child processes of a proc.Pool:
	// those that died while running a task, those killed after a
	// cancelled task outlived its grace period, and the replacements
	// started. A workers.Pool leaves them zero.
	Died     uint64 `json:"died,omitempty"`
	Killed   uint64 `json:"killed,omitempty"`
	Restarts uint64 `json:"restarts,omitempty"`
	// Recycled counts children of a proc.Pool retired by
	// MaxTasksPerWorker or MaxRSS (and replaced; Restarts counts those too).
	Recycled uint64 `json:"recycled,omitempty"`

	// Timing is false when the pool was made with Options.NoTiming: then
	// Utilization, UtilizationRecent, Wait and Run are all zero.
	Timing bool `json:"timing"`

	// Utilization is busy time ÷ (MaxWorkers × time) over the pool's life;
	// UtilizationRecent the same over the last 10 s. A worker is busy from
	// the moment it gets a task until it parks with nothing left to do.
	Utilization       float64 `json:"utilization"`
	UtilizationRecent float64 `json:"utilization_recent"`

	// Wait (submission to start) and Run (start to finish) summarize the
	// first 16 tasks submitted and then every 64th; their Count
	// is the number of timed tasks.
	Wait Latency `json:"wait"`
	Run  Latency `json:"run"`
}

// String renders s as one line for logs.
func (s Stats) String() string {
	head := fmt.Sprintf("queued=%d running=%d workers=%d/%d submitted=%d completed=%d failed=%d cancelled=%d",
		s.Queued, s.Running, s.Workers, s.MaxWorkers, s.Submitted, s.Completed, s.Failed, s.Cancelled)
	if s.Died != 0 || s.Killed != 0 || s.Restarts != 0 {
		head += fmt.Sprintf(" died=%d killed=%d restarts=%d recycled=%d", s.Died, s.Killed, s.Restarts, s.Recycled)
	}
	if !s.Timing {
		return head + " timing=off"
	}
	return head + fmt.Sprintf(" util=%.1f%% util10s=%.1f%% wait_us[p50=%.1f p99=%.1f max=%.1f] run_us[p50=%.1f p99=%.1f max=%.1f]",
		100*s.Utilization, 100*s.UtilizationRecent,
		s.Wait.P50, s.Wait.P99, s.Wait.Max, s.Run.P50, s.Run.P99, s.Run.Max)
}

// secondSlot holds one second of the recent window: busy worker-ns, and
// the capacity (worker-ns) of the sizes the pool had before its last
// resize within that second.
type secondSlot struct{ sec, busy, capacity int64 }

// statShards is the number of counter shards: workers spread their
// per-task updates over them so that cores do not fight over cache lines.
const statShards = 8

// statShard is the per-task counters of the workers assigned to it.
type statShard struct {
	_                        [64]byte // keep the previous shard off our first cache line
	failed, cancelledRunning atomic.Uint64
	cancelled                atomic.Uint64 // context ended between queue and start
	// hist is allocated when the first worker is assigned to the shard
	// of a pool with timing on (under Pool.mu): 4 KiB per shard, which a
	// pool with few workers, or one made for a short burst, need not pay
	// for all eight shards.
	hist *shardHist
}

type shardHist struct{ wait, run histogram }

// poolStats holds the counters. The per-task ones are atomic, so that the
// hot path takes no lock for them; the busy-time and capacity integrals (for
// utilization) are guarded by Pool.mu.
type poolStats struct {
	timing    bool
	cancelled atomic.Uint64 // removed from the queue unrun
	nextShard atomic.Uint32
	shards    [statShards]statShard

	ranGone  uint64 // tasks run by workers that have exited
	busy     int64  // ns, of finished busy stretches
	slots    [recentWindow + 2]secondSlot
	start    int64 // nanotime at NewPool
	capAcc   int64 // worker-ns of capacity before lastSize
	lastSize int64 // nanotime of the last resize
	size     int
}

func (s *poolStats) init(maxWorkers int, timing bool) {
	s.timing = timing
	s.start = nanotime()
	s.lastSize = s.start
	s.size = maxWorkers
}

// shard assigns a new worker its shard, round robin. The caller holds
// Pool.mu.
func (s *poolStats) shard() *statShard {
	sh := &s.shards[s.nextShard.Add(1)%statShards]
	if s.timing && sh.hist == nil {
		sh.hist = new(shardHist)
	}
	return sh
}

func (s *poolStats) resized(now int64, maxWorkers int) {
	s.capAcc += int64(s.size) * (now - s.lastSize)
	s.spread(s.lastSize, now, func(sl *secondSlot, ns int64) { sl.capacity += int64(s.size) * ns })
	s.lastSize = now
	s.size = maxWorkers
}

// addBusyLocked records a busy stretch from start to end.
func (s *poolStats) addBusyLocked(start, end int64) {
	if end <= start {
		return
	}
	s.busy += end - start
	s.spread(start, end, func(sl *secondSlot, ns int64) { sl.busy += ns })
}

// spread adds the span from start to end to the per-second slots of the
// recent window, second by second (older seconds are dropped).
func (s *poolStats) spread(start, end int64, add func(*secondSlot, int64)) {
	for i := 0; end > start && i < len(s.slots); i++ {
		sec := (end - 1) / 1e9
		lo := max(start, sec*1e9)
		slot := &s.slots[sec%int64(len(s.slots))]
		if slot.sec != sec {
			*slot = secondSlot{sec: sec}
		}
		add(slot, end-lo)
		end = lo
	}
}

// Stats returns a snapshot of the pool's counters.
func (p *Pool) Stats() Stats {
	s := &p.stats
	// Failures first: a worker counts a task as run before as failed.
	var failed uint64
	for i := range s.shards {
		failed += s.shards[i].failed.Load()
	}
	p.mu.Lock()
	var hists [statShards]*shardHist
	for i := range s.shards {
		hists[i] = s.shards[i].hist
	}
	ran := s.ranGone
	for _, w := range p.all {
		ran += w.ran.Load() >> 1
	}
	now := nanotime()
	st := Stats{
		Queued:     p.queued,
		Workers:    p.workers,
		MaxWorkers: p.max,
		MaxQueue:   p.maxQueue,
		Closed:     p.closed,
		Submitted:  p.submitted,
		Timing:     s.timing,
	}
	capacity := s.capAcc + int64(s.size)*(now-s.lastSize)
	cur := now / 1e9
	from := max((cur-recentWindow+1)*1e9, s.start)
	var busy, recent, recentCap int64
	if s.timing {
		busy = s.busy
		for _, sl := range s.slots {
			if sl.sec > cur-recentWindow && sl.sec <= cur {
				recent += sl.busy
				recentCap += sl.capacity
			}
		}
		// The window's capacity: the sizes before the last resize (kept
		// per second), then the current one.
		recentCap += int64(s.size) * max(now-max(s.lastSize, from), 0)
		// Stretches still in progress.
		for _, w := range p.all {
			if b := w.busySince; b != 0 && b < now {
				busy += now - b
				recent += now - max(b, from)
			}
		}
	}
	p.mu.Unlock()
	st.Completed, st.Failed = ran-failed, failed
	st.Cancelled = s.cancelled.Load()
	var wait, run histogram
	for i := range s.shards {
		sh := &s.shards[i]
		st.Cancelled += sh.cancelled.Load()
		st.CancelledRunning += sh.cancelledRunning.Load()
		if h := hists[i]; h != nil {
			wait.merge(&h.wait)
			run.merge(&h.run)
		}
	}
	// Running is what was handed to the workers and has not finished; the
	// counters are read one by one, so clamp a transient negative.
	st.Running = max(int64(st.Submitted)-int64(st.Queued)-int64(st.Completed+st.Failed+st.Cancelled), 0)
	if !s.timing {
		return st
	}
	if capacity > 0 {
		st.Utilization = min(float64(busy)/float64(capacity), 1)
	}
	if recentCap > 0 {
		st.UtilizationRecent = min(float64(recent)/float64(recentCap), 1)
	}
	st.Wait = wait.snapshot()
	st.Run = run.snapshot()
	return st
}
