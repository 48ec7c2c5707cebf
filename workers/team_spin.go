package workers

import (
	"runtime"
	"time"

	"github.com/sharc-go/sharc/internal/atomics"
)

// Spin budgets. A worker that finishes a loop spins on the team's epoch
// before it parks, because loops often follow each other within
// microseconds (the passes of a sort, an iterative solver) and a park/wake
// pair costs tens of microseconds. The budget adapts per worker: it doubles
// when a spin catches the next loop and halves when it does not, so a team
// that is idle for long stops burning a core after at most teamSpinMax.
const (
	teamSpinMin     = 2 * time.Microsecond
	teamSpinMax     = 100 * time.Microsecond
	teamSpinInitial = 20 * time.Microsecond
	// teamCallerSpin bounds how long the caller of For spins waiting for
	// the workers' last chunks before it parks.
	teamCallerSpin = 50 * time.Microsecond
)

// A pace is how often a worker of a Team looks at the loop epoch while it
// spins. Each look that finds a loop costs the caller a cache-line
// transfer: the caller's next write to the loop's line has to take the
// line back. When loops are tiny and back to back, the caller runs every
// chunk before the worker arrives, and a worker that looks at every loop
// only slows it down: an empty two-chunk For took 260 ns with the worker
// looking all the time and 55 ns when it looked every few microseconds.
// So a worker that keeps finding loops it is too late for, less than
// teamTinyLoop apart, waits longer between looks, up to teamGapMax pauses;
// a loop it gets a chunk of shortens the wait, and loops that come slower
// than teamTinyLoop, or a wake-up from parking, end it, so a loop worth
// sharing finds the worker at most one gap late.
type pace struct {
	gap   int    // pauses before each look at the epoch
	seenT int64  // nanotime of the last look that found a loop too late; 0: none since waking
	seenG uint32 // the epoch that look found
}

const (
	// teamTinyLoop is the interval between loops below which a worker
	// that gets no chunk waits longer between looks. Below it a second
	// core gains little: passing a chunk to another core and hearing back
	// costs one cross-core round trip, 100–500 ns.
	teamTinyLoop = 500 // ns
	// teamGapMax bounds the pauses between looks: about 5 µs on the AMD
	// EPYC the benchmarks run on (a PAUSE there takes 20 ns), 10 µs
	// where a PAUSE takes 40 ns.
	teamGapMax = 255
)

// claimed records a look that got a chunk. It reads no clock: a worker
// that gets chunks is on the loop's critical path, and its gap only shrinks.
func (p *pace) claimed() { p.gap /= 2 }

// missed records a look, at nanotime now, that found loop epoch g with
// every chunk already taken.
func (p *pace) missed(g uint32, now int64) {
	if p.seenT != 0 && g != p.seenG && now-p.seenT < int64(g-p.seenG)*teamTinyLoop {
		p.gap = min(2*p.gap+1, teamGapMax)
	} else {
		p.gap = 0
	}
	p.seenT, p.seenG = now, g
}

// spinWhile spins while c holds v, for at most budget, pausing gap times
// before each look at c (the first included). It returns c's value and
// whether it changed.
func spinWhile(c *atomics.Cell, v uint32, budget time.Duration, gap int) (uint32, bool) {
	var start time.Time
	next := gap // the step of the next look
	for i := 0; ; i++ {
		if i == next {
			if g := c.Load(); g != v {
				return g, true
			}
			next += gap + 1
		}
		if i%64 == 63 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) >= budget {
				return v, false
			}
			if i%1024 == 1023 {
				// Let a goroutine that shares this P run: a team may
				// have more workers than GOMAXPROCS.
				runtime.Gosched()
			}
		}
		atomics.Pause()
	}
}

// spinWhileNot spins until c holds v, for at most budget.
func spinWhileNot(c *atomics.Cell, v uint32, budget time.Duration) (uint32, bool) {
	var start time.Time
	for i := 1; ; i++ {
		g := c.Load()
		if g == v {
			return g, true
		}
		if i%64 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) >= budget {
				return g, false
			}
			if i%1024 == 0 {
				runtime.Gosched()
			}
		}
		atomics.Pause()
	}
}
