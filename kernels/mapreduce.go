package kernels

import (
	"fmt"

	"github.com/sharc-go/sharc/workers"
)

// MapReduce reduces x chunk by chunk into an accumulator of any type and
// merges the chunk results: the mergeable reduction Reduce cannot express
// when the accumulator is not the element type (a statistics struct, a
// histogram, a top-k list).
//
// The chunking is part of the contract: chunk c is
// x[c*chunk : min((c+1)*chunk, len(x))], body(c, x[...]) reduces it (the
// chunks run in parallel, in any order, each exactly once), and the results
// are combined as merge(left, right) in a balanced tree over the chunk
// indices, fixed by len(x) and chunk alone: the left half of the chunks,
// then the right half, recursively. So the result does not depend on the
// number of workers, merge need only be associative up to the rounding it
// accepts, and a body may use c to write per-chunk output of its own. With
// no element it returns the zero A. It panics if chunk < 1.
func MapReduce[T, A any](x []T, chunk int, body func(c int, x []T) A, merge func(a, b A) A) A {
	return MapReduceOn(nil, x, chunk, body, merge)
}

// MapReduceOn is MapReduce on team t (nil: the default team).
func MapReduceOn[T, A any](t *workers.Team, x []T, chunk int, body func(c int, x []T) A, merge func(a, b A) A) A {
	return mapReduceOn(defaultSplit, t, x, chunk, body, merge)
}

func mapReduceOn[T, A any](sp split, t *workers.Team, x []T, chunk int, body func(c int, x []T) A, merge func(a, b A) A) A {
	if chunk < 1 {
		panic(fmt.Sprintf("kernels.MapReduce: chunk must be >= 1, got %d", chunk))
	}
	n := len(x)
	var zero A
	if n == 0 {
		return zero
	}
	nc := (n-1)/chunk + 1
	parts := make([]A, nc)
	run := func(lo, hi int) {
		for c := lo; c < hi; c++ {
			parts[c] = body(c, x[c*chunk:min(c*chunk+chunk, n)])
		}
	}
	// Hand each worker about grain elements at a time, as the streaming
	// kernels do; short inputs stay on the caller.
	forChunks(sp, t, n, nc, sp.grain/chunk, run)
	return mergeTree(parts, merge)
}

// mergeTree combines p in the balanced tree MapReduce documents.
func mergeTree[A any](p []A, merge func(a, b A) A) A {
	if len(p) == 1 {
		return p[0]
	}
	h := len(p) / 2
	return merge(mergeTree(p[:h], merge), mergeTree(p[h:], merge))
}
