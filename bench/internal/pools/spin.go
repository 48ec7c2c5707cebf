package pools

import (
	"sync/atomic"
	"time"
)

var spinSink atomic.Uint64

// Spin does k rounds of dependent integer arithmetic: a task of fixed work
// that no compiler removes and no memory traffic slows.
func Spin(k int) {
	x := uint64(k)
	for range k {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 0 {
		spinSink.Add(1) // never in practice; keeps the loop
	}
}

// SpinPerNS measures Spin's rounds per nanosecond, the best of a few tries,
// so that a busy machine makes tasks shorter, not longer, than stated.
func SpinPerNS() float64 {
	const k = 1 << 20
	best := time.Hour
	for range 5 {
		t := time.Now()
		Spin(k)
		best = min(best, time.Since(t))
	}
	return k / float64(best.Nanoseconds())
}
