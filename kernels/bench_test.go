package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
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
