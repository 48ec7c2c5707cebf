package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sharc-go/sharc/workers"
)

// BenchmarkBodies runs every single-core body of Sum, Dot and Axpy (float64)
// side by side, in cache (4 Ki, 64 Ki) and from memory (4 Mi):
//
//	go test -run x -bench Bodies ./kernels
func BenchmarkBodies(b *testing.B) {
	for _, n := range []int{1 << 12, 1 << 16, 1 << 22} {
		r := rand.New(rand.NewPCG(1, 1))
		x, y := randF[float64](r, n), randF[float64](r, n)
		for _, l := range bodyLevels() {
			b.Run(fmt.Sprintf("sum/%s/%d", levelNames[l], n), func(b *testing.B) {
				bt := levelBodies(l)
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					_ = sumBody(bt, x)
				}
			})
			b.Run(fmt.Sprintf("dot/%s/%d", levelNames[l], n), func(b *testing.B) {
				bt := levelBodies(l)
				b.SetBytes(int64(16 * n))
				for b.Loop() {
					_ = dotBody(bt, x, y)
				}
			})
			b.Run(fmt.Sprintf("axpy/%s/%d", levelNames[l], n), func(b *testing.B) {
				bt := levelBodies(l)
				b.SetBytes(int64(24 * n))
				for b.Loop() {
					axpyBody(bt, 1e-9, x, y)
				}
			})
		}
	}
}

// BenchmarkInCache compares, at in-cache sizes, the single-core body with
// the parallel driver on a 2-worker team, with a table whose serialBelow is
// 0 so the driver really forks: the measurement behind serialBelow.
//
//	go test -run x -bench InCache ./kernels
func BenchmarkInCache(b *testing.B) {
	team := workers.NewTeam(2)
	defer team.Close()
	forked := cpuBodies.withSplit(split{serialBelow: 0, grain: grain})
	for _, n := range []int{1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18} {
		r := rand.New(rand.NewPCG(1, 1))
		x, y := randF[float64](r, n), randF[float64](r, n)
		cases := []struct {
			name  string
			bytes int
			one   func()
			par   func()
		}{
			{"sum", 8, func() { _ = blockedSerial(n, func(lo, hi int) float64 { return sumBody(cpuBodies, x[lo:hi]) }) }, func() { _ = sumOn(forked, team, x) }},
			{"dot", 16, func() {
				_ = blockedSerial(n, func(lo, hi int) float64 { return dotBody(cpuBodies, x[lo:hi], y[lo:hi]) })
			}, func() { _ = dotOn(forked, team, x, y) }},
			{"axpy", 24, func() { axpyBody(cpuBodies, 1e-9, x, y) }, func() { axpyOn(forked, team, 1e-9, x, y) }},
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("%s/body/%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(c.bytes * n))
				for b.Loop() {
					c.one()
				}
			})
			b.Run(fmt.Sprintf("%s/team2/%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(c.bytes * n))
				for b.Loop() {
					c.par()
				}
			})
		}
	}
}

// blockedSerial is blocked on the caller alone.
func blockedSerial[T Number](n int, f func(lo, hi int) T) T {
	return blocked(serialOnly, nil, n, f)
}

// BenchmarkMinMax compares Max and ArgMax with the single-accumulator loop
// (slices.Max's), single core and on the default team.
func BenchmarkMinMax(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 24} {
		x := randF[float64](rand.New(rand.NewPCG(1, 1)), n)
		b.Run(fmt.Sprintf("loop/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = maxRef(x)
			}
		})
		b.Run(fmt.Sprintf("body/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = maxBody(cpuBodies, x)
			}
		})
		b.Run(fmt.Sprintf("Max/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = Max(x)
			}
		})
		b.Run(fmt.Sprintf("ArgMax/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = ArgMax(x)
			}
		})
	}
}

// BenchmarkPrefixSum compares PrefixSum with the plain loop (prefixRef).
func BenchmarkPrefixSum(b *testing.B) {
	const n = 1 << 24
	x := randF[float64](rand.New(rand.NewPCG(1, 1)), n)
	dst := make([]float64, n)
	b.Run("loop", func(b *testing.B) {
		b.SetBytes(16 * n)
		for b.Loop() {
			prefixRef(dst, x)
		}
	})
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(16 * n)
		for b.Loop() {
			PrefixSum(dst, x)
		}
	})
}
