package shm

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/sharc-go/sharc/internal/atomics"
	"github.com/sharc-go/sharc/internal/placement"
)

// A waiting side of a queue spins for its adaptive budget, then sleeps on
// its futex word in slices of queueSlice, looking after each slice whether
// the peer process still lives.
const (
	queueSpinMax     = 50 * time.Microsecond
	queueSpinInitial = 10 * time.Microsecond
	queueSlice       = 100 * time.Millisecond
	// queueSpinAlone is how long a side spins before it starts to yield
	// its CPU between looks: a peer running on another CPU answers sooner.
	queueSpinAlone = 3 * time.Microsecond
	// queueYieldSwitched is how long a yield takes when the kernel ran
	// another thread meanwhile; with nothing else to run it returns in
	// well under a microsecond.
	queueYieldSwitched = 2 * time.Microsecond
	// queueSpinWoken is how long a wait for a reply spins after its
	// request woke a sleeping consumer (RepliesTo). A woken process
	// answers only once its CPU is running again, which on a virtual
	// machine whose idle CPUs halt takes tens of microseconds (45 µs at
	// the median, 100 µs at p90 on the 2-core VM of docs/benchmarks.md).
	// A waiter that slept through that would add a second wake-up of the
	// same cost, its own.
	queueSpinWoken = 200 * time.Microsecond
)

// queueEpoch and queueClock give the monotonic time stamps of Queue.wokeAt.
var queueEpoch = time.Now()

func queueClock() int64 { return int64(time.Since(queueEpoch)) }

// spinBudget is how long a side spins before it sleeps, adapted to how its
// waits end:
//
//   - A spin that catches the peer raises the budget to twice the time it
//     took (at least doubling it), so the next wait of that length is
//     caught too.
//   - A spin that runs out, or one that caught the peer only after the
//     kernel ran another thread on this CPU during a yield, halves it,
//     down to queueSpinAlone: the peer is idle, or it shares this CPU and
//     needs it more than a spinner does (a sleeper hands it over at once).
//   - A wait on a budget down to queueSpinAlone spins for queueSpinMax
//     instead (a probe) when this side has passed a multiple of
//     probeEvery messages, and on every 4·probeEvery-th such wait. Without
//     probes a small budget would never grow again: a sleeping peer takes
//     longer to answer than a spinning one, since it has to be woken
//     first, so once both sides' budgets fell below that wake-up time,
//     both would sleep through every round trip (each paying the other's
//     wake-up) with no spin ever long enough to catch the other. The
//     probe catches the woken peer's answer, and its catch counts even
//     after a contended yield, which may be what let the peer answer.
type spinBudget struct {
	ns    atomic.Int64
	waits atomic.Uint32
	// msgs counts the messages this side has passed (committed, or
	// released). Only the side's own goroutine touches it, as it does
	// the rest of the side's state.
	msgs uint64
}

// probeEvery is how often a side whose budget is small spins long to see
// whether its peer is back to answering quickly.
const probeEvery = 64

func (s *spinBudget) init() { s.ns.Store(int64(queueSpinInitial)) }

// budget returns how long the next wait spins, and whether the wait is a
// probe.
func (s *spinBudget) budget() (time.Duration, bool) {
	b := time.Duration(s.ns.Load())
	if b > queueSpinAlone {
		return b, false
	}
	// Probes fall on the same round trip on both sides of a request and
	// reply exchange: a caller that has read k replies waits for reply
	// k+1 just after its peer, having read k requests, waits for request
	// k+1. Each side has to catch the other's answer in the same round
	// trip for both to spin again, so the two probes must meet.
	if s.msgs%probeEvery == 0 || s.waits.Add(1)%(4*probeEvery) == 0 {
		return queueSpinMax, true
	}
	return b, false
}

func (s *spinBudget) hit(took time.Duration) {
	s.ns.Store(int64(min(queueSpinMax, max(2*time.Duration(s.ns.Load()), 2*took))))
}

// woken raises a budget below queueSpinInitial to it: the peer has just
// woken this side, so messages flow again, and the next wait is likely to
// be short.
func (s *spinBudget) woken() {
	if s.ns.Load() < int64(queueSpinInitial) {
		s.ns.Store(int64(queueSpinInitial))
	}
}

// miss halves the budget, down to queueSpinAlone: a spin that short costs
// little, and it keeps the two sides spinning through each other's turns
// once both answer quickly.
func (s *spinBudget) miss() {
	s.ns.Store(max(s.ns.Load()/2, int64(queueSpinAlone)))
}

