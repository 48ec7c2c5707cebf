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
// run); from 128 Ki it wins on all three. What a fork-join must pay for
// is the memory a kernel touches, so a kernel over k arrays splits from
// serialBelow/k elements (split.streams): Dot from 64 Ki, Axpy from 43 Ki.
// A team worker that wakes too late for a loop spins its full budget for
// the next one (Team's loop), so back-to-back kernels of 64 Ki keep it
// joining: in bench/run's kernels section on a 2-core Xeon (C/OpenMP's
// time ÷ sharc's, median of 7 pairs, two runs), Dot 2^16 gave 1.41–1.62
// this way against 0.88–0.92 on the caller alone, and Axpy 2^16 1.15–1.17
// against 0.62–0.74.
const (
	// serialBelow is the length under which kernels run on the caller
	// alone, where a fork-join would cost more than it brings (for a
	// kernel over one array; see split.streams).
	serialBelow = 1 << 17
	// grain is the chunk length handed to a worker by streaming kernels;
	// the reductions hand out grain/block blocks (at least one) at a time.
	// Longer inputs go out in longer chunks (chunksPerWorker).
	grain = 1 << 15
	// chunksPerWorker is how many chunks each worker gets of an input long
	// enough for chunks above grain. Every chunk a worker claims is an
	// atomic add on a cache line all the workers write, and a worker that
	// streams a long stretch of memory keeps the hardware prefetchers
	// ahead of it; 16 chunks a worker still even out a worker that the
	// machine deschedules for a while. Sum of 2^26 float64 (512 MiB) on 2
	// workers took about a tenth less time in 2 MiB chunks than in 256
	// KiB ones.
	chunksPerWorker = 16
)

// split is how a kernel divides n elements: under serialBelow it runs on the
// caller alone, else it hands chunks of grain elements to the team. The
// kernels use defaultSplit; tests hand the internal forms a table with a
// smaller split (see bodies) to drive the fork-join path with short inputs,
// so nothing global changes while kernels run.
type split struct{ serialBelow, grain int }

var defaultSplit = split{serialBelow: serialBelow, grain: grain}

// streams returns the split of a kernel that reads or writes k arrays of
// its length (Dot 2, Axpy 3): what a fork-join must pay for is the memory
// the kernel touches, so it runs on the caller below serialBelow/k
// elements.
func (sp split) streams(k int) split {
	sp.serialBelow /= k
	return sp
}

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

// stream runs body over [0, n) in chunks of sp.grain (more for long n:
// chunksPerWorker) on t, or on the caller for short n.
func stream(sp split, t *workers.Team, n int, body func(lo, hi int)) {
	if n < sp.serialBelow {
		body(0, n)
		return
	}
	tm := teamOf(t)
	tm.For(n, max(sp.grain, n/(chunksPerWorker*tm.Workers())), body)
}

// forChunks runs body over [0, nc) chunk indices, handing each worker per
// chunks at a time (more when nc is large: chunksPerWorker), on t when the
// n elements they cover reach sp.serialBelow, else on the caller.
func forChunks(sp split, t *workers.Team, n, nc, per int, body func(lo, hi int)) {
	if n < sp.serialBelow || nc <= 1 {
		body(0, nc)
		return
	}
	tm := teamOf(t)
	tm.For(nc, max(1, per, nc/(chunksPerWorker*tm.Workers())), body)
}
