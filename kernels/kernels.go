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

const (
	// block is the fixed partition of the reproducible reductions: Sum, Dot
	// and Norm2 reduce each block of this many elements on its own and
	// combine the block results pairwise, so their result depends only on
	// the input, never on the number of workers.
	block = 4096
	// serialBelow is the length under which streaming kernels run on the
	// caller alone: below it a fork-join costs more than it brings.
	serialBelow = 1 << 15
	// grain is the chunk length handed to a worker by streaming kernels.
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
