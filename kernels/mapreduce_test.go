package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// span records which chunks an accumulator covers, in merge order.
type span struct {
	chunks []int
	sum    int
}

func TestMapReduce(t *testing.T) {
	ts := teams(t)
	for _, n := range []int{0, 1, 7, 4095, 4097, serialBelow + 3, 3*serialBelow + 12345} {
		for _, chunk := range []int{1, 3, 4096, 100000, 1 << 30} {
			if n/chunk > 1<<16 {
				continue
			}
			x := make([]int, n)
			for i := range x {
				x[i] = i % 1000
			}
			var want []int
			for c := 0; c*chunk < n; c++ {
				want = append(want, c)
			}
			for _, tm := range ts {
				got := MapReduceOn(tm, x, chunk, func(c int, xs []int) span {
					require.Equal(t, min(chunk, n-c*chunk), len(xs), "chunk %d", c)
					require.Equal(t, &x[c*chunk], &xs[0], "chunk %d starts at c*chunk", c)
					return span{[]int{c}, sumRef(xs)}
				}, func(a, b span) span {
					return span{append(append([]int(nil), a.chunks...), b.chunks...), a.sum + b.sum}
				})
				require.Equal(t, want, got.chunks, "n=%d chunk=%d: every chunk once, in index order", n, chunk)
				require.Equal(t, sumRef(x), got.sum)
			}
		}
	}
	require.PanicsWithValue(t, "kernels.MapReduce: chunk must be >= 1, got 0", func() {
		MapReduce([]int{1}, 0, func(int, []int) int { return 0 }, func(a, b int) int { return a })
	})
}

// The merge tree is fixed: float results are the same bits on every team.
func TestMapReduceReproducible(t *testing.T) {
	x := randF[float64](rand.New(rand.NewPCG(3, 4)), 3*serialBelow+77)
	body := func(_ int, xs []float64) float64 { return sumRef(xs) }
	add := func(a, b float64) float64 { return a + b }
	one := workers.NewTeam(1)
	defer one.Close()
	want := MapReduceOn(one, x, 1000, body, add)
	for _, tm := range teams(t) {
		require.Equal(t, math.Float64bits(want), math.Float64bits(MapReduceOn(tm, x, 1000, body, add)))
	}
}

func fuzzMapReduce(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x := place(fuzzF64(raw, rep), off)
	chunk := 1 + int(off)*37
	want := describeRef(x)
	got := onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) Stats {
		return mapReduceOn(bt.split, tm, x, chunk, func(_ int, xs []float64) Stats { return Describe(xs) }, Stats.Merge)
	})
	if len(x) == 0 {
		require.Equal(t, Stats{}, got)
		return
	}
	require.Equal(t, want.Count, got.Count)
	require.Equal(t, want.NaN, got.NaN)
	require.True(t, closeTo(want.Sum, got.Sum, sumTol[float64](len(x), finiteAbsSum(x))))
}

func FuzzMapReduce(f *testing.F) { fuzzSeeds(f); f.Fuzz(fuzzMapReduce) }

// ExampleMapReduce folds a series into a statistics struct per chunk (the
// accumulator is not the element type) and merges the chunks.
func ExampleMapReduce() {
	type minMax struct{ lo, hi int }
	x := []int{5, 3, 9, 1, 7, 2, 8}
	r := MapReduce(x, 3, func(c int, xs []int) minMax {
		m := minMax{xs[0], xs[0]}
		for _, v := range xs {
			m.lo, m.hi = min(m.lo, v), max(m.hi, v)
		}
		return m
	}, func(a, b minMax) minMax { return minMax{min(a.lo, b.lo), max(a.hi, b.hi)} })
	fmt.Println(r.lo, r.hi)
	// Output: 1 9
}
