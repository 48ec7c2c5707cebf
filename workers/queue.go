package workers

import (
	"context"
	"math/bits"
	"sync"
	"time"
)

// entry is one task in the queue or on its way to a worker, by value, so
// that a fire-and-forget task costs no allocation. While it is queued its
// ring slot is its identity: a context's cancel hook finds it there by
// done and marks it dead (a tombstone that workers skip), all under
// Pool.mu.
type entry struct {
	r       runner
	onError func(error) // a fire-and-forget task's
	ctx     context.Context
	done    <-chan struct{} // ctx.Done(), when queued with a cancel hook
	enq     int64           // nanotime at submission; 0 when the task is not timed
	dead    bool            // cancelled while queued
	handle  bool            // r.complete and r.timeout matter: not a goFn
}

func (e *entry) complete(err error) {
	if e.handle {
		e.r.complete(err)
	} else if err != nil && e.onError != nil {
		e.onError(err)
	}
}

// Auto queue sizing and batching, from the measured run time of tasks.
const (
	maxBatch       = 32                    // tasks a worker takes per lock, at most
	batchWork      = 32 * time.Microsecond // a batch holds at most this much work beyond its first task
	autoQueueWork  = time.Millisecond      // auto queue: this much work per worker
	autoQueueMin   = 4                     // auto queue: at least this many tasks per worker
	autoQueueMax   = 256                   // auto queue: at most this many tasks per worker
	unboundedYield = 64                    // unbounded queue: past this many tasks per worker a submit yields once
	sampleRunEvery = 16                    // without Stats timing, a worker times its next pop after this many untimed tasks
)

// signalSpaceLocked hands one blocked submitter a token. Tokens do not pile
// up beyond one, so a submitter that took a slot passes the token on while
// room is left (passOnLocked).
func (p *Pool) signalSpaceLocked() {
	select {
	case p.space <- struct{}{}:
	default:
	}
}

func (p *Pool) passOnLocked() {
	if p.spaceWait > 0 && (p.maxQueue < 0 || p.queued < p.maxQueue) {
		p.signalSpaceLocked()
	}
}

func (p *Pool) pushLocked(e entry) {
	if p.rlen == len(p.ring) {
		p.growLocked()
	}
	p.ring[(p.rhead+p.rlen)&(len(p.ring)-1)] = e
	p.rlen++
	p.queued++
	if p.rlen == 1 && p.spinners > 0 {
		p.pending.Store(true)
	}
}

// growLocked doubles the ring, which stays a power of two long, or takes it
// at once to the queue's bound (up to shrinkRing) when that is longer: a
// fresh pool whose auto queue has grown to hundreds of tasks then copies
// its ring once, not at 64, 128 and 256. An empty pool first looks for a
// ring a closed pool left behind (ringCache).
func (p *Pool) growLocked() {
	n := max(2*len(p.ring), 64)
	if p.maxQueue > n {
		n = 1 << bits.Len(uint(min(p.maxQueue, shrinkRing)-1))
	}
	if p.rlen == 0 {
		if r, ok := ringCache.Get().(*[]entry); ok && len(*r) >= n {
			p.ring, p.rhead = *r, 0
			return
		}
	}
	ring := make([]entry, n)
	for i := range p.rlen {
		ring[i] = p.ring[(p.rhead+i)&(len(p.ring)-1)]
	}
	p.ring, p.rhead = ring, 0
}

// ringCache holds the empty rings of closed pools, so that a program that
// makes a pool per batch of tasks does not allocate (and the collector
// scan) a ring of up to 256 KiB per batch. A ring goes in only empty, and
// every slot outside the live part of a ring is zero (popLocked clears the
// slot it takes), so a ring comes out as good as new.
var ringCache sync.Pool

// releaseRingLocked hands the ring of a pool that is done to ringCache.
func (p *Pool) releaseRingLocked() {
	if p.rlen == 0 && len(p.ring) > 0 && len(p.ring) <= shrinkRing {
		r := p.ring
		p.ring, p.rhead = nil, 0
		ringCache.Put(&r)
	}
}

// shrinkRing is the ring length (entries) beyond which an emptied ring is
// dropped.
const shrinkRing = 1 << 12

// popLocked takes the oldest live task off the queue.
func (p *Pool) popLocked() (entry, bool) {
	for p.rlen > 0 {
		slot := &p.ring[p.rhead]
		e := *slot
		*slot = entry{} // let the task and its closure be collected
		p.rhead = (p.rhead + 1) & (len(p.ring) - 1)
		p.rlen--
		if p.rlen == 0 && p.spinners > 0 {
			p.pending.Store(false)
		}
		if p.rlen == 0 && len(p.ring) > shrinkRing {
			// Let a burst's ring go; the next push starts small again.
			p.ring, p.rhead = nil, 0
		}
		if e.dead {
			continue // cancelled while queued
		}
		if e.done != nil {
			p.unhookLocked(e.done)
		}
		p.dequeuedLocked()
		return e, true
	}
	return entry{}, false
}

// dequeuedLocked accounts for one live task leaving the queue.
func (p *Pool) dequeuedLocked() {
	p.queued--
	if p.spaceWait > 0 {
		p.signalSpaceLocked()
	}
	if p.drainWait > 0 {
		p.notifyLocked()
	}
}

// changedLocked returns a channel closed at the next resize or close and,
// while a Drain waits, at the next change of queue length downwards.
func (p *Pool) changedLocked() chan struct{} {
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return p.changed
}

func (p *Pool) notifyLocked() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// noteRunLocked folds a measured run time (ns per task) into the pool's
// estimate and resizes an auto queue to match. What it folds in is the
// smaller of this sample and the last: a pop during which the worker was
// preempted or descheduled (ms on a busy machine) is one high sample, while
// tasks that really became long give two in a row.
func (p *Pool) noteRunLocked(ns int64) {
	x := ns
	if p.lastRun != 0 {
		x = min(ns, p.lastRun)
	}
	p.lastRun = ns
	if p.runEst == 0 {
		p.runEst = x
	} else {
		p.runEst += (x - p.runEst) / 8
	}
	if p.autoQueue {
		p.setAutoQueueLocked()
	}
}

// setAutoQueueLocked sets an auto queue's limit from MaxWorkers and the
// run-time estimate, waking submitters blocked on a limit that grew.
func (p *Pool) setAutoQueueLocked() {
	per := autoQueueMin
	if p.runEst > 0 {
		per = int(min(max(int64(autoQueueWork)/p.runEst, autoQueueMin), autoQueueMax))
	}
	limit := per * p.max
	if limit > p.maxQueue && p.spaceWait > 0 {
		p.signalSpaceLocked()
	}
	p.maxQueue = limit
}
