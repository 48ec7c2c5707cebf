package kernels

import (
	"fmt"
	"math"

	"github.com/sharc-go/sharc/workers"
)

// The NaN-skipping kernels follow numpy's nan* functions: a NaN element is
// a missing value and is left out. Like Sum they are reproducible: x is
// cut into the same fixed 4096-element blocks, each block is reduced with a
// fixed pattern (AVX2 assembly or the Go body that computes the same bits),
// and the block results are combined in a fixed pairwise tree, so the
// result does not depend on the number of workers. float64 runs the
// assembly body directly; float32 blocks are widened to float64 first, so
// their sums and moments are computed in float64.

// NanSum returns the sum of the elements of x that are not NaN (+0 if
// there is none), like numpy.nansum. For float64 input without NaN it
// equals Sum(x) bit for bit.
func NanSum[T Float](x []T) T { return NanSumOn(nil, x) }

// NanSumOn is NanSum on team t (nil: the default team).
func NanSumOn[T Float](t *workers.Team, x []T) T { return nanSumOn(cpuBodies, t, x) }

func nanSumOn[T Float](bt *bodies, t *workers.Team, x []T) T {
	if v, ok := asF64(x); ok {
		if len(v) < bt.split.serialBelow { // as Sum: nothing allocated on the caller
			return T(serialBlocks(len(v), func(lo, hi int) float64 {
				raceRead(v[lo:hi])
				return bt.nanSumF64(v[lo:hi])
			}))
		}
		return T(blocked(bt.split, t, len(v), func(lo, hi int) float64 {
			raceRead(v[lo:hi])
			return bt.nanSumF64(v[lo:hi])
		}))
	}
	return T(treeMerge(nanParts(bt, t, x, false), func(a, b Stats) Stats { a.Sum += b.Sum; return a }).Sum)
}

// NanMin returns the smallest element of x that is not NaN, like
// numpy.nanmin: NaN if every element is NaN. When the smallest value is
// zero, either sign may be returned (the same one for the same input). It
// panics if x is empty.
func NanMin[T Float](x []T) T { return NanMinOn(nil, x) }

// NanMinOn is NanMin on team t (nil: the default team).
func NanMinOn[T Float](t *workers.Team, x []T) T {
	if len(x) == 0 {
		panic("kernels.NanMin: empty slice")
	}
	return T(describe(cpuBodies, t, x, false).Min)
}

// NanMax is NanMin for the largest element, like numpy.nanmax.
func NanMax[T Float](x []T) T { return NanMaxOn(nil, x) }

// NanMaxOn is NanMax on team t (nil: the default team).
func NanMaxOn[T Float](t *workers.Team, x []T) T {
	if len(x) == 0 {
		panic("kernels.NanMax: empty slice")
	}
	return T(describe(cpuBodies, t, x, false).Max)
}

// CountNaN returns how many elements of x are NaN.
func CountNaN[T Float](x []T) int { return CountNaNOn(nil, x) }

// CountNaNOn is CountNaN on team t (nil: the default team).
func CountNaNOn[T Float](t *workers.Team, x []T) int { return describe(cpuBodies, t, x, false).NaN }

// Stats describes a series with missing values: what Describe returns.
// Two Stats of disjoint parts of a series combine with Merge, so a series
// split between processes or over time can be described part by part.
type Stats struct {
	Count int     // elements that are not NaN
	NaN   int     // NaN elements
	Sum   float64 // sum of the non-NaN elements
	Mean  float64 // their mean; NaN if Count == 0
	M2    float64 // Σ (x-Mean)² over them, the sum of squared deviations
	Min   float64 // their minimum; NaN if Count == 0 (a zero minimum may be -0 or +0)
	Max   float64 // their maximum; NaN if Count == 0
}

// Var returns the population variance M2/Count (numpy.nanvar's ddof=0).
func (s Stats) Var() float64 { return s.M2 / float64(s.Count) }

// SampleVar returns the sample variance M2/(Count-1) (ddof=1).
func (s Stats) SampleVar() float64 { return s.M2 / float64(s.Count-1) }

// Std returns the population standard deviation sqrt(Var()).
func (s Stats) Std() float64 { return math.Sqrt(s.Var()) }

// String formats s on one line.
func (s Stats) String() string {
	return fmt.Sprintf("count=%d nan=%d sum=%g mean=%g var=%g min=%g max=%g",
		s.Count, s.NaN, s.Sum, s.Mean, s.Var(), s.Min, s.Max)
}

