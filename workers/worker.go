package workers

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// worker is one pool goroutine. task, hasTask and exit are guarded by
// Pool.mu; wake carries one token per hand-off.
type worker struct {
	wake      chan struct{}
	task      entry
	hasTask   bool
	exit      bool
	idleSince int64 // nanotime when it last parked
	idx       int   // index in Pool.all
	sh        *statShard
	busySince int64 // nanotime when its busy stretch began; 0 while parked or untimed

	spin      int64   // ns spinForTask watches the ring before the worker parks
	batch     []entry // tasks taken from the queue with the last one, run next
	untimed   int     // tasks run since the last timed pop
	sampleRun int     // untimed tasks after which the next pop is timed
	ctxSlab   []taskCtx
	bg        *bgSlab // ids for tasks submitted with Background or TODO

	// ran counts the tasks the worker ran to their end (for Stats), times
	// two: bit 0 is set while the running task's bgCtx has a derived
	// context for the worker to cancel when the task returns. The worker
	// is the only one to add; a bgCtx reads it to tell whether its task
	// has returned, and sets bit 0 (compare-and-swap) when it derives.
	ran    atomic.Uint64
	runEst int64 // ns per task of the last timed batch; 0: none pending

	killMu sync.Mutex
	cancel context.CancelFunc // cancels the running task's own context, if it has a timeout
}

// newWorkerLocked registers a worker for a goroutine about to start.
func (p *Pool) newWorkerLocked() *worker {
	w := &worker{wake: make(chan struct{}, 1), idx: len(p.all), sh: p.stats.shard(), untimed: sampleRunEvery, sampleRun: sampleRunEvery, spin: int64(workerSpinInitial)}
	if p.stats.timing {
		w.sampleRun *= 2
	}
	if p.stats.timing {
		w.busySince = nanotime()
	}
	p.all = append(p.all, w)
	return w
}

// retireLocked unregisters an exiting worker.
func (p *Pool) retireLocked(w *worker) {
	p.stats.ranGone += w.ran.Load() >> 1
	last := p.all[len(p.all)-1]
	p.all[w.idx] = last
	last.idx = w.idx
	p.all[len(p.all)-1] = nil
	p.all = p.all[:len(p.all)-1]
}

// endBusyLocked ends the worker's busy stretch at now. Stretches begin and
// end where the worker holds the pool lock anyway, so they cost no atomics.
func (p *Pool) endBusyLocked(w *worker, now int64) {
	if w.busySince != 0 {
		p.stats.addBusyLocked(w.busySince, now)
		w.busySince = 0
	}
}

// work is a worker goroutine; it runs the task it was started with, if
// any, and then whatever the queue gives it. A task that calls
// runtime.Goexit ends the goroutine (callSafely has failed the task by
// then): a new goroutine takes over the worker and the rest of its batch.
func (p *Pool) work(w *worker, e entry, ok bool) {
	returned := false
	defer func() {
		if !returned {
			go p.work(w, entry{}, false)
		}
	}()
	p.loop(w, e, ok)
	returned = true
}

func (p *Pool) loop(w *worker, e entry, ok bool) {
	if p.lockOS {
		// Never unlocked: the thread ends with the worker, so thread state a
		// task changed, and the priority Nice lowered, do not leak into
		// other goroutines.
		runtime.LockOSThread()
		if p.nice > 0 {
			// Best effort: where it is not allowed the worker runs at
			// normal priority.
			_ = lowerThreadPriority(p.nice)
		}
	}
	for {
		// Time a pop (one task or a batch) after every sampleRunEvery
		// tasks: two clock reads for many tasks, and tasks that turn long
		// are noticed within a few pops. The tasks timed for the
		// histograms give samples too (run), so a pool with Stats timing
		// times its pops half as often: a clock read costs 20–70 ns on a
		// VM, as much as a tiny task.
		var t0 int64
		if ok && w.untimed >= w.sampleRun {
			t0 = nanotime()
			w.untimed = 0
		}
		if ok {
			p.run(&e, w)
		}
		for i := range w.batch {
			b := &w.batch[i]
			if b.r == nil {
				continue // run before its worker's goroutine was replaced
			}
			if p.killed.Load() {
				// CloseNow drops what is queued; these were as good as queued.
				p.stats.cancelled.Add(1)
				b.complete(errClosedCanceled)
			} else {
				p.run(b, w)
			}
			*b = entry{}
		}
		if t0 != 0 {
			w.runEst = max((nanotime()-t0)/int64(1+len(w.batch)), 1)
		} else if ok {
			w.untimed += 1 + len(w.batch)
		}
		w.batch = w.batch[:0]
		if e, ok = p.next(w); !ok {
			return
		}
	}
}

