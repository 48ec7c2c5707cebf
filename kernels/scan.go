package kernels

import (
	"fmt"

	"github.com/sharc-go/sharc/workers"
)

// PrefixSum sets dst[i] = x[0] + … + x[i] (an inclusive scan). dst may be x
// itself; partial overlap gives unspecified results. It panics if the lengths
// differ. Float results are reproducible as Sum's are: the scan runs block by
// block with each block's offset added first, whatever the number of workers.
func PrefixSum[T Number](dst, x []T) { PrefixSumOn(nil, dst, x) }

// PrefixSumOn is PrefixSum on team t (nil: the default team).
func PrefixSumOn[T Number](t *workers.Team, dst, x []T) {
	checkLen("PrefixSum", len(dst), len(x))
	n := len(x)
	if n < serialBelow {
		scanBlock(dst, x, 0)
		return
	}
	// Pass 1 sums each chunk (reading x only), a serial scan turns the
	// chunk sums into offsets, pass 2 scans each chunk from its offset.
	// Each index is read before it is written, so dst may alias x.
	nc := (n + grain - 1) / grain
	offs := make([]T, nc)
	tm := teamOf(t)
	tm.For(n, grain, func(lo, hi int) { offs[lo/grain] = sumBody(x[lo:hi]) })
	var run T
	for c, s := range offs {
		offs[c], run = run, run+s
	}
	tm.For(n, grain, func(lo, hi int) { scanBlock(dst[lo:hi], x[lo:hi], offs[lo/grain]) })
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

// Histogram counts the elements of x into len(counts) bins of equal width
// over [lo, hi): x[i] lands in bin int((x[i]-lo)·len(counts)/(hi-lo)),
// computed in float64. It adds to counts (it does not clear them) and
// returns how many elements fell outside [lo, hi), NaNs included. It panics
// if counts is empty or hi <= lo.
func Histogram[T Number](counts []int, x []T, lo, hi T) (outside int) {
	return HistogramOn(nil, counts, x, lo, hi)
}

// HistogramOn is Histogram on team t (nil: the default team).
func HistogramOn[T Number](t *workers.Team, counts []int, x []T, lo, hi T) (outside int) {
	nb := len(counts)
	if nb == 0 || !(hi > lo) {
		panic(fmt.Sprintf("kernels.Histogram: need bins > 0 and hi > lo, have %d bins over [%v, %v)", nb, lo, hi))
	}
	n := len(x)
	nc := (n + grain - 1) / grain
	local := make([][]int, nc)
	outs := make([]int, nc)
	flo, scale := float64(lo), float64(nb)/(float64(hi)-float64(lo))
	stream(t, n, func(clo, chi int) {
		for c := clo / grain; c*grain < chi; c++ {
			cnt := make([]int, nb)
			out := 0
			for _, v := range x[c*grain : min((c+1)*grain, n)] {
				if !(v >= lo && v < hi) {
					out++
					continue
				}
				b := int((float64(v) - flo) * scale)
				cnt[min(b, nb-1)]++ // rounding may give nb for v just below hi
			}
			local[c], outs[c] = cnt, out
		}
	})
	for c := range local {
		for b, k := range local[c] {
			counts[b] += k
		}
		outside += outs[c]
	}
	return outside
}
