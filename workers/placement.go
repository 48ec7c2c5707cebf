// Moving a woken Team worker off its caller's CPU.

package workers

import "time"

// placeEvery is how often at most a worker moves off its waker's CPU
// (placement.Leave, about 20 µs): a bound on what moving costs when the
// kernel keeps putting the two back together.
const placeEvery = 250 * time.Microsecond

// mustMove reports whether a worker that has just woken on cpu (-1:
// unknown) should move off it, its waker being on waker (-1: unknown), at
// now (nanotime). placed is when it last moved (0: never); mustMove notes
// the move there.
//
// The kernel often wakes a thread on its waker's CPU and leaves it there
// while both are busy, and then the two take turns on one CPU while
// another idles: a fork-join loop runs at a single core's speed
// (internal/placement). A thread that spins is not put there; one that
// parked often is, so only a wake-up is checked.
//
// Pool workers do not move: a producer and the workers it feeds are more
// threads than CPUs as soon as the pool has as many workers as CPUs, and
// moving them cost 20–30% of the throughput of tasks of up to 2 µs (the
// paired pool grid of bench/pool, against pond).
func mustMove(cpu int, waker int32, now int64, placed *int64) bool {
	if cpu < 0 || int32(cpu) != waker || (*placed != 0 && now-*placed < int64(placeEvery)) {
		return false
	}
	*placed = now
	return true
}
