package atomics

import (
	"context"
	"sync/atomic"
	"time"
	"unsafe"
)

// WaitWord is Wait for a Word: it waits on w while its value is expected.
// The goroutine registers in this process's slot of w, which the process
// takes on its first wait and frees when its last waiter and sleeper are
// gone. It returns ErrTooManyWaiters if every slot is held by a live
// process. The table must be shared.
func (t *Table) WaitWord(ctx context.Context, w *Word, expected uint32, timeout time.Duration) (Result, error) {
	t.inflight.Add(1)
	defer t.inflight.Add(-1)
	if t.closed.Load() {
		return TimedOut, ErrClosed
	}
	key := unsafe.Pointer(w)
	s, err := t.holdSlot(key, w)
	if err != nil {
		return TimedOut, err
	}
	defer t.unholdSlot(key)
	epoch, err := s.register()
	if err != nil {
		return TimedOut, err
	}
	return t.await(ctx, key, s, epoch, &w.value, expected, timeout, func() { t.NotifyWord(w, 1) })
}

// holdSlot returns this process's slot in w, taking one if the process has
// none, and counts the caller as a user of it until unholdSlot.
func (t *Table) holdSlot(key unsafe.Pointer, w *Word) (*wordSlot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queues[key]
	if q == nil {
		q = &queue{}
	}
	if q.slot == nil {
		i := w.claimSlot(myTag)
		if i < 0 {
			// Every slot is taken: free those of dead processes.
			t.reclaimDead(w)
			i = w.claimSlot(myTag)
		}
		if i < 0 {
			if len(q.waiters) == 0 && !q.sleeping && q.users == 0 {
				delete(t.queues, key)
			}
			return nil, ErrTooManyWaiters
		}
		q.slot = &wordSlot{w: w, i: i, owner: myTag}
	}
	t.queues[key] = q
	q.users++
	return q.slot, nil
}

func (t *Table) unholdSlot(key unsafe.Pointer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if q := t.queues[key]; q != nil {
		q.users--
		t.dropLocked(key, q)
	}
}

// reclaimDead frees the slots of w whose owners have died.
func (t *Table) reclaimDead(w *Word) {
	for i := range w.slots {
		v := atomic.LoadUint64(&w.slots[i])
		if pid := slotPid(v); v != 0 && pid != myTag && !t.live.alive(pid) {
			w.freeSlot(i, pid)
		}
	}
}

// NotifyWord wakes up to n of the goroutines and processes waiting on w and
// returns how many it woke. If no slot is in use it costs one atomic load.
// Before it hands wake-ups to another process's slot it checks that the
// process is alive (one poll(2) on a pidfd on Linux), and frees the slot of
// one that died, so a dead waiter is never counted as woken. It makes a
// futex system call only if a process it handed wake-ups to has a thread
// asleep on w.
func (t *Table) NotifyWord(w *Word, n int) int {
	if n <= 0 || atomic.LoadUint64(&w.summary)&sumSlots == 0 {
		return 0
	}
	return t.notifyWord(w, n)
}

func (t *Table) notifyWord(w *Word, n int) int {
	granted, wake := 0, false
	var idle uint64 // other processes' slots with no waiter
	var own uint64  // slots of this process that got wake-ups
	var ownK, ownParked [wordSlots]int
	for in := w.slotsInUse(); in != 0 && granted < n; in &= in - 1 {
		i := nextSlot(in)
		v := atomic.LoadUint64(&w.slots[i])
		pid := slotPid(v)
		switch {
		case v == 0:
			w.sweep(i)
			continue
		case slotWaiting(v) == 0:
			if pid != myTag {
				idle |= 1 << i
			}
			continue
		case pid != myTag && !t.live.alive(pid):
			w.freeSlot(i, pid)
			continue
		}
		k, parked := w.grantSlot(i, pid, n-granted)
		if k == 0 {
			continue
		}
		granted += k
		if pid == myTag {
			own |= 1 << i
			ownK[i], ownParked[i] = k, parked
		} else if parked > 0 {
			wake = true
		}
	}
	if granted == 0 {
		if idle != 0 {
			t.sweepIdle(w, idle)
		}
		return 0
	}
	atomic.AddUint32(&w.seq, 1)
	if own != 0 {
		// This table's slot gets its waiters signaled directly; a slot of
		// this process held through another mapping of the same memory
		// (another table) is woken like another process's.
		mine := -1
		t.mu.Lock()
		if q := t.queues[unsafe.Pointer(w)]; q != nil && q.slot != nil {
			mine = q.slot.i
			if own&(1<<mine) != 0 {
				q.wakeLocked(ownK[mine])
			}
		}
		t.mu.Unlock()
		for ; own != 0; own &= own - 1 {
			if i := nextSlot(own); i != mine && ownParked[i] > 0 {
				wake = true
			}
		}
	}
	if wake {
		Wake(&w.seq, maxWake)
	}
	return granted
}

// idleSweepEvery bounds how often a Notify that found no waiter checks the
// owners of slots held without waiters (a process whose sleeper lingers
// after its last wait, or that died then): at most one liveness check per
// such slot per period, so the summary becomes empty again soon after such
// a process dies, without a system call on every Notify meanwhile.
const idleSweepEvery = 100 * time.Millisecond

// sweepIdle frees the slots in idle whose owners have died, if the last
// sweep was long enough ago.
func (t *Table) sweepIdle(w *Word, idle uint64) {
	now := time.Now().UnixNano()
	last := t.lastSweep.Load()
	if now-last < int64(idleSweepEvery) || !t.lastSweep.CompareAndSwap(last, now) {
		return
	}
	for ; idle != 0; idle &= idle - 1 {
		i := nextSlot(idle)
		v := atomic.LoadUint64(&w.slots[i])
		if pid := slotPid(v); v != 0 && slotWaiting(v) == 0 && pid != myTag && !t.live.alive(pid) {
			w.freeSlot(i, pid)
		}
	}
}
