package kernels

import (
	"fmt"
	"math"

	"github.com/sharc-go/sharc/workers"
)

// Edge says whether a histogram's last bin includes the upper bound.
type Edge uint8

const (
	// OpenHi: the bins cover [lo, hi); an element equal to hi is Above.
	OpenHi Edge = iota
	// ClosedHi: the bins cover [lo, hi], the last bin includes hi (as
	// numpy.histogram's does), so the data's own maximum can be passed as hi.
	ClosedHi
)

// Outside counts the elements a histogram left out of its bins.
type Outside struct {
	Below int // elements < lo
	Above int // elements > hi, or == hi with OpenHi
	NaN   int // NaN elements
}

// Total returns Below + Above + NaN.
func (o Outside) Total() int { return o.Below + o.Above + o.NaN }

// Histogram counts the elements of x into len(counts) bins of equal width
// over [lo, hi): x[i] lands in bin int((x[i]-lo)·len(counts)/(hi-lo)),
// computed in float64 (without overflow, see Bins). It adds to counts (it
// does not clear them) and returns how many elements fell outside [lo, hi),
// NaNs included; Bins tells them apart and can include hi in the last bin.
// It panics, naming the range, if counts is empty, a bound is NaN, lo >= hi,
// or a bound is infinite and there is more than one bin.
func Histogram[T Number](counts []int, x []T, lo, hi T) (outside int) {
	return HistogramOn(nil, counts, x, lo, hi)
}

// HistogramOn is Histogram on team t (nil: the default team).
func HistogramOn[T Number](t *workers.Team, counts []int, x []T, lo, hi T) (outside int) {
	return binsOn(defaultSplit, t, "Histogram", counts, x, lo, hi, OpenHi).Total()
}

// Bins is Histogram with the upper edge chosen by e and the left-out
// elements counted by kind: NaNs apart from values below lo and above hi.
//
// Any finite range works, ±math.MaxFloat64 included: when hi-lo overflows,
// the bin is computed from halved values, and when the width is too small
// for len(counts)/(hi-lo) to be finite, by division. An infinite bound is
// accepted with a single bin (Bins(c[:1], x, math.Inf(-1), 0, OpenHi)
// counts the negative values); with more bins it panics, as a NaN bound or
// lo >= hi do, with a message naming the range.
func Bins[T Number](counts []int, x []T, lo, hi T, e Edge) Outside {
	return BinsOn(nil, counts, x, lo, hi, e)
}

// BinsOn is Bins on team t (nil: the default team).
func BinsOn[T Number](t *workers.Team, counts []int, x []T, lo, hi T, e Edge) Outside {
	return binsOn(defaultSplit, t, "Bins", counts, x, lo, hi, e)
}

// Binning modes of a binner: how a value in range becomes a bin index.
const (
	binMul  = iota // (v-lo)·scale
	binHalf        // (v/2-lo/2)·scale, when hi-lo overflows
	binDiv         // (v-lo)/width·nb, when nb/width overflows
	binOne         // a single bin
)

// binner maps a float64 in [lo, hi] to its bin.
type binner struct {
	mode          int
	lo, w, scale  float64
	nb            int
	loHalf, wHalf float64
}

func newBinner(name string, nb int, lo, hi float64, e Edge) binner {
	rng := func() string {
		if e == ClosedHi {
			return fmt.Sprintf("[%v, %v]", lo, hi)
		}
		return fmt.Sprintf("[%v, %v)", lo, hi)
	}
	switch {
	case nb == 0:
		panic(fmt.Sprintf("kernels.%s: no bins (counts is empty) for range %s", name, rng()))
	case math.IsNaN(lo) || math.IsNaN(hi):
		panic(fmt.Sprintf("kernels.%s: range %s has a NaN bound", name, rng()))
	case !(lo < hi):
		panic(fmt.Sprintf("kernels.%s: range %s is empty or reversed: need lo < hi", name, rng()))
	case nb == 1:
		return binner{mode: binOne, nb: 1}
	case math.IsInf(lo, 0) || math.IsInf(hi, 0):
		panic(fmt.Sprintf("kernels.%s: range %s has an infinite bound: only 1 bin can span it, have %d", name, rng(), nb))
	}
	b := binner{nb: nb, lo: lo, w: hi - lo}
	switch {
	case math.IsInf(b.w, 0):
		b.mode, b.loHalf, b.wHalf = binHalf, lo*0.5, hi*0.5-lo*0.5
		b.scale = float64(nb) / b.wHalf
	case math.IsInf(float64(nb)/b.w, 0):
		b.mode = binDiv
	default:
		b.mode, b.scale = binMul, float64(nb)/b.w
	}
	return b
}

// index returns v's bin; v must be in [lo, hi]. The clamps absorb rounding
// (v just below hi may compute nb) and make hi itself land in the last bin.
func (b *binner) index(v float64) int {
	var f float64
	switch b.mode {
	case binMul:
		f = (v - b.lo) * b.scale
	case binHalf:
		f = (v*0.5 - b.loHalf) * b.scale
	case binDiv:
		f = (v - b.lo) / b.w * float64(b.nb)
	default:
		return 0
	}
	return max(0, min(int(f), b.nb-1))
}

func binsOn[T Number](sp split, t *workers.Team, name string, counts []int, x []T, lo, hi T, e Edge) Outside {
	nb := len(counts)
	bn := newBinner(name, nb, float64(lo), float64(hi), e)
	n, g := len(x), sp.grain
	nc := (n + g - 1) / g
	local := make([][]int, nc)
	outs := make([]Outside, nc)
	closed := e == ClosedHi
	stream(sp, t, n, func(clo, chi int) {
		for c := clo / g; c*g < chi; c++ {
			cnt := make([]int, nb)
			var out Outside
			for _, v := range x[c*g : min((c+1)*g, n)] {
				switch {
				case v >= lo && (v < hi || closed && v == hi):
					cnt[bn.index(float64(v))]++
				case v < lo:
					out.Below++
				case v != v:
					out.NaN++
				default:
					out.Above++
				}
			}
			local[c], outs[c] = cnt, out
		}
	})
	var out Outside
	for c := range local {
		for b, k := range local[c] {
			counts[b] += k
		}
		out.Below += outs[c].Below
		out.Above += outs[c].Above
		out.NaN += outs[c].NaN
	}
	return out
}
