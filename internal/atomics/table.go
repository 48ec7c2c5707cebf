package atomics

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// ErrClosed is returned by waits that end because their Table was closed.
var ErrClosed = errors.New("atomics: wait table closed")

// ErrTooManyWaiters is returned when a cell already holds MaxWaiters, a
// word MaxWordWaiters of this process, or every slot of a word is held by a
// live process.
var ErrTooManyWaiters = errors.New("atomics: too many waiters on one cell")

// errSlotLost is returned when this process's slot in a word was taken
// away, which only a peer that scribbles over the word can do.
var errSlotLost = errors.New("atomics: this process's slot in the word was taken over")

// Spin budget bounds. A waiter spins before it parks, because a handoff
// between two running cores takes well under a microsecond while parking and
// waking costs a syscall each way (15-27µs for a futex round trip on a
// typical VM). The budget adapts: it doubles when a spin catches the wake-up
// and halves when it does not, so waiters that are usually woken quickly
// spin and waiters that sleep long stop burning a core.
const (
	spinMin     = 2 * time.Microsecond
	spinMax     = 50 * time.Microsecond
	spinInitial = 10 * time.Microsecond

	// sleeperLinger bounds how long a sleeper outlives its last waiter: it
	// stays so that back-to-back parks don't start a new one each time.
	sleeperLinger = 50 * time.Millisecond
)

// A Table parks the goroutines of this process that wait on cells.
//
// The goroutines waiting on one cell park in the Go scheduler. If the table
// is shared, one goroutine per cell, the sleeper, blocks in the kernel on the
// cell's futex for all of them and fans wake-ups from other processes out to
// them. A thousand goroutines waiting on one word therefore hold one OS
// thread, not a thousand. A notify from this process wakes local waiters
// directly, without a system call; it calls futex wake only if another
// process has a sleeper on the cell.
//
// A Table is safe for concurrent use. Its zero value is not usable: call
// NewTable.
type Table struct {
	shared bool

	inflight atomic.Int64 // Waits and sleepers that may still touch cell memory
	closed   atomic.Bool
	done     chan struct{} // closed by Close
	parked   atomic.Int64  // goroutines parked on queues; lets Notify skip mu
	spinNs   atomic.Int64  // adaptive spin budget

	live      liveness     // owners of other processes' slots in words
	lastSweep atomic.Int64 // when a Notify last checked idle slots' owners (Unix ns)

	mu     sync.Mutex
	queues map[unsafe.Pointer]*queue // by cell or word address
}

type queue struct {
	waiters  []*waiter // FIFO of parked goroutines
	sleeping bool      // a sleeper goroutine serves this cell
	slot     *wordSlot // for a word: this process's slot, held while the queue exists
	users    int       // for a word: WaitWord calls that hold slot
}

// A waitable is what parking and the sleeper need of a cell, or of this
// process's slot in a word.
type waitable interface {
	claim(epoch uint64) bool
	tokens() int
	withdraw(epoch uint64, preferToken bool) bool
	addParked(delta int64)
	futex() *uint32
}

type waiter struct {
	ch chan struct{} // buffered 1; a send means "look for a token"
}

