package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// describeRef is the scalar reference of Describe: left-to-right sums and
// a second pass for the squared deviations.
func describeRef[T Number](x []T) Stats {
	s := Stats{Min: math.NaN(), Max: math.NaN()}
	for _, v := range x {
		f := float64(v)
		if f != f {
			s.NaN++
			continue
		}
		if s.Count == 0 || f < s.Min {
			s.Min = f
		}
		if s.Count == 0 || f > s.Max {
			s.Max = f
		}
		s.Count++
		s.Sum += f
	}
	s.Mean = s.Sum / float64(s.Count)
	for _, v := range x {
		if f := float64(v); f == f {
			s.M2 += (f - s.Mean) * (f - s.Mean)
		}
	}
	return s
}

// checkStats compares got with the reference: counts and extremes exactly
// (a zero extreme of either sign), sums and moments within a bound on the
// rounding error.
func checkStats[T Number](t *testing.T, what string, x []T, got Stats) {
	t.Helper()
	want := describeRef(x)
	require.Equal(t, want.Count, got.Count, "%s count", what)
	require.Equal(t, want.NaN, got.NaN, "%s NaN", what)
	require.True(t, want.Min == got.Min || math.IsNaN(want.Min) && math.IsNaN(got.Min), "%s min %v, want %v", what, got.Min, want.Min)
	require.True(t, want.Max == got.Max || math.IsNaN(want.Max) && math.IsNaN(got.Max), "%s max %v, want %v", what, got.Max, want.Max)
	n := float64(len(x) + 1)
	abs := 0.0
	for _, v := range x {
		if f := float64(v); f == f && !math.IsInf(f, 0) {
			abs += math.Abs(f)
		}
	}
	if math.IsInf(want.Sum, 0) || math.IsNaN(want.Sum) {
		return // an infinity: the moments are Inf or NaN, in an order-dependent way
	}
	tol := 4*n*eps[float64]()*abs + 1e-300
	require.True(t, closeTo(want.Sum, got.Sum, tol), "%s sum %v, want %v", what, got.Sum, want.Sum)
	if want.Count > 0 {
		require.True(t, closeTo(want.Mean, got.Mean, tol/float64(want.Count)+1e-300), "%s mean %v, want %v", what, got.Mean, want.Mean)
		spread := want.M2 + float64(want.Count)*(want.Max-want.Min)*(want.Max-want.Min)
		require.True(t, closeTo(want.M2, got.M2, 8*n*eps[float64]()*spread+1e-300), "%s M2 %v, want %v", what, got.M2, want.M2)
	}
}

// withNaN returns n random values in [-1, 1) with a share of NaNs and
// the specials where min, max and sums bite.
func withNaN(r *rand.Rand, n int, nanShare float64) []float64 {
	x := randF[float64](r, n)
	for i := range x {
		if r.Float64() < nanShare {
			x[i] = math.NaN()
		}
	}
	return x
}

// TestNanBodies runs every body level against the Go body, bit for bit,
// on awkward lengths and offsets.
func TestNanBodies(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	var ins [][]float64
	for _, n := range bodyLengths {
		for _, off := range []int{0, 1, 3} {
			for _, share := range []float64{0, 0.1, 1} {
				if n > 1e5 && (off != 1 || share == 1) {
					continue
				}
				ins = append(ins, withNaN(r, n+off, share)[off:])
			}
		}
	}
	specials := []float64{math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), math.NaN(), 1, -1}
	for range 200 {
		x := make([]float64, r.IntN(70))
		for i := range x {
			x[i] = specials[r.IntN(len(specials))]
		}
		ins = append(ins, x)
	}
	type res struct {
		sum, lo, hi float64
		n           int
		sq          float64
	}
	forLevels(t, func(t *testing.T, bt *bodies) {
		for _, x := range ins {
			var g, h res
			g.sum, g.lo, g.hi, g.n = nanBlockF64Go(x)
			g.sq = sqDevF64Go(x, 0.25)
			h.sum, h.lo, h.hi, h.n = bt.nanBlockF64(x)
			h.sq = bt.sqDevF64(x, 0.25)
			require.Equal(t, g.n, h.n, "n=%d", len(x))
			require.True(t, sameBits(g.sum, nanSumF64Go(x)), "n=%d", len(x))
			require.True(t, sameBits(g.sum, bt.nanSumF64(x)), "n=%d", len(x))
			for _, p := range [][2]float64{{g.sum, h.sum}, {g.lo, h.lo}, {g.hi, h.hi}, {g.sq, h.sq}} {
				require.True(t, sameBits(p[0], p[1]), "n=%d: %v here, %v in Go (%v)", len(x), p[1], p[0], x)
			}
			if len(x) > 0 {
				checkStats(t, "block", x, treeMerge([]Stats{describeBlock(bt, x, true)}, merge).Merge(Stats{}))
			}
		}
	})
}