// Merge returns the Stats of the concatenation of the parts s and o
// describe, combining means and squared deviations with the pairwise update
// of Chan, Golub and LeVeque (1979):
//
//	d := o.Mean - s.Mean
//	Mean = s.Mean + d·o.Count/n
//	M2 = s.M2 + o.M2 + d²·s.Count·o.Count/n
//
// which stays accurate where the textbook Σx² - n·mean² loses every digit.
func (s Stats) Merge(o Stats) Stats {
	r := merge(s, o)
	if r.Count == 0 {
		r.Mean, r.Min, r.Max = math.NaN(), math.NaN(), math.NaN()
	}
	return r
}

// merge is Merge on parts whose empty Min and Max are ±Inf.
func merge(a, b Stats) Stats {
	switch {
	case b.Count == 0:
		a.NaN += b.NaN
		return a
	case a.Count == 0:
		b.NaN += a.NaN
		return b
	}
	n := a.Count + b.Count
	na, nb, fn := float64(a.Count), float64(b.Count), float64(n)
	d := b.Mean - a.Mean
	return Stats{
		Count: n,
		NaN:   a.NaN + b.NaN,
		Sum:   a.Sum + b.Sum,
		Mean:  a.Mean + d*(nb/fn),
		M2:    a.M2 + b.M2 + d*d*(na*nb/fn),
		Min:   minSel(b.Min, a.Min),
		Max:   maxSel(b.Max, a.Max),
	}
}

// Describe returns the count, NaN count, sum, mean, squared deviations (for
// the variance), minimum and maximum of x in one pass over memory, like
// numpy's nanmean, nanvar, nanmin and nanmax together. Each 4096-element
// block is described on its own (mean from its sum, then Σ(x-mean)² while
// the block is still in cache) and the blocks are merged with Stats.Merge
// in a fixed pairwise tree, so the result is reproducible across worker
// counts as Sum's is. Integers are converted to float64 (exact up to 2^53).
func Describe[T Number](x []T) Stats { return DescribeOn(nil, x) }

// DescribeOn is Describe on team t (nil: the default team).
func DescribeOn[T Number](t *workers.Team, x []T) Stats { return describe(cpuBodies, t, x, true) }

func describe[T Number](bt *bodies, t *workers.Team, x []T, m2 bool) Stats {
	s := treeMerge(nanParts(bt, t, x, m2), merge)
	if s.Count == 0 {
		s.Mean, s.Min, s.Max = math.NaN(), math.NaN(), math.NaN()
	}
	if !m2 {
		s.Mean, s.M2 = s.Sum/float64(s.Count), 0
	}
	return s
}

// nanParts describes each block of x (with its M2 if m2 is set).
func nanParts[T Number](bt *bodies, t *workers.Team, x []T, m2 bool) []Stats {
	n := len(x)
	nb := max(1, (n+block-1)/block)
	parts := make([]Stats, nb)
	body := func(blo, bhi int) {
		var buf *[block]float64
		for b := blo; b < bhi; b++ {
			xs := x[b*block : min((b+1)*block, n)]
			v, ok := asF64(xs)
			if !ok {
				if buf == nil {
					buf = new([block]float64)
				}
				v = buf[:len(xs)]
				for i, e := range xs {
					v[i] = float64(e)
				}
			}
			parts[b] = describeBlock(bt, v, m2)
		}
	}
	forChunks(bt.split, t, n, nb, bt.grain/block, body)
	return parts
}

// describeBlock describes one block; its empty Min and Max are ±Inf.
func describeBlock(bt *bodies, x []float64, m2 bool) Stats {
	raceRead(x)
	sum, lo, hi, n := bt.nanBlockF64(x)
	s := Stats{Count: n, NaN: len(x) - n, Sum: sum, Min: lo, Max: hi}
	if n > 0 && m2 {
		s.Mean = sum / float64(n)
		s.M2 = bt.sqDevF64(x, s.Mean)
	}
	return s
}

// treeMerge combines p in the balanced tree pairwise uses.
func treeMerge(p []Stats, f func(a, b Stats) Stats) Stats {
	if len(p) == 1 {
		return p[0]
	}
	h := len(p) / 2
	return f(treeMerge(p[:h], f), treeMerge(p[h:], f))
}
