// Command matmul prints GFLOP/s (best of -runs) of sharc's MatMul and of
// gonum on the same n×n matrices, n = 1024 and 2048, one line per case:
//
//	matmul-<type>-<n> <sharc GFLOP/s> <gonum GFLOP/s>
//
// gonum is mat.Dense.Mul for float64 and its pure-Go blas32 Sgemm for
// float32 (mat has no float32 matrix). bench/kernels/gemm.c prints
// OpenBLAS's figures in the same format; bench/run -only matmul compares the
// three in alternated paired rounds.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sharc-go/sharc/kernels"
	"github.com/sharc-go/sharc/workers"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"
)

func main() {
	w := flag.Int("workers", 2, "sharc workers (gonum uses GOMAXPROCS goroutines)")
	runs := flag.Int("runs", 5, "runs per case; the best is printed")
	gonumRuns := flag.Int("gonum-runs", 2, "runs of gonum per case (0: skip, print 0)")
	flag.Parse()
	team := workers.NewTeam(*w)
	defer team.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1024, 2048} {
		flop := 2 * float64(n) * float64(n) * float64(n)
		gflops := func(runs int, f func()) float64 {
			if runs == 0 {
				return 0
			}
			b := time.Hour
			for range runs {
				t := time.Now()
				f()
				b = min(b, time.Since(t))
			}
			return flop / b.Seconds() / 1e9
		}
		a, b, c := rnd[float64](r, n*n), rnd[float64](r, n*n), make([]float64, n*n)
		s := gflops(*runs, func() { kernels.MatMulOn(team, c, a, b, n, n, n) })
		ma, mb := mat.NewDense(n, n, a), mat.NewDense(n, n, b)
		var mc mat.Dense
		g := gflops(*gonumRuns, func() { mc.Mul(ma, mb) })
		fmt.Printf("matmul-float64-%d %.2f %.2f\n", n, s, g)

		a32, b32, c32 := rnd[float32](r, n*n), rnd[float32](r, n*n), make([]float32, n*n)
		s = gflops(*runs, func() { kernels.MatMulOn(team, c32, a32, b32, n, n, n) })
		g = gflops(*gonumRuns, func() {
			gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a32, n, b32, n, 0, c32, n)
		})
		fmt.Printf("matmul-float32-%d %.2f %.2f\n", n, s, g)
	}
}

func rnd[T float32 | float64](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.Float64()*2 - 1)
	}
	return x
}