// TestNanKernels checks the public kernels on teams of 1 to 4 workers at
// every body level: same bits everywhere, close to the reference.
func TestNanKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	ts := append(teams(t), workers.NewTeam(4))
	t.Cleanup(func() { ts[3].Close() })
	for _, n := range []int{1, 17, 4095, 4097, 3*serialBelow + 12345} {
		x := withNaN(r, n, 0.05)
		x32 := toF32(x)
		ints := make([]int32, n)
		for i := range ints {
			ints[i] = int32(r.IntN(2001) - 1000)
		}
		first := describe(genericBodies, ts[0], x, true)
		first32 := describe(genericBodies, ts[0], x32, true)
		checkStats(t, "float64", x, first)
		checkStats(t, "float32", x32, first32)
		checkStats(t, "int32", ints, Describe(ints))
		forLevels(t, func(t *testing.T, bt *bodies) {
			for _, tm := range ts {
				got := describe(bt, tm, x, true)
				require.Equal(t, fmt.Sprint(first), fmt.Sprint(got), "n=%d", n)
				for _, p := range [][2]float64{{first.Sum, got.Sum}, {first.Mean, got.Mean}, {first.M2, got.M2}} {
					require.True(t, sameBits(p[0], p[1]), "n=%d", n)
				}
				require.Equal(t, fmt.Sprint(first32), fmt.Sprint(describe(bt, tm, x32, true)))
				require.True(t, sameBits(first.Sum, nanSumOn(bt, tm, x)))
				require.Equal(t, first.Min, NanMinOn(tm, x))
				require.Equal(t, first.Max, NanMaxOn(tm, x))
				require.Equal(t, first.NaN, CountNaNOn(tm, x))
				require.Equal(t, float32(first32.Sum), NanSumOn(tm, x32))
			}
		})
		// Without NaNs, NanSum is Sum, bit for bit.
		y := randF[float64](r, n)
		require.True(t, sameBits(Sum(y), NanSum(y)), "n=%d", n)
	}
}

func TestNanEdges(t *testing.T) {
	nan := math.NaN()
	all := []float64{nan, nan, nan}
	require.True(t, math.IsNaN(NanMin(all)))
	require.True(t, math.IsNaN(NanMax(all)))
	require.Equal(t, 0.0, NanSum(all))
	require.Equal(t, 3, CountNaN(all))
	s := Describe(all)
	require.Equal(t, 0, s.Count)
	require.True(t, math.IsNaN(s.Mean) && math.IsNaN(s.Var()) && math.IsNaN(s.Min))
	require.Equal(t, 0, Describe([]float64{}).Count)
	require.PanicsWithValue(t, "kernels.NanMin: empty slice", func() { NanMin([]float64{}) })
	require.PanicsWithValue(t, "kernels.NanMax: empty slice", func() { NanMax([]float32{}) })
	// Stable where Σx² - n·mean² is not: a large offset, a small spread.
	x := make([]float64, 100001)
	for i := range x {
		x[i] = 1e9 + float64(i%3) // values 1e9, 1e9+1, 1e9+2
	}
	small := make([]float64, len(x))
	for i := range x {
		small[i] = float64(i % 3)
	}
	s = Describe(x)
	require.InDelta(t, describeRef(small).Var(), s.Var(), 1e-9)
	// Merge of two halves equals the whole (up to rounding).
	a, b := Describe(x[:40000]), Describe(x[40000:])
	m := a.Merge(b)
	require.Equal(t, s.Count, m.Count)
	require.InDelta(t, s.Var(), m.Var(), 1e-9)
	require.Equal(t, s, s.Merge(Describe([]float64{})))
	require.Equal(t, 3, Stats{}.Merge(Describe(all)).NaN)
}

func fuzzNaN(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x := place(fuzzF64(raw, rep), off)
	x32 := place(toF32(x), off)
	var first Stats
	forEachLevel(func(bt *bodies) {
		got := describe(bt, nil, x, true)
		checkStats(t, bt.name, x, got)
		par := onTeam(bt, func(bt *bodies, tm *workers.Team) Stats { return describe(bt, tm, x, true) })
		if bt == genericBodies {
			first = got
		}
		for _, s := range []Stats{got, par} {
			require.Equal(t, fmt.Sprint(first), fmt.Sprint(s), "%s n=%d", bt.name, len(x))
		}
		require.True(t, sameBits(first.Sum, nanSumOn(bt, nil, x)))
		require.Equal(t, first.NaN, CountNaN(x))
		checkStats(t, "float32", x32, onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) Stats { return describe(bt, tm, x32, true) }))
	})
}

func FuzzNaN(f *testing.F) { fuzzSeeds(f); f.Fuzz(fuzzNaN) }

// ExampleDescribe computes the statistics of a series with missing values.
func ExampleDescribe() {
	nan := math.NaN()
	temps := []float64{21.5, nan, 22.0, 23.5, nan, 19.0, 24.0}
	s := Describe(temps)
	fmt.Printf("%d values, %d missing, mean %.2f, std %.2f, range %.1f..%.1f\n",
		s.Count, s.NaN, s.Mean, s.Std(), s.Min, s.Max)
	fmt.Println(NanSum(temps), NanMax(temps), CountNaN(temps))
	// Output:
	// 5 values, 2 missing, mean 22.00, std 1.76, range 19.0..24.0
	// 110 24 2
}
