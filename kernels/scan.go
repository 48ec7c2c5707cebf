package kernels

import "github.com/sharc-go/sharc/workers"

// PrefixSum sets dst[i] = x[0] + … + x[i] (an inclusive scan). dst may be x
// itself; partial overlap gives unspecified results. It panics if the lengths
// differ. Float results are reproducible as Sum's are: the scan runs block by
// block with each block's offset added first, whatever the number of workers.
func PrefixSum[T Number](dst, x []T) { PrefixSumOn(nil, dst, x) }

// PrefixSumOn is PrefixSum on team t (nil: the default team).
func PrefixSumOn[T Number](t *workers.Team, dst, x []T) { prefixSumOn(cpuBodies, t, dst, x) }

func prefixSumOn[T Number](bt *bodies, t *workers.Team, dst, x []T) {
	checkLen("PrefixSum", len(dst), len(x))
	n, g := len(x), bt.grain
	if n < bt.serialBelow {
		scanBlock(dst, x, 0)
		return
	}
	// Pass 1 sums each chunk (reading x only), a serial scan turns the
	// chunk sums into offsets, pass 2 scans each chunk from its offset.
	// Each index is read before it is written, so dst may alias x.
	nc := (n + g - 1) / g
	offs := make([]T, nc)
	tm := teamOf(t)
	tm.For(n, g, func(lo, hi int) { offs[lo/g] = sumBody(bt, x[lo:hi]) })
	var run T
	for c, s := range offs {
		offs[c], run = run, run+s
	}
	tm.For(n, g, func(lo, hi int) { scanBlock(dst[lo:hi], x[lo:hi], offs[lo/g]) })
}

func scanBlock[T Number](dst, x []T, s T) {
	dst = dst[:len(x)]
	for i, v := range x {
		s += v
		dst[i] = s
	}
}

// prefixRef is the scalar reference of PrefixSum.
func prefixRef[T Number](dst, x []T) {
	var s T
	for i, v := range x {
		s += v
		dst[i] = s
	}
}
