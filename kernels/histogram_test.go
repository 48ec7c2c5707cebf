package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// histRef is the scalar reference of Bins for ranges whose width hi-lo and
// len(counts)/(hi-lo) are finite.
func histRef[T Number](counts []int, x []T, lo, hi T, e Edge) (out Outside) {
	nb := len(counts)
	scale := float64(nb) / (float64(hi) - float64(lo))
	for _, v := range x {
		switch {
		case v != v:
			out.NaN++
		case v < lo:
			out.Below++
		case v > hi || v == hi && e == OpenHi:
			out.Above++
		default:
			counts[max(0, min(int((float64(v)-float64(lo))*scale), nb-1))]++
		}
	}
	return out
}

func TestHistogram(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := randF[float64](r, 100003)
	x[5], x[6], x[7] = math.NaN(), 0.5, -0.5
	for _, tm := range teams(t) {
		for _, e := range []Edge{OpenHi, ClosedHi} {
			counts, want := make([]int, 10), make([]int, 10)
			out := BinsOn(tm, counts, x, -0.5, 0.5, e)
			wantOut := histRef(want, x, -0.5, 0.5, e)
			require.Equal(t, want, counts)
			require.Equal(t, wantOut, out)
			require.Equal(t, 1, out.NaN)
			if e == OpenHi {
				clear(counts)
				require.Equal(t, wantOut.Total(), HistogramOn(tm, counts, x, -0.5, 0.5))
				require.Equal(t, want, counts)
			}
		}
	}
}

// TestHistogramRanges covers the ranges where the bin width overflows or
// underflows, and the ones that must be refused with a message naming them.
func TestHistogramRanges(t *testing.T) {
	inf, maxf := math.Inf(1), math.MaxFloat64
	tiny := math.SmallestNonzeroFloat64
	x := []float64{-inf, -maxf, -1e300, -1, -0.0, 0, tiny, 2 * tiny, 1, 1e300, maxf, inf, math.NaN()}
	wide := []float64{-maxf, -0.75 * maxf, -0.25 * maxf, 0.1 * maxf, 0.6 * maxf, maxf, inf, -inf, math.NaN()}
	cases := []struct {
		name   string
		nb     int
		lo, hi float64
		e      Edge
		counts []int
		out    Outside
		x      []float64 // nil: x above
	}{
		{"negatives", 1, -inf, 0, OpenHi, []int{4}, Outside{Above: 8, NaN: 1}, nil},
		{"non-positives", 1, -inf, 0, ClosedHi, []int{6}, Outside{Above: 6, NaN: 1}, nil},
		{"everything", 1, -inf, inf, ClosedHi, []int{12}, Outside{NaN: 1}, nil},
		{"positives", 1, 0, inf, OpenHi, []int{7}, Outside{Below: 4, Above: 1, NaN: 1}, nil},
		{"max-range", 4, -maxf, maxf, ClosedHi, []int{2, 1, 1, 2}, Outside{Below: 1, Above: 1, NaN: 1}, wide},
		{"max-range-open", 2, -maxf, maxf, OpenHi, []int{3, 2}, Outside{Below: 1, Above: 2, NaN: 1}, wide},
		{"subnormal", 2, 0, 2 * tiny, ClosedHi, []int{2, 2}, Outside{Below: 4, Above: 4, NaN: 1}, nil},
		{"subnormal-many", 1000, 0, 4 * tiny, OpenHi, make([]int, 1000), Outside{Below: 4, Above: 4, NaN: 1}, nil},
	}
	cases[7].counts[0], cases[7].counts[250], cases[7].counts[500] = 2, 1, 1
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			xs := c.x
			if xs == nil {
				xs = x
			}
			got := make([]int, c.nb)
			out := Bins(got, xs, c.lo, c.hi, c.e)
			require.Equal(t, c.counts, got)
			require.Equal(t, c.out, out)
		})
	}
	refused := []struct {
		nb     int
		lo, hi float64
		msg    string
	}{
		{2, -inf, 0, "kernels.Histogram: range [-Inf, 0) has an infinite bound: only 1 bin can span it, have 2"},
		{3, 0, inf, "kernels.Histogram: range [0, +Inf) has an infinite bound: only 1 bin can span it, have 3"},
		{2, math.NaN(), 0, "kernels.Histogram: range [NaN, 0) has a NaN bound"},
		{2, 0, math.NaN(), "kernels.Histogram: range [0, NaN) has a NaN bound"},
		{2, 1, 1, "kernels.Histogram: range [1, 1) is empty or reversed: need lo < hi"},
		{2, 2, 1, "kernels.Histogram: range [2, 1) is empty or reversed: need lo < hi"},
		{0, 0, 1, "kernels.Histogram: no bins (counts is empty) for range [0, 1)"},
	}
	for _, c := range refused {
		require.PanicsWithValue(t, c.msg, func() { Histogram(make([]int, c.nb), x, c.lo, c.hi) })
	}
	require.PanicsWithValue(t, "kernels.Bins: range [1, 1] is empty or reversed: need lo < hi",
		func() { Bins(make([]int, 2), x, 1, 1, ClosedHi) })
}

// The data's own maximum as hi: OpenHi leaves it out, ClosedHi counts it in
// the last bin.
func TestHistogramClosedHi(t *testing.T) {
	x := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	open, closed := make([]int, 3), make([]int, 3)
	require.Equal(t, Outside{Above: 1}, Bins(open, x, 0, 9, OpenHi))
	require.Equal(t, Outside{}, Bins(closed, x, 0, 9, ClosedHi))
	require.Equal(t, []int{3, 3, 3}, open)
	require.Equal(t, []int{3, 3, 4}, closed)
}

func fuzzHistogram(t *testing.T, raw []byte, off uint8, rep uint16, a float64) {
	x := place(fuzzF64(raw, rep), off)
	lo, hi := -math.Abs(a), math.Abs(a)/2+1
	if math.IsNaN(a) || math.IsInf(a, 0) {
		lo, hi = -100, 100
	}
	nb := 1 + int(off)%37
	e := Edge(off / 128)
	for _, r := range fuzzRuns() {
		sp, tm := r.bt.split, r.tm
		want, got := make([]int, nb), make([]int, nb)
		wo := histRef(want, x, lo, hi, e)
		require.Equal(t, wo, binsOn(sp, tm, "Bins", got, x, lo, hi, e))
		require.Equal(t, want, got)
		total := wo.Total()
		for _, c := range got {
			total += c
		}
		require.Equal(t, len(x), total, "every element counted once")
		x32 := toF32(x)
		clear(want)
		clear(got)
		wo = histRef(want, x32, float32(lo), float32(hi), OpenHi)
		require.Equal(t, wo.Total(), binsOn(sp, tm, "Histogram", got, x32, float32(lo), float32(hi), OpenHi).Total())
		require.Equal(t, want, got)
	}
	i8 := make([]int8, len(raw))
	for i, b := range raw {
		i8[i] = int8(b)
	}
	want, got := make([]int, nb), make([]int, nb)
	require.Equal(t, histRef(want, i8, -50, 77, e), onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) Outside { return binsOn(bt.split, tm, "Bins", got, i8, -50, 77, e) }))
	require.Equal(t, want, got)
}

// ExampleBins counts a series with missing values into four bins whose
// last one includes the maximum.
func ExampleBins() {
	x := []float64{0.5, 1, 1.5, 2, math.NaN(), 3, 4, -1}
	counts := make([]int, 4)
	out := Bins(counts, x, 0, 4, ClosedHi)
	fmt.Println(counts, out.Below, out.Above, out.NaN)
	// Output: [1 2 1 2] 1 0 1
}
