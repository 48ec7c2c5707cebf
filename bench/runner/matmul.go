package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/gonum/mat"

	"github.com/sharc-go/sharc/kernels"
	"github.com/sharc-go/sharc/workers"
)

// matmulTables compares kernels.MatMulOn with OpenBLAS (bench/kernels/gemm.c,
// its own best core) and gonum on n×n matrices.
func matmulTables(e *env) ([]table, error) {
	sizes := []int{512, 1024, 2048}
	if e.quick {
		sizes = []int{256, 512}
	}
	if e.smoke {
		sizes = []int{64}
	}
	gon := table{Section: "matmul", Title: "MatMul vs gonum",
		About: fmt.Sprintf("n×n, %d threads for sharc; gonum is mat.Dense.Mul (float64) and its pure-Go blas32 Sgemm (float32), GOMAXPROCS=%d. One multiplication per side per round.", e.threads, e.threads)}
	for _, n := range sizes {
		if n > 1024 {
			continue // gonum takes seconds per call here
		}
		for _, typ := range []string{"float64", "float32"} {
			key := fmt.Sprintf("matmul-%s-%d", typ, n)
			a, b := goMatMul(e.threads, n, 1, false), goMatMul(e.threads, n, 1, true)
			rs, err := runPairs(comparison{a: a, b: b, rows: []row{{fmt.Sprintf("%s n=%d", typ, n), key, key}}}, e.pairs)
			if err != nil {
				return nil, err
			}
			gon.Results = append(gon.Results, rs...)
		}
	}
	out := []table{gon}
	if e.noPeers {
		return out, nil
	}
	blasBin, err := cachedBuild(e, "gemm", []string{"kernels/gemm.c"}, func(o string) []string {
		return []string{"gcc", "-O2", "kernels/gemm.c", "-o", o, "-lopenblas"}
	})
	if err != nil {
		e.note("OpenBLAS MatMul skipped: %v (apt-get install -y libopenblas-dev)", firstLine(err))
		return out, nil
	}
	ob := table{Section: "matmul", Title: "MatMul vs OpenBLAS",
		About: fmt.Sprintf("n×n, %d threads each: kernels.MatMulOn vs cblas_dgemm/cblas_sgemm (bench/kernels/gemm.c, OPENBLAS_NUM_THREADS=%d, OpenBLAS's own core choice). Each round is the best of 3 multiplications on each side.", e.threads, e.threads)}
	for _, n := range sizes {
		a := goMatMul(e.threads, n, 3, false)
		b := command("OpenBLAS", []string{"OPENBLAS_NUM_THREADS=" + strconv.Itoa(e.threads)},
			func(k string, gf float64) float64 { return 2 * float64(n) * float64(n) * float64(n) / gf }, blasBin, "3", strconv.Itoa(n))
		var rows []row
		for _, typ := range []string{"float64", "float32"} {
			key := fmt.Sprintf("matmul-%s-%d", typ, n)
			rows = append(rows, row{fmt.Sprintf("%s n=%d", typ, n), key, key})
		}
		rs, err := runPairs(comparison{a: a, b: b, rows: rows}, e.pairs)
		if err != nil {
			return nil, err
		}
		ob.Results = append(ob.Results, rs...)
	}
	return append(out, ob), nil
}

// goMatMul multiplies n×n matrices of both types per round, with sharc or
// with gonum, best of runs.
func goMatMul(threads, n, runs int, useGonum bool) side {
	name := "sharc"
	if useGonum {
		name = "gonum"
	}
	r := rand.New(rand.NewPCG(uint64(n), 3))
	a, b, c := rndM[float64](r, n*n), rndM[float64](r, n*n), make([]float64, n*n)
	a32, b32, c32 := rndM[float32](r, n*n), rndM[float32](r, n*n), make([]float32, n*n)
	return side{name: name, run: func() (map[string]float64, error) {
		best := func(f func()) float64 {
			bt := time.Hour
			for range runs {
				t := time.Now()
				f()
				bt = min(bt, time.Since(t))
			}
			return float64(bt.Nanoseconds())
		}
		m := map[string]float64{}
		k64, k32 := fmt.Sprintf("matmul-float64-%d", n), fmt.Sprintf("matmul-float32-%d", n)
		if useGonum {
			ma, mb := mat.NewDense(n, n, a), mat.NewDense(n, n, b)
			var mc mat.Dense
			m[k64] = best(func() { mc.Mul(ma, mb) })
			m[k32] = best(func() {
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, a32, n, b32, n, 0, c32, n)
			})
			return m, nil
		}
		team := workers.NewTeam(threads)
		defer team.Close()
		m[k64] = best(func() { kernels.MatMulOn(team, c, a, b, n, n, n) })
		m[k32] = best(func() { kernels.MatMulOn(team, c32, a32, b32, n, n, n) })
		return m, nil
	}}
}

func rndM[T float32 | float64](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.Float64()*2 - 1)
	}
	return x
}
