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

// A shape is one multiplication: c (m×n) = a (m×k) · b (k×n).
type shape struct{ m, k, n int }

func square(n int) shape { return shape{n, n, n} }

// String is the shape as gemm.c reads it: "n" when square, else "MxKxN".
func (s shape) String() string {
	if s.m == s.k && s.k == s.n {
		return strconv.Itoa(s.n)
	}
	return fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n)
}

// label is the shape as a table row names it.
func (s shape) label() string {
	if s.m == s.k && s.k == s.n {
		return fmt.Sprintf("n=%d", s.n)
	}
	return fmt.Sprintf("%d×%d×%d", s.m, s.k, s.n)
}

func (s shape) flop() float64 { return 2 * float64(s.m) * float64(s.k) * float64(s.n) }

// blasRuns is how many multiplications a round of the OpenBLAS comparison
// takes the best of on each side: 3, or 15 for a product under a GFLOP
// (well under a millisecond or two here), whose single times measure the
// neighbours as much as the code.
func (s shape) blasRuns() int {
	if s.flop() < 1e9 {
		return 15
	}
	return 3
}

func (s shape) key(typ string) string { return fmt.Sprintf("matmul-%s-%s", typ, s) }

// matmulTables compares kernels.MatMulOn with OpenBLAS (bench/kernels/gemm.c,
// its own best core) and gonum, on square matrices and on two non-square
// shapes: a wide, shallow product (4096×256 · 256×4096, the rank-256 update
// of blocked factorisations) and a narrow, deep one (100×1000 · 1000×100).
func matmulTables(e *env) ([]table, error) {
	shapes := []shape{square(256), square(512), square(1024), square(2048), {4096, 256, 4096}, {100, 1000, 100}}
	if e.quick {
		shapes = []shape{square(256), square(512), {100, 1000, 100}}
	}
	if e.smoke {
		shapes = []shape{square(64)}
	}
	gon := table{Section: "matmul", Title: "MatMul vs gonum",
		About: fmt.Sprintf("m×k times k×n, %d threads for sharc; gonum is mat.Dense.Mul (float64) and its pure-Go blas32 Sgemm (float32), GOMAXPROCS=%d. One multiplication per side per round.", e.threads, e.threads)}
	for _, sh := range shapes {
		if sh.flop() > 2<<30 {
			continue // gonum takes seconds per call here
		}
		for _, typ := range []string{"float64", "float32"} {
			key := sh.key(typ)
			a, b := goMatMul(e.threads, sh, 1, false), goMatMul(e.threads, sh, 1, true)
			rs, err := runPairs(comparison{a: a, b: b, rows: []row{{fmt.Sprintf("%s %s", typ, sh.label()), key, key}}}, e.pairs)
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
		About: fmt.Sprintf("m×k times k×n (n=N: N×N times N×N), %d threads each: kernels.MatMulOn vs cblas_dgemm/cblas_sgemm (bench/kernels/gemm.c, OPENBLAS_NUM_THREADS=%d, OpenBLAS's own core choice). Each round is the best of 3 multiplications on each side (of 15 for products under a GFLOP: n = 256, 512 and 100×1000×100).", e.threads, e.threads)}
	for _, sh := range shapes {
		a := goMatMul(e.threads, sh, sh.blasRuns(), false)
		b := command("OpenBLAS", []string{"OPENBLAS_NUM_THREADS=" + strconv.Itoa(e.threads)},
			func(k string, gf float64) float64 { return sh.flop() / gf }, blasBin, strconv.Itoa(sh.blasRuns()), sh.String())
		var rows []row
		for _, typ := range []string{"float64", "float32"} {
			rows = append(rows, row{fmt.Sprintf("%s %s", typ, sh.label()), sh.key(typ), sh.key(typ)})
		}
		rs, err := runPairs(comparison{a: a, b: b, rows: rows}, e.pairs)
		if err != nil {
			return nil, err
		}
		ob.Results = append(ob.Results, rs...)
	}
	return append(out, ob), nil
}

// goMatMul multiplies matrices of shape sh, of both types, per round, with
// sharc or with gonum, best of runs.
func goMatMul(threads int, sh shape, runs int, useGonum bool) side {
	name := "sharc"
	if useGonum {
		name = "gonum"
	}
	m, k, n := sh.m, sh.k, sh.n
	r := rand.New(rand.NewPCG(uint64(m*k*n), 3))
	a, b, c := rndM[float64](r, m*k), rndM[float64](r, k*n), make([]float64, m*n)
	a32, b32, c32 := rndM[float32](r, m*k), rndM[float32](r, k*n), make([]float32, m*n)
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
		res := map[string]float64{}
		k64, k32 := sh.key("float64"), sh.key("float32")
		if useGonum {
			ma, mb := mat.NewDense(m, k, a), mat.NewDense(k, n, b)
			var mc mat.Dense
			res[k64] = best(func() { mc.Mul(ma, mb) })
			res[k32] = best(func() {
				gonum.Implementation{}.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a32, k, b32, n, 0, c32, n)
			})
			return res, nil
		}
		team := workers.NewTeam(threads)
		defer team.Close()
		res[k64] = best(func() { kernels.MatMulOn(team, c, a, b, m, k, n) })
		res[k32] = best(func() { kernels.MatMulOn(team, c32, a32, b32, m, k, n) })
		return res, nil
	}}
}

func rndM[T float32 | float64](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.Float64()*2 - 1)
	}
	return x
}
