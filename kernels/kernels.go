package kernels

import (
	"fmt"

	"github.com/sharc-go/sharc/workers"
)

// Float is the set of floating-point element types.
type Float interface{ ~float32 | ~float64 }

// Integer is the set of integer element types.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// Number is the set of numeric element types.
type Number interface{ Integer | Float }

// block is the fixed partition of the reproducible reductions: Sum, Dot and
// Norm2 reduce each block of this many elements on its own and combine the
// block results pairwise, so their result depends only on the input, never
// on the number of workers.
const block = 4096

// The split of the work between the caller and a team. Measured with
// BenchmarkInCache (go test -run x -bench InCache ./kernels: float64, a
// 2-worker team vs the single-core body on the caller, GB/s, medians of 5 on
// the shared 2-core VM):
//
//	        32 Ki         64 Ki         128 Ki        256 Ki
//	       team  body    team  body    team  body    team  body
//	sum     148   164     139   167     176   102     125    89
//	dot     138   159     199   109     167    91     159    84
//	axpy    266   284     326   191     207   138     188   126
//
// Up to 64 Ki the team loses on some kernel (sum here; axpy in another
// run); from 128 Ki it wins on all three. That benchmark calls one kernel
// back to back, which keeps the team's workers spinning. A kernel called
// after a pause (after other work, as in bench/run's kernels section)
// finds its worker parked: the wake-up takes longer than a 64 Ki dot or
// axpy takes on the caller alone (about 6 µs), so the caller ran both
// chunks and paid the wake-up on top: dot 2^16 took 9.0 µs on the team in
// bench/run against about 5.8 µs on the caller alone, and of 256 such
// loops after a pause the worker joined 0 to 28. So every kernel stays on
// the caller below serialBelow elements, whatever the number of arrays it
// touches.
const (
	// serialBelow is the length under which kernels run on the caller
	// alone, where a fork-join would cost more than it brings.
	serialBelow = 1 << 17
	// grain is the chunk length handed to a worker by streaming kernels;
	// the reductions hand out grain/block blocks (at least one) at a time.
	grain = 1 << 15
)

// split is how a kernel divides n elements: under serialBelow it runs on the
// caller alone, else it hands chunks of grain elements to the team. The
// kernels use defaultSplit; tests hand the internal forms a table with a
// smaller split (see bodies) to drive the fork-join path with short inputs,
// so nothing global changes while kernels run.
type split struct{ serialBelow, grain int }

var defaultSplit = split{serialBelow: serialBelow, grain: grain}

// teamOf returns t, or the default team when t is nil.
func teamOf(t *workers.Team) *workers.Team {
	if t == nil {
		return workers.DefaultTeam()
	}
	return t
}

func checkLen(name string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("kernels.%s: length mismatch: %d != %d", name, a, b))
	}
}

// stream runs body over [0, n) in chunks of sp.grain on t, or on the caller
// for short n.
func stream(sp split, t *workers.Team, n int, body func(lo, hi int)) {
	if n < sp.serialBelow {
		body(0, n)
		return
	}
	teamOf(t).For(n, sp.grain, body)
}

// forChunks runs body over [0, nc) chunk indices, handing each worker per
// chunks at a time, on t when the n elements they cover reach
// sp.serialBelow, else on the caller.
func forChunks(sp split, t *workers.Team, n, nc, per int, body func(lo, hi int)) {
	if n < sp.serialBelow || nc <= 1 {
		body(0, nc)
		return
	}
	teamOf(t).For(nc, max(1, per), body)
}