// signal tells w to look for a token; a signal already pending is enough.
func (w *waiter) signal() {
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// NewTable returns a table. If shared is true, cells may be waited on or
// notified by other processes too, and parked waiters are also reachable
// through the futex; if false, everything stays in the Go scheduler.
func NewTable(shared bool) *Table {
	t := &Table{shared: shared, done: make(chan struct{}), queues: make(map[unsafe.Pointer]*queue)}
	t.spinNs.Store(int64(spinInitial))
	return t
}

// Wait waits on c while its value is expected: it returns NotEqual at once
// if the value differs, Woken when a Notify hands this waiter a wake-up, and
// TimedOut when the timeout passes (timeout < 0: no limit) or ctx ends (then
// with ctx's error). It returns ErrClosed if the table closes meanwhile.
func (t *Table) Wait(ctx context.Context, c *Cell, expected uint32, timeout time.Duration) (Result, error) {
	t.inflight.Add(1)
	defer t.inflight.Add(-1)
	if t.closed.Load() {
		return TimedOut, ErrClosed
	}
	epoch, ok := c.register()
	if !ok {
		return TimedOut, ErrTooManyWaiters
	}
	return t.await(ctx, unsafe.Pointer(c), c, epoch, &c.value, expected, timeout, func() { t.Notify(c, 1) })
}

// await is the part of a wait that follows registration in c (a cell, or
// this process's slot in a word, kept in the queue under key) with epoch:
// it returns NotEqual at once if *value is no longer expected, else spins
// for the adaptive budget and then parks. handOn passes on a wake-up that a
// notify gave this waiter before it withdrew without sleeping.
func (t *Table) await(ctx context.Context, key unsafe.Pointer, c waitable, epoch uint64, value *uint32, expected uint32, timeout time.Duration, handOn func()) (Result, error) {
	if atomic.LoadUint32(value) != expected {
		if c.withdraw(epoch, true) {
			// A notify may have picked us in the meantime; we never
			// slept, so hand the wake-up to a waiter that did.
			handOn()
		}
		return NotEqual, nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return t.giveUp(c, epoch, err)
	}
	if timeout == 0 {
		return t.giveUp(c, epoch, nil)
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	budget := time.Duration(t.spinNs.Load())
	if timeout > 0 {
		budget = min(budget, timeout)
	}
	if t.spin(c, epoch, budget) {
		t.spinNs.Store(min(int64(spinMax), 2*t.spinNs.Load()))
		return Woken, nil
	}
	t.spinNs.Store(max(int64(spinMin), t.spinNs.Load()/2))
	return t.park(ctx, key, c, epoch, deadline)
}

// giveUp withdraws from c, reporting Woken instead if a notify had already
// picked this waiter.
func (t *Table) giveUp(c waitable, epoch uint64, err error) (Result, error) {
	if c.withdraw(epoch, true) {
		return Woken, nil
	}
	return TimedOut, err
}

// spin looks for a token in c for up to budget without parking. A cell's
// tokens are read directly rather than through the interface: the loop
// polls them as fast as it can, and an indirect call per poll shows in
// the latency of a hand-over.
func (t *Table) spin(c waitable, epoch uint64, budget time.Duration) bool {
	start := time.Now()
	cell, _ := c.(*Cell)
	for i := 1; ; i++ {
		var ready bool
		if cell != nil {
			ready = tokensOf(atomic.LoadUint64(&cell.state)) > 0
		} else {
			ready = c.tokens() > 0
		}
		if ready && c.claim(epoch) {
			return true
		}
		if i%64 == 0 {
			if time.Since(start) >= budget || t.closed.Load() {
				return false
			}
			// Let a notifier that shares this P run.
			runtime.Gosched()
		}
		pause()
	}
}

func (t *Table) park(ctx context.Context, key unsafe.Pointer, c waitable, epoch uint64, deadline time.Time) (Result, error) {
	w := &waiter{ch: make(chan struct{}, 1)}
	var timer <-chan time.Time
	if !deadline.IsZero() {
		left := time.Until(deadline)
		if left <= 0 {
			return t.giveUp(c, epoch, nil)
		}
		tm := time.NewTimer(left)
		defer tm.Stop()
		timer = tm.C
	}
	t.parked.Add(1)
	defer t.parked.Add(-1)
	signaled := false
	for {
		if !t.enqueue(key, c, w) {
			return t.giveUp(c, epoch, ErrClosed)
		}
		// A notify that granted a token before we were on the queue could
		// not wake us: look once more before sleeping.
		if c.claim(epoch) {
			t.dequeue(key, w)
			return Woken, nil
		}
		if signaled && c.tokens() > 0 {
			// We were signaled for a wake-up granted before we
			// registered: pass the signal to the next waiter in line.
			t.signalOther(key, w)
		}
		signaled = false
		select {
		case <-w.ch:
			// A notifier or the sleeper took us off the queue; claim or
			// go round again (another waiter may have won the token).
			if c.claim(epoch) {
				return Woken, nil
			}
			signaled = true
			continue
		case <-timer:
			t.dequeue(key, w)
			return t.giveUp(c, epoch, nil)
		case <-ctx.Done():
			t.dequeue(key, w)
			return t.giveUp(c, epoch, ctx.Err())
		case <-t.done:
			t.dequeue(key, w)
			return t.giveUp(c, epoch, ErrClosed)
		}
	}
}

// enqueue puts w at the back of c's queue and makes sure a sleeper serves the
// cell if the table is shared. It reports false if the table is closed.
func (t *Table) enqueue(key unsafe.Pointer, c waitable, w *waiter) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Load() {
		return false
	}
	q := t.queues[key]
	if q == nil {
		q = &queue{}
		t.queues[key] = q
	}
	q.waiters = append(q.waiters, w)
	if t.shared && !q.sleeping {
		q.sleeping = true
		c.addParked(1)
		t.inflight.Add(1)
		go t.sleep(key, c, q)
	}
	return true
}

// dequeue removes w from key's queue if it is still there.
func (t *Table) dequeue(key unsafe.Pointer, w *waiter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queues[key]
	if q == nil {
		return
	}
	for i, x := range q.waiters {
		if x == w {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			break
		}
	}
	t.dropLocked(key, q)
}

// dropLocked forgets q once nothing uses it: no parked waiter, no sleeper,
// no WaitWord call; a word's slot is freed with it. t.mu is held.
func (t *Table) dropLocked(key unsafe.Pointer, q *queue) {
	if len(q.waiters) != 0 || q.sleeping || q.users != 0 {
		return
	}
	delete(t.queues, key)
	if q.slot != nil {
		q.slot.w.freeSlot(q.slot.i, q.slot.owner)
	}
}

// signalOther signals the first waiter on key's queue other than w.
func (t *Table) signalOther(key unsafe.Pointer, w *waiter) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.queues[key]
	if q == nil {
		return
	}
	for i, x := range q.waiters {
		if x != w {
			x.signal()
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return
		}
	}
}

