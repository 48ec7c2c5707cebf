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

// serialBelow and grain are variables only so that tests can shrink them to
// drive the fork-join path with small inputs (and BenchmarkInCache can
// compare both paths); nothing changes them while kernels run.
var (
	// serialBelow is the length under which kernels run on the caller
	// alone, where a fork-join would cost more than it brings. Measured with
	// BenchmarkInCache (go test -run x -bench InCache ./kernels; float64,
	// 2-worker team vs the single-core AVX-512 body, GB/s, medians of 5 on
	// the shared 2-core VM):
	//
	//	         32 Ki        64 Ki        128 Ki       256 Ki
	//	sum    121 vs 134   125 vs 179   160 vs  97   138 vs 81
	//	dot    128 vs 128   198 vs 123   157 vs  89   142 vs 80
	//	axpy   193 vs 215    99 vs 131   195 vs 135   177 vs 121
	//
	// At 64 Ki the team still loses on sum and axpy; from 128 Ki it wins
	// on all three.
	serialBelow = 1 << 17
	// grain is the chunk length handed to a worker by streaming kernels;
	// a multiple of block.
	grain = 1 << 15
)

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

// stream runs body over [0, n) in chunks on t, or on the caller for short n.
func stream(t *workers.Team, n int, body func(lo, hi int)) {
	if n < serialBelow {
		body(0, n)
		return
	}
	teamOf(t).For(n, grain, body)
}
