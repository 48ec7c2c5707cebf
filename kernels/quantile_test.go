package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// quantilesRef is the scalar reference: sort a copy of the non-NaN
// elements and interpolate as numpy.nanquantile does.
func quantilesRef[T Float](x []T, ps []float64) []float64 {
	var s []float64
	for _, v := range x {
		if v == v {
			s = append(s, float64(v))
		}
	}
	slices.Sort(s)
	res := make([]float64, len(ps))
	for i, p := range ps {
		if len(s) == 0 {
			res[i] = math.NaN()
			continue
		}
		h := float64(len(s)-1) * p
		k := int(h)
		res[i] = lerp(s[k], s[min(k+1, len(s)-1)], h-math.Floor(h))
	}
	return res
}

func sameQuantiles(t *testing.T, want, got []float64, what string) {
	t.Helper()
	for i := range want {
		if !(want[i] == got[i] || want[i] != want[i] && got[i] != got[i]) {
			require.Failf(t, "quantile", "%s: p#%d: got %v, want %v", what, i, got[i], want[i])
		}
	}
}

var quantilePs = []float64{0, 0.001, 0.01, 0.25, 0.5, 0.5, 0.75, 0.9, 0.99, 0.999, 1}

func TestQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	gens := []struct {
		name string
		gen  func(n int) []float64
	}{
		{"uniform", func(n int) []float64 { return randF[float64](r, n) }},
		{"nan", func(n int) []float64 { return withNaN(r, n, 0.2) }},
		{"few-values", func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(r.IntN(5))
			}
			return x
		}},
		{"constant", func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = 3
			}
			return x
		}},
		{"sorted-offset", func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = 1e9 + float64(i)*1e-3
			}
			return x
		}},
		{"reversed-specials", func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(n - i)
			}
			sp := []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, math.NaN(), math.MaxFloat64, -math.SmallestNonzeroFloat64}
			for i := 0; i < n; i += 97 {
				x[i] = sp[r.IntN(len(sp))]
			}
			return x
		}},
		{"heavy-tail", func(n int) []float64 {
			x := make([]float64, n)
			for i := range x {
				x[i] = math.Exp(r.NormFloat64() * 10)
			}
			return x
		}},
	}
	ts := teams(t)
	for _, n := range []int{0, 1, 2, 7, 511, 512, 513, 4097, 100003, 3*serialBelow + 12345} {
		if raceEnabled && n > 5000 {
			break // under the race detector the long inputs take a minute; FuzzSmoke runs the parallel pass
		}
		for _, g := range gens {
			x := g.gen(n)
			orig := slices.Clone(x)
			want := quantilesRef(x, quantilePs)
			tms := ts
			if n > 1e5 {
				tms = ts[1:2] // the long inputs on one team: the reference sort is slow
			}
			for _, tm := range tms {
				what := fmt.Sprintf("%s n=%d", g.name, n)
				got, scratch := quantiles(cpuBodies, tm, x, quantilePs)
				sameQuantiles(t, want, got, what)
				if n >= 512 {
					require.LessOrEqual(t, scratch, n/8, "%s: scratch", what)
				}
				for _, p := range []float64{0.5, 0.99} {
					got, scratch := quantiles(cpuBodies, tm, x, []float64{p})
					sameQuantiles(t, quantilesRef(x, []float64{p}), got, what)
					if n >= 512 {
						require.LessOrEqual(t, scratch, n/8, "%s: scratch", what)
					}
				}
			}
			require.True(t, slices.EqualFunc(orig, x, func(a, b float64) bool { return sameBits(a, b) }), "x unchanged")
			if n < 1e5 {
				x32 := toF32(x)
				sameQuantiles(t, quantilesRef(x32, quantilePs), Quantiles(x32, quantilePs), "float32 "+g.name)
			}
			// Select: every k of a short input, a few of a long one.
			var s []float64
			for _, v := range x {
				if v == v {
					s = append(s, v)
				}
			}
			slices.Sort(s)
			for _, k := range []int{0, 1, len(s) / 3, len(s) / 2, len(s) - 2, len(s) - 1} {
				if k >= 0 && k < len(s) {
					require.Equal(t, s[k], Select(x, k), "%s n=%d k=%d", g.name, n, k)
				}
			}
		}
	}
}

func TestQuantilesPanics(t *testing.T) {
	x := []float64{1, 2, math.NaN()}
	require.PanicsWithValue(t, "kernels.Quantiles: p=1.5 outside [0, 1]", func() { Quantiles(x, []float64{0.5, 1.5}) })
	require.PanicsWithValue(t, "kernels.Quantiles: p=NaN outside [0, 1]", func() { Quantiles(x, []float64{math.NaN()}) })
	require.PanicsWithValue(t, "kernels.Select: k=3 out of range for 3 elements", func() { Select(x, 3) })
	require.PanicsWithValue(t, "kernels.Select: k=2 out of range for 2 non-NaN elements", func() { Select(x, 2) })
	require.PanicsWithValue(t, "kernels.Select: k=-1 out of range for 3 elements", func() { Select(x, -1) })
	require.True(t, math.IsNaN(Median([]float64{math.NaN()})))
	require.True(t, math.IsNaN(Median([]float64{})))
}

func fuzzQuantiles(t *testing.T, raw []byte, off uint8, rep uint16, a float64) {
	x := place(fuzzF64(raw, rep), off)
	ps := []float64{0.5, float64(off) / 255, math.Mod(math.Abs(a), 1)}
	if math.IsNaN(ps[2]) || math.IsInf(a, 0) {
		ps[2] = 1
	}
	want := quantilesRef(x, ps)
	got := onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) []float64 { r, _ := quantiles(bt, tm, x, ps); return r })
	sameQuantiles(t, want, got, fmt.Sprintf("n=%d", len(x)))
	sameQuantiles(t, want, Quantiles(x, ps), fmt.Sprintf("n=%d", len(x)))
}

func FuzzQuantiles(f *testing.F) { fuzzSeeds(f); f.Fuzz(fuzzQuantiles) }

// ExampleQuantiles computes the median and the 99th percentile of a
// series with missing values, skipping them as numpy.nanquantile does.
func ExampleQuantiles() {
	x := make([]float64, 1001)
	for i := range x {
		x[i] = float64((i * 7919) % 1001) // 0..1000, shuffled
	}
	x[10], x[20] = math.NaN(), math.NaN()
	q := Quantiles(x, []float64{0.5, 0.99})
	fmt.Printf("median %.2f, p99 %.2f, third smallest %v\n", q[0], q[1], Select(x, 2))
	// Output: median 501.00, p99 990.02, third smallest 2
}

// TestWindowCountBodies runs every level's counting body against the Go
// body on awkward lengths, with windows that stop it early and late.
func TestWindowCountBodies(t *testing.T) {
	forLevels(t, func(t *testing.T, bt *bodies) {
		r := rand.New(rand.NewPCG(71, 72))
		for _, n := range bodyLengths {
			x := withNaN(r, n, 0.001)
			for _, w := range [][2]float64{{-2, -1}, {0.1, 0.1001}, {-0.5, 0.5}, {math.Inf(-1), math.Inf(1)}, {2, 3}} {
				b0, a0, s0 := windowCountF64Go(x, w[0], w[1])
				b1, a1, s1 := bt.windowCountF64(x, w[0], w[1])
				require.Equal(t, [3]int{b0, a0, s0}, [3]int{b1, a1, s1}, "n=%d window %v", n, w)
			}
		}
	})
}
