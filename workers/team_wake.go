// Seeing a Team worker that should be running run: a caller that finds it
// absent yields its CPU to it.

package workers

import "time"

// Waking a parked worker and seeing it run. The kernel often queues the
// woken thread on the caller's CPU, and while the caller spins through its
// loops the thread waits there for the next scheduler tick, 4 ms on the
// benchmark machine, with the other CPU idle: every loop in between runs on
// the caller alone (a round of 128 back-to-back Sums of 2^17 float64 took
// 9.5 µs a call instead of 4.3 in about half the rounds after an idle
// spell). A worker that is not stuck takes a chunk within microseconds;
// for one that has not after wakeGrace, the caller yields its CPU, at most
// once per wakeGrace, until wakeWindow has passed.
const (
	wakeGrace  = 20 * time.Microsecond
	wakeWindow = 10 * time.Millisecond
)

// letWokenRun yields the caller's CPU to a woken worker that may be queued
// behind it; now is nanotime. It is called when the caller has run its
// first chunk of a loop and the loop's other chunks are not all taken yet:
// the worker has not arrived. The first such loop only starts the clock (a
// loop whose worker arrives in time reads none); from wakeGrace after it
// on, the caller yields at most once per wakeGrace, until wakeWindow.
func (t *Team) letWokenRun(now int64) {
	switch {
	case t.wokeAt < 0:
		t.wokeAt = now
	case now-t.wokeAt > int64(wakeWindow):
		t.wokeAt = 0
	case now-t.wokeAt >= int64(wakeGrace) && now-t.yieldedAt >= int64(wakeGrace):
		t.yieldedAt = now
		t.yield()
	}
}

// ranAlone notes a loop of several chunks that its caller ran all of. A
// worker need not be parked to be kept off every CPU: runtime.Gosched in
// its spin puts its goroutine on the scheduler's global queue, and if the
// caller's goroutine has taken its P meanwhile (the worker readied it onto
// that P when it woke it from await), the thread the runtime wakes to run
// the worker is queued by the kernel on the caller's busy CPU, as a woken
// worker's is (letWokenRun), while the other CPU idles. Its loops then ran
// on the caller alone for milliseconds: a third of the rounds of 128
// back-to-back Sums of 2^17 float64 after an idle spell. So when a streak
// of such loops has lasted wakeGrace with no worker even looking at one
// (seen unchanged), the caller treats the workers as woken and absent, and
// yields its CPU in the loops that follow. A worker that is running looks
// at least every few microseconds, even when it waits longer between looks
// at tiny loops (pace). It is called on the 1st, 2nd, 4th ... loop of a
// streak and every aloneCheck-th after (t.alone counts them), and reads
// the clock (nanotime, but for tests) from the 2nd on, so a run of tiny
// loops reads it rarely.
func (t *Team) ranAlone(clock func() int64) {
	if t.alone == 1 {
		t.aloneSeen, t.aloneSince = t.seen.Load(), 0
		return
	}
	now := clock()
	if t.aloneSince != 0 && now-t.aloneSince < int64(wakeGrace) {
		return // seen is read at most once per wakeGrace: a worker writes it
	}
	if s := t.seen.Load(); s != t.aloneSeen || t.aloneSince == 0 {
		t.aloneSeen, t.aloneSince = s, now
		return
	}
	t.wokeAt, t.alone = -1, 0
}

// aloneCheck is how many loops apart ranAlone reads the clock once a
// streak is long.
const aloneCheck = 64