// ready reports whether the producer (space) has need bytes of room, or the
// consumer (!space) has a message, loading the peer's index.
func (q *Queue) ready(space bool, need uint64) (bool, error) {
	if space {
		t := atomic.LoadUint64(q.u64(qTail))
		if t&7 != 0 || q.head-t > q.cap {
			return false, q.corrupt("tail %d with head %d", t, q.head)
		}
		q.tailSeen = t
		return q.cap-(q.head-t) >= need, nil
	}
	h := atomic.LoadUint64(q.u64(qHead))
	if h&7 != 0 || h-q.tail > q.cap {
		return false, q.corrupt("head %d with tail %d", h, q.tail)
	}
	q.headSeen = h
	return h != q.tail, nil
}

// wait waits until ready(space, need) holds. The protocol, the same in
// every language (docs/design/queue.md): a side about to sleep reads its
// sequence word, sets its parked flag, checks once more, and sleeps on the
// sequence word if it still has to wait; the peer, after publishing its
// index, reads the parked flag and, if set, bumps the sequence word and
// wakes it. The flag store and the index store are each followed by the
// other side's load (sequentially consistent), so one of the two always
// sees the other and no wake-up is lost; a peer that finds the flag clear
// makes no system call. The waker clears the flag before it bumps the
// sequence word, so only the first of a burst of commits wakes the
// sleeper; a flag cleared from an earlier round is harmless, because the
// bump that follows makes the new round's sleep return at once.
func (q *Queue) wait(ctx context.Context, space bool, need uint64) error {
	seqOff, parkedOff, peerPidOff, peerCloseOff, sb := qDataSeq, qConsParked, qProdPid, qProdClose, &q.recvSpin
	if space {
		seqOff, parkedOff, peerPidOff, peerCloseOff, sb = qSpaceSeq, qProdParked, qConsPid, qConsClose, &q.sendSpin
	}
	if ok, err := q.ready(space, need); ok || err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// Spin: a peer that is running answers within microseconds, far less
	// than a sleep and a wake-up cost. Past queueSpinAlone the spin yields
	// its CPU between looks, in case the peer waits for it; a yield that
	// took long means the kernel ran something else here: the CPU is
	// contended, and then a spin is worth less than a sleep.
	budget, probe := sb.budget()
	start := time.Now()
	afterWake := false
	if !space {
		budget, afterWake = q.replySpin(budget, start)
	}
	contended := false
	for i := 1; budget > 0; i++ {
		if ok, err := q.ready(space, need); ok || err != nil {
			switch {
			case afterWake || !ok:
			case contended && !probe:
				sb.miss()
			default:
				sb.hit(time.Since(start))
			}
			return err
		}
		if i%16 == 0 {
			el := time.Since(start)
			if el >= budget {
				break
			}
			if el >= queueSpinAlone {
				placement.Yield()
				contended = contended || time.Since(start)-el > queueYieldSwitched
			}
			if i%64 == 0 {
				runtime.Gosched() // let a peer goroutine on this P run
			}
		}
		atomics.Pause()
	}
	if !afterWake {
		sb.miss()
	}

	seq, parked := q.u32(seqOff), q.u32(parkedOff)
	// A sleeping consumer is woken by the next commit. A sleeping producer
	// names the tail at which it wants to be woken, half a ring on, so a
	// consumer draining a full ring wakes it once per half ring instead of
	// once per message; tails are multiples of 8, so bit 0 marks the word
	// as set.
	parkVal := uint32(1)
	if space {
		want := max(need, q.cap/2)
		parkVal = uint32(q.head-q.cap+want) | 1
	}
	var (
		stop  func() bool
		woken chan struct{} // closed when the wake-up on ctx has run
	)
	defer func() {
		// A wake-up already started must end before wait returns: the
		// caller may unmap the region next.
		if stop != nil && !stop() {
			<-woken
		}
	}()
	slice := queueSlice
	if d := q.peerCheck.Load(); d > 0 {
		slice = time.Duration(d)
	}
	lastCheck := time.Now()
	raw := time.Duration(q.rawSleep.Load())
	for {
		if err := q.usable(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if atomic.LoadUint32(q.u32(peerCloseOff)) != 0 {
			// The producer's last messages are still delivered.
			if ok, err := q.ready(space, need); ok || err != nil {
				return err
			}
			return ErrQueueClosed
		}
		s := atomic.LoadUint32(seq)
		atomic.StoreUint32(parked, parkVal)
		if ok, err := q.ready(space, need); ok || err != nil {
			atomic.StoreUint32(parked, 0)
			return err
		}
		if stop == nil && ctx.Done() != nil {
			// A cancelled ctx bumps the sequence word, so the sleep
			// below ends at once even if ctx ended just before it.
			woken = make(chan struct{})
			stop = context.AfterFunc(ctx, func() {
				atomic.AddUint32(seq, 1)
				atomics.Wake(seq, 1<<30)
				close(woken)
			})
		}
		var res atomics.Result
		if raw > 0 {
			// Once per wait: a longer sleep goes on in an ordinary
			// system call. Its end is no timed-out slice.
			if res = rawWait(seq, s, min(raw, slice)); res == atomics.TimedOut {
				res = atomics.Woken
			}
			raw = 0
		} else {
			res = atomics.Wait(seq, s, slice)
		}
		atomic.StoreUint32(parked, 0)
		if ok, err := q.ready(space, need); ok || err != nil {
			if ok && res != atomics.TimedOut {
				sb.woken()
			}
			return err
		}
		if res == atomics.TimedOut || time.Since(lastCheck) >= slice {
			lastCheck = time.Now()
			if pid := atomic.LoadUint32(q.u32(peerPidOff)); pid != 0 && pid != q.pid && !pidAlive(pid) {
				if ok, err := q.ready(space, need); ok || err != nil {
					return err
				}
				return ErrPeerDied
			}
		}
	}
}

// SetPeerCheck sets how often a side of q that sleeps looks whether its
// peer process still lives: every 100 ms unless set (d <= 0 restores that).
// A sleeper wakes once per interval for the look, so a process that learns
// of its peer's death another way (a parent-death signal, a supervisor
// that cancels the context) may set a long interval to sleep undisturbed.
func (q *Queue) SetPeerCheck(d time.Duration) { q.peerCheck.Store(int64(max(d, 0))) }

// SetRawSleep makes a side of q that has to sleep spend the first d of each
// sleep in a raw system call, one that keeps its goroutine's P (and, with
// GOMAXPROCS 1, the process's only P) instead of handing it back to the Go
// scheduler; past d it sleeps as usual. It is for a process of one P whose
// goroutine waiting on q is the only one that matters while it waits, as a
// process worker waiting for its next call: an ordinary sleep there has the
// runtime hand the idle P to a freshly woken thread, and take it back at
// the wake-up, which costs more than the wake-up itself. Meanwhile no other
// goroutine of such a process runs, and a context given to the wait is
// noticed only once the raw sleep ends. d <= 0 (the default) turns it off.
func (q *Queue) SetRawSleep(d time.Duration) { q.rawSleep.Store(int64(max(d, 0))) }

// replySpin returns how long a consumer's wait that starts at now spins,
// given its budget, and whether it spins longer than that because a
// request of RepliesTo woke its peer: a reply to such a request comes only
// after that wake-up, so the wait spins until queueSpinWoken after it. It
// then leaves the budget, which is for peers that were awake, as it is.
func (q *Queue) replySpin(budget time.Duration, now time.Time) (time.Duration, bool) {
	r := q.requests.Load()
	if r == nil {
		return budget, false
	}
	w := r.wokeAt.Load()
	if w == 0 {
		return budget, false
	}
	if left := queueSpinWoken - now.Sub(queueEpoch) + time.Duration(w); left > budget {
		return left, true
	}
	return budget, false
}

// RepliesTo tells q that the messages it carries answer those sent on
// requests, as a process worker's results answer its calls. A wait on q
// that begins within 200 µs of a send on requests that woke its sleeping
// consumer then spins for the rest of those 200 µs before it sleeps: the
// woken process needs its CPU back before it can answer, which takes tens
// of microseconds on a virtual machine whose idle CPUs halt, and a waiter
// that slept meanwhile would have to be woken the same way. It sets how q's
// consumer waits and nothing in the shared header; requests nil undoes it.
func (q *Queue) RepliesTo(requests *Queue) { q.requests.Store(requests) }

// wake bumps the sequence word at seqOff and wakes the side sleeping on it.
func (q *Queue) wake(seqOff int) {
	p := q.u32(seqOff)
	atomic.AddUint32(p, 1)
	atomics.Wake(p, 1<<30)
}
