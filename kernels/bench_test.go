package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sharc-go/sharc/workers"
)

// Each benchmark runs the plain Go loop ("loop") next to the kernel in the
// same run. go test -run x -bench . ./kernels
var benchSizes = []int{1 << 12, 1 << 18, 1 << 24}

func BenchmarkSum(b *testing.B) {
	for _, n := range benchSizes {
		x := randF[float64](rand.New(rand.NewPCG(1, 1)), n)
		b.Run(fmt.Sprintf("loop/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = sumRef(x)
			}
		})
		b.Run(fmt.Sprintf("kernel/%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				_ = Sum(x)
			}
		})
	}
}

func BenchmarkDot(b *testing.B) {
	for _, n := range benchSizes {
		r := rand.New(rand.NewPCG(1, 1))
		x, y := randF[float64](r, n), randF[float64](r, n)
		b.Run(fmt.Sprintf("loop/%d", n), func(b *testing.B) {
			b.SetBytes(int64(16 * n))
			for b.Loop() {
				_ = dotRef(x, y)
			}
		})
		b.Run(fmt.Sprintf("kernel/%d", n), func(b *testing.B) {
			b.SetBytes(int64(16 * n))
			for b.Loop() {
				_ = Dot(x, y)
			}
		})
	}
}

func BenchmarkAxpy(b *testing.B) {
	for _, n := range benchSizes {
		r := rand.New(rand.NewPCG(1, 1))
		x, y := randF[float64](r, n), randF[float64](r, n)
		b.Run(fmt.Sprintf("loop/%d", n), func(b *testing.B) {
			b.SetBytes(int64(24 * n))
			for b.Loop() {
				axpyGeneric(1e-9, x, y)
			}
		})
		b.Run(fmt.Sprintf("kernel/%d", n), func(b *testing.B) {
			b.SetBytes(int64(24 * n))
			for b.Loop() {
				Axpy(1e-9, x, y)
			}
		})
	}
}

func BenchmarkSort(b *testing.B) {
	const n = 1 << 22
	src := randF[float64](rand.New(rand.NewPCG(1, 1)), n)
	x := make([]float64, n)
	for _, c := range []struct {
		name string
		f    func([]float64)
	}{{"slices.Sort", slices.Sort[[]float64]}, {"kernel", Sort[float64]}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				copy(x, src)
				c.f(x)
			}
		})
	}
}

func BenchmarkMatMul(b *testing.B) {
	const n = 256
	r := rand.New(rand.NewPCG(1, 1))
	a, bb, c := randF[float64](r, n*n), randF[float64](r, n*n), make([]float64, n*n)
	b.Run("ref", func(b *testing.B) {
		b.SetBytes(3 * 8 * n * n)
		for b.Loop() {
			matMulRef(c, a, bb, n, n, n)
		}
	})
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(3 * 8 * n * n)
		for b.Loop() {
			MatMul(c, a, bb, n, n, n)
		}
	})
}

// BenchmarkMatMulShapes times MatMul on a 2-worker team at the shapes
// bench/run compares with OpenBLAS (m×k times k×n):
//
//	go test -run '^$' -bench MatMulShapes ./kernels
func BenchmarkMatMulShapes(b *testing.B) {
	team := workers.NewTeam(2)
	defer team.Close()
	for _, s := range [][3]int{{256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {4096, 256, 4096}, {100, 1000, 100}} {
		benchMatMulShape[float64](b, team, s)
		benchMatMulShape[float32](b, team, s)
	}
}

func benchMatMulShape[T Float](b *testing.B, team *workers.Team, s [3]int) {
	m, k, n := s[0], s[1], s[2]
	r := rand.New(rand.NewPCG(1, 2))
	x, y, c := randF[T](r, m*k), randF[T](r, k*n), make([]T, m*n)
	var z T
	b.Run(fmt.Sprintf("%T/%dx%dx%d", z, m, k, n), func(b *testing.B) {
		for b.Loop() {
			MatMulOn(team, c, x, y, m, k, n)
		}
		b.ReportMetric(2*float64(m*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