// wakeLocked pops up to n waiters off q and signals them. t.mu is held.
func (q *queue) wakeLocked(n int) {
	n = min(n, len(q.waiters))
	for _, w := range q.waiters[:n] {
		w.signal()
	}
	q.waiters = append(q.waiters[:0], q.waiters[n:]...)
}

// sleep is the sleeper of one cell: it blocks on the cell's futex on behalf
// of the goroutines parked on q and wakes as many of them as there are tokens
// whenever seq moves.
func (t *Table) sleep(key unsafe.Pointer, c waitable, q *queue) {
	defer t.inflight.Add(-1)
	idleSince := time.Time{}
	seq := c.futex()
	for {
		s := atomic.LoadUint32(seq)
		t.mu.Lock()
		if len(q.waiters) == 0 {
			if idleSince.IsZero() {
				idleSince = time.Now()
			}
		} else {
			idleSince = time.Time{}
		}
		if t.closed.Load() || (!idleSince.IsZero() && time.Since(idleSince) >= sleeperLinger) {
			q.sleeping = false
			c.addParked(-1)
			t.dropLocked(key, q)
			t.mu.Unlock()
			return
		}
		if n := c.tokens(); n > 0 {
			q.wakeLocked(n)
		}
		t.mu.Unlock()
		Wait(seq, s, sleeperLinger)
	}
}

// Notify wakes up to n of the goroutines and processes waiting on c and
// returns how many it woke. If nobody is registered it costs one atomic load;
// it makes a system call only if another process has a sleeper on c.
func (t *Table) Notify(c *Cell, n int) int {
	if n <= 0 || waitingOf(atomic.LoadUint64(&c.state)) == 0 {
		return 0
	}
	k, parked := c.grant(n)
	if k == 0 {
		return 0
	}
	atomic.AddUint32(&c.seq, 1)
	local := false
	if t.parked.Load() > 0 {
		t.mu.Lock()
		if q := t.queues[unsafe.Pointer(c)]; q != nil {
			q.wakeLocked(k)
			local = q.sleeping
		}
		t.mu.Unlock()
	}
	if local {
		parked--
	}
	if parked > 0 {
		Wake(&c.seq, maxWake)
	}
	return k
}

// Close wakes every goroutine parked in the table with ErrClosed, stops the
// sleepers, and returns once no wait of this table touches cell memory any
// more, so the memory can be unmapped. Close is idempotent.
func (t *Table) Close() {
	t.mu.Lock()
	if t.closed.Load() {
		t.mu.Unlock()
		t.drain()
		return
	}
	t.closed.Store(true)
	close(t.done)
	var seqs []*uint32
	for key, q := range t.queues {
		if q.sleeping {
			if q.slot != nil {
				seqs = append(seqs, &q.slot.w.seq)
			} else {
				seqs = append(seqs, &(*Cell)(key).seq)
			}
		}
	}
	t.mu.Unlock()
	for _, seq := range seqs {
		// Sleepers of other processes wake too, find nothing, and sleep on.
		Wake(seq, maxWake)
	}
	t.drain()
	t.live.close()
}

func (t *Table) drain() {
	for d := time.Microsecond; t.inflight.Load() > 0; d = min(2*d, time.Millisecond) {
		time.Sleep(d)
	}
}

// Closed reports whether Close has been called.
func (t *Table) Closed() bool { return t.closed.Load() }