// next returns the worker's next task, or false when the worker must exit.
// When the queue is long it also moves a few more tasks to w.batch: taking
// them under the same lock halves the lock traffic of tiny tasks.
func (p *Pool) next(w *worker) (entry, bool) {
	p.mu.Lock()
	if w.runEst != 0 {
		p.noteRunLocked(w.runEst)
		w.runEst = 0
	}
	spun := false
	for {
		if p.workers > p.max {
			// Shrunk by Resize: leave, and let the others drain the queue.
			p.leaveLocked(w)
			return entry{}, false
		}
		if e, ok := p.popLocked(); ok {
			if p.stats.timing && w.busySince == 0 {
				w.busySince = nanotime() // back from a stale wake-up
			}
			k := 0
			if p.runEst > 0 {
				// At most batchWork of tasks beyond this one, and none
				// before the tasks are timed: a worker holding tasks back
				// while another is idle would delay them. A share of the
				// queue at most, so the others find theirs.
				k = min(p.queued/p.workers, maxBatch-1, int(int64(batchWork)/p.runEst))
			}
			if k > 0 && w.batch == nil {
				w.batch = make([]entry, 0, maxBatch-1) // once, not by doubling
			}
			for ; k > 0; k-- {
				b, _ := p.popLocked()
				w.batch = append(w.batch, b)
			}
			p.mu.Unlock()
			return e, true
		}
		if p.closed {
			p.leaveLocked(w)
			return entry{}, false
		}
		if !spun {
			// Watch the ring for a while before parking, then look
			// again at everything above: the pool may have been
			// closed or resized meanwhile.
			spun = true
			p.spinForTask(w)
			continue
		}
		// Park until a submitter hands us a task or the idle timeout passes.
		w.idleSince = nanotime()
		if p.stats.timing {
			p.endBusyLocked(w, w.idleSince)
		}
		p.idle = append(p.idle, w)
		if !p.janitorOn && p.workers > p.min {
			p.armJanitorLocked()
		}
		p.mu.Unlock()
		<-w.wake
		var now int64
		if p.stats.timing {
			now = nanotime() // outside the lock, to keep it short
		}
		p.mu.Lock()
		if w.hasTask {
			e := w.task
			w.task, w.hasTask = entry{}, false
			w.busySince = now
			p.mu.Unlock()
			return e, true
		}
		if w.exit {
			p.mu.Unlock()
			return entry{}, false
		}
		// A stale wake-up: park again.
		p.unidleLocked(w)
	}
}

// newTaskCtx returns a zero taskCtx for the worker's next task. They come
// from slabs of 64: one allocation for many tasks. A context a task kept
// pins its slab (3 KiB) until it is dropped, and nothing is ever reused.
func (w *worker) newTaskCtx() *taskCtx {
	if len(w.ctxSlab) == 0 {
		w.ctxSlab = make([]taskCtx, 64)
	}
	tc := &w.ctxSlab[0]
	w.ctxSlab = w.ctxSlab[1:]
	return tc
}

// finished counts a task that ran, which ends its bgCtx if it has one.
// The count comes first so that Stats, which reads the failures first,
// never sees more of them than tasks finished.
func (w *worker) finished(failed bool) {
	if n := w.ran.Add(2); n&1 != 0 {
		w.ran.And(^uint64(1))
		w.endDerived(n>>1 - 1)
	}
	if failed {
		w.sh.failed.Add(1)
	}
}

// leaveLocked retires w, whose goroutine is about to exit, and unlocks.
func (p *Pool) leaveLocked(w *worker) {
	p.workers--
	p.retireLocked(w)
	p.exitedLocked()
	if p.stats.timing {
		p.endBusyLocked(w, nanotime())
	}
	p.mu.Unlock()
}

// armJanitorLocked schedules the janitor, which retires workers that stayed
// parked longer than the idle timeout, oldest first, down to MinWorkers.
// One timer for the pool keeps timers off the park/unpark path. It is a
// timer that runs the janitor, not a goroutine that waits for ticks: a pool
// made for one burst of tasks and closed right after (a fresh pool per
// batch) then pays for no goroutine start and no context switch to it.
func (p *Pool) armJanitorLocked() {
	p.janitorOn = true
	d := max(p.idleTimeout/4, time.Millisecond)
	if p.janitor == nil {
		// The janitor takes p.mu, which the caller holds, so it cannot
		// run before p.janitor is set.
		p.janitor = time.AfterFunc(d, p.sweepIdle)
	} else {
		p.janitor.Reset(d)
	}
}

// sweepIdle is the janitor's round; it arms the next while workers above
// MinWorkers remain.
func (p *Pool) sweepIdle() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.janitorOn = false
		return
	}
	now := nanotime()
	for len(p.idle) > 0 && p.workers > p.min && now-p.idle[0].idleSince >= int64(p.idleTimeout) {
		p.releaseIdleLocked(1)
	}
	if p.workers <= p.min {
		p.janitorOn = false
		return
	}
	p.janitor.Reset(max(p.idleTimeout/4, time.Millisecond))
}

func (p *Pool) unidleLocked(w *worker) {
	for i, v := range p.idle {
		if v == w {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			return
		}
	}
}

// releaseIdleLocked tells up to n parked workers to exit.
func (p *Pool) releaseIdleLocked(n int) {
	for n > 0 && len(p.idle) > 0 {
		w := p.idle[0]
		p.unidleLocked(w)
		p.retireLocked(w)
		w.exit = true
		p.workers--
		select {
		case w.wake <- struct{}{}:
		default:
		}
		n--
	}
	p.exitedLocked()
}

