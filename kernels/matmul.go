package kernels

import (
	"fmt"

	"github.com/sharc-go/sharc/workers"
)

// MatMul sets c = a·b for row-major matrices: c is m×n, a is m×k, b is k×n.
// It panics if a slice is shorter than its shape needs. c must not overlap a
// or b. The product is cache-blocked and run in parallel over row blocks of
// c; each row update is an Axpy on the fastest body the CPU has.
func MatMul[T Float](c, a, b []T, m, k, n int) { MatMulOn(nil, c, a, b, m, k, n) }

// MatMulOn is MatMul on team t (nil: the default team).
func MatMulOn[T Float](t *workers.Team, c, a, b []T, m, k, n int) {
	if m < 0 || k < 0 || n < 0 || len(c) < m*n || len(a) < m*k || len(b) < k*n {
		panic(fmt.Sprintf("kernels.MatMul: m=%d k=%d n=%d need len(c)>=%d len(a)>=%d len(b)>=%d, have %d %d %d",
			m, k, n, m*n, m*k, k*n, len(c), len(a), len(b)))
	}
	const (
		rows = 4   // rows of c per task
		kc   = 256 // depth block: a kc×nc panel of b stays in L2
		nc   = 1024
	)
	body := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			clear(c[i*n : i*n+n])
		}
		for p0 := 0; p0 < k; p0 += kc {
			p1 := min(p0+kc, k)
			for j0 := 0; j0 < n; j0 += nc {
				j1 := min(j0+nc, n)
				for i := lo; i < hi; i++ {
					crow := c[i*n+j0 : i*n+j1]
					for p := p0; p < p1; p++ {
						axpyBody(a[i*k+p], b[p*n+j0:p*n+j1], crow)
					}
				}
			}
		}
	}
	if m*k*n < 1<<15 {
		body(0, m)
		return
	}
	teamOf(t).For(m, rows, body)
}

// matMulRef is the scalar reference of MatMul.
func matMulRef[T Float](c, a, b []T, m, k, n int) {
	for i := range m {
		for j := range n {
			var s T
			for p := range k {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] = s
		}
	}
}