func (p *Pool) exitedLocked() {
	if p.closed && p.workers == 0 && !p.doneClosed {
		p.doneClosed = true
		if p.janitor != nil {
			p.janitor.Stop()
		}
		p.releaseRingLocked()
		close(p.done)
	}
}

// run runs one task on the calling worker.
func (p *Pool) run(e *entry, w *worker) {
	sh := w.sh
	var start int64
	if e.enq != 0 {
		start = nanotime()
		sh.hist.wait.record(start - e.enq)
	}
	var timeout time.Duration
	if e.handle {
		timeout = e.r.timeout()
	}
	var ctx context.Context
	var cancel context.CancelFunc
	var tc *taskCtx
	bg := isBackground(e.ctx)
	if !bg && e.ctx.Done() != nil {
		if err := e.ctx.Err(); err != nil {
			sh.cancelled.Add(1)
			e.complete(notRun(err))
			return
		}
	}
	switch {
	case timeout <= 0 && bg:
		// The common case, and the cheapest: a byte per task (bgCtx).
		ctx = w.newBgCtx(p)
	case timeout <= 0:
		tc = w.newTaskCtx()
		tc.Context, tc.p = e.ctx, p
		ctx = tc
	default:
		ctx, cancel = context.WithTimeout(e.ctx, timeout)
		// CloseNow reaches this context through the worker, which is
		// cheaper than registering every task with the shared kill context
		// (a lock and a map entry there, twice per task, from all workers).
		// A worker arms its task's context before it checks killed, and
		// CloseNow sets killed before it looks at the workers.
		w.killMu.Lock()
		w.cancel = cancel
		w.killMu.Unlock()
		if p.killed.Load() {
			cancel()
		}
	}
	err := p.callSafely(e, ctx, w, tc)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		sh.cancelledRunning.Add(1)
	}
	if cancel != nil {
		w.killMu.Lock()
		w.cancel = nil
		w.killMu.Unlock()
		cancel()
	}
	if tc != nil {
		tc.end()
	}
	if e.enq != 0 {
		d := nanotime() - start
		sh.hist.run.record(d)
		w.runEst = max(d, 1) // the run-time sample for the auto queue and batching
	}
	w.finished(err != nil) // ends bc
	e.complete(err)
}

// callSafely calls the task, turning a panic into a *PanicError. A task
// that calls runtime.Goexit cannot be stopped from ending the worker's
// goroutine, so the deferred function finishes the task there (as run
// would: its context ended, counted as failed, its error published) and
// clears its entry so the replacement goroutine does not run it again.
func (p *Pool) callSafely(e *entry, ctx context.Context, w *worker, tc *taskCtx) (err error) {
	returned := false
	defer func() {
		if returned {
			return
		}
		v := recover()
		err = panicError(v)
		if v != nil {
			return // a panic, recovered: run goes on
		}
		w.killMu.Lock()
		if w.cancel != nil {
			w.cancel()
			w.cancel = nil
		}
		w.killMu.Unlock()
		if tc != nil {
			tc.end()
		}
		w.finished(true)
		done := *e
		*e = entry{}
		done.complete(err)
	}()
	err = e.r.call(ctx)
	returned = true
	return err
}

// Spin budgets of a worker that finds the queue empty. Parking and being
// handed a task costs a wake-up: tens of microseconds when the CPU the
// worker ran on has gone idle meanwhile (a VM's idle vCPU halts), during
// which a producer refilling the queue runs alone. A worker that watches
// the ring for a while first, yielding its P at each look so that a
// producer waiting for one runs, takes the next task without it. The
// budget adapts as Team's does: it doubles when the spin finds a task and
// halves when it does not, so an idle pool stops spinning soon.
const (
	workerSpinMin     = 2 * time.Microsecond
	workerSpinMax     = 50 * time.Microsecond
	workerSpinInitial = 20 * time.Microsecond
)

// spinForTask watches the ring for up to w's spin budget and reports
// whether it found something to take. p.mu is held on entry and on return.
func (p *Pool) spinForTask(w *worker) bool {
	if p.max > p.procs || p.lockOS {
		// Workers beyond the Ps (a pool for tasks that block) would take
		// turns spinning. A worker locked to its thread would yield a
		// thread of its own.
		return false
	}
	if p.stats.timing {
		p.endBusyLocked(w, nanotime())
	}
	p.spinners++
	p.pending.Store(p.rlen > 0)
	p.mu.Unlock()
	start := nanotime()
	found := false
	for i := 1; ; i++ {
		if p.pending.Load() {
			found = true
			break
		}
		if i%8 == 0 && nanotime()-start >= w.spin {
			break
		}
		runtime.Gosched()
	}
	p.mu.Lock()
	p.spinners--
	if found {
		w.spin = min(int64(workerSpinMax), 2*w.spin)
	} else {
		w.spin = max(int64(workerSpinMin), w.spin/2)
	}
	return found
}
