package kernels

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// matMulShapes are awkward m, k, n: empty, thin, one off the tile and block
// sizes, non-square, k = 1, k over the real kc.
var matMulShapes = [][3]int{
	{0, 0, 0}, {0, 5, 3}, {3, 0, 5}, {5, 3, 0}, {1, 1, 1}, {1, 7, 1}, {7, 1, 9},
	{7, 9, 7}, {9, 7, 63}, {63, 65, 9}, {65, 63, 65}, {129, 1, 65}, {6, 8, 8}, {8, 24, 24},
	{16, 300, 48}, {129, 129, 129}, {200, 33, 7}, {1, 257, 300}, {97, 130, 50},
	{33, 1100, 50}, // k over kc: several panels with the real blocking
	{5, 300, 400},  // parallel with fewer row blocks than workers: columns split, a shared
}

// matMulWant returns the reference product of a and b and, per element,
// the standard error bound for a k-term sum: 2·(k+1)·eps·(|a|·|b|).
func matMulWant[T Float](a, b []T, m, k, n int) (want []T, tol []float64) {
	want, tol = make([]T, m*n), make([]float64, m*n)
	matMulRef(want, a, b, m, k, n)
	absA, absB := make([]float64, m*k), make([]float64, k*n)
	for i, v := range a[:m*k] {
		absA[i] = math.Abs(float64(v))
	}
	for i, v := range b[:k*n] {
		absB[i] = math.Abs(float64(v))
	}
	matMulRef(tol, absA, absB, m, k, n)
	for i := range tol {
		tol[i] = 2 * float64(k+1) * eps[T]() * (tol[i] + 1e-30)
	}
	return want, tol
}

// checkMatMul compares c with the reference product.
func checkMatMul[T Float](t *testing.T, name string, c, a, b []T, m, k, n int) {
	t.Helper()
	want, tol := matMulWant(a, b, m, k, n)
	checkWant(t, name, c, want, tol, m, k, n)
}

func checkWant[T Float](t *testing.T, name string, c, want []T, tol []float64, m, k, n int) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(want[i])-float64(c[i])) > tol[i] || math.IsNaN(float64(c[i])) {
			require.InDelta(t, float64(want[i]), float64(c[i]), tol[i], "%s m=%d k=%d n=%d at (%d,%d)", name, m, k, n, i/n, i%n)
		}
	}
}

// small returns kern with tiny blocks, so small inputs cross every block
// boundary (several kc, mc and nc blocks and partial ones).
func small[T Float](kern gemmKernel[T]) gemmKernel[T] {
	kern.name += "/small-blocks"
	kern.kc, kern.mc, kern.nc = 5, 2*kern.mr, 2*kern.nr
	return kern
}

func testKernels[T Float](t *testing.T, kerns []gemmKernel[T], seed uint64) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	team := workers.NewTeam(2)
	defer team.Close()
	for _, s := range matMulShapes {
		m, k, n := s[0], s[1], s[2]
		a, b := randF[T](r, m*k), randF[T](r, k*n)
		want, tol := matMulWant(a, b, m, k, n)
		for _, kern := range kerns {
			for _, kern := range []gemmKernel[T]{kern, small(kern)} {
				for _, tm := range []*workers.Team{nil, team} {
					c, ok := guarded[T](m * n) // starts all NaN: MatMul must overwrite
					gemm(tm, &kern, c, a, b, m, k, n)
					require.True(t, ok(), "%s m=%d k=%d n=%d: write outside c", kern.name, m, k, n)
					checkWant(t, kern.name, c, want, tol, m, k, n)
				}
			}
		}
	}
}

// testEdges runs each kernel at widths whose last column panel goes to each
// of its edge kernels, filling it exactly and leaving one column over.
func testEdges[T Float](t *testing.T, kerns []gemmKernel[T]) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, kern := range kerns {
		prev := 0
		for _, e := range kern.edges {
			require.Greater(t, e.nr, prev, "%s: edge kernels by increasing width", kern.name)
			require.Less(t, e.nr, kern.nr, "%s: edge kernels narrower than the kernel", kern.name)
			prev = e.nr
			for _, n := range []int{e.nr, e.nr - 1, kern.nr + e.nr, kern.nr + e.nr - 1, prev + 1} {
				m, k := 2*kern.mr+3, 37
				a, b := randF[T](r, m*k), randF[T](r, k*n)
				want, tol := matMulWant(a, b, m, k, n)
				for _, kern := range []gemmKernel[T]{kern, small(kern)} {
					c, ok := guarded[T](m * n)
					gemm(nil, &kern, c, a, b, m, k, n)
					require.True(t, ok(), "%s m=%d k=%d n=%d: write outside c", kern.name, m, k, n)
					checkWant(t, fmt.Sprintf("%s edge %d", kern.name, e.nr), c, want, tol, m, k, n)
				}
			}
		}
	}
}

// TestPackA checks the packing of a's slivers, full (the unrolled paths)
// and partial, against its definition: dst[p*mr+i] = a[i0+i][p0+p].
func TestPackA(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const lda, rows = 23, 20
	a := randF[float64](r, rows*lda)
	for _, mr := range []int{4, 6, 8} {
		for _, mEff := range []int{mr, mr - 1, 1} {
			for _, kc := range []int{1, 5, 17} {
				i0, p0 := 3, 2
				dst := randF[float64](r, mr*kc)
				packA(dst, a, lda, i0, mEff, p0, kc)
				for p := range kc {
					for i := range mr {
						want := 0.0
						if i < mEff {
							want = a[(i0+i)*lda+p0+p]
						}
						require.Equal(t, want, dst[p*mr+i], "mr=%d mEff=%d kc=%d p=%d i=%d", mr, mEff, kc, p, i)
					}
				}
			}
		}
	}
}

func TestMatMulEdgeKernels(t *testing.T) {
	testEdges(t, gemmF64)
	testEdges(t, gemmF32)
}

func TestMatMulKernelsFloat64(t *testing.T) { testKernels(t, gemmF64, 1) }
func TestMatMulKernelsFloat32(t *testing.T) { testKernels(t, gemmF32, 3) }

// TestMatMulLarge runs the dispatched kernel on a product big enough for
// the parallel path with the production blocking.
func TestMatMulLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	team := workers.NewTeam(2)
	defer team.Close()
	m, k, n := 97, 270, 101 // k splits into two kc blocks
	a, b := randF[float64](r, m*k), randF[float64](r, k*n)
	c, ok := guarded[float64](m * n)
	MatMulOn(team, c, a, b, m, k, n)
	require.True(t, ok())
	checkMatMul(t, "float64", c, a, b, m, k, n)
	a32, b32 := randF[float32](r, m*k), randF[float32](r, k*n)
	c32, ok := guarded[float32](m * n)
	MatMulOn(team, c32, a32, b32, m, k, n)
	require.True(t, ok())
	checkMatMul(t, "float32", c32, a32, b32, m, k, n)
}

func TestMatMulNamedType(t *testing.T) {
	a := []celsius{1, 2, 3, 4, 5, 6}
	b := []celsius{7, 8, 9, 10, 11, 12}
	c := make([]celsius, 4)
	MatMul(c, a, b, 2, 3, 2)
	require.Equal(t, []celsius{58, 64, 139, 154}, c)
}

func TestMatMulSpecialValues(t *testing.T) {
	for _, kern := range gemmF64 {
		a := []float64{math.Inf(1), 1, 2, 3}
		b := []float64{1, 2, 3, math.NaN()}
		c := make([]float64, 4)
		gemm(nil, &kern, c, a, b, 2, 2, 2)
		require.True(t, math.IsInf(c[0], 1), kern.name)
		require.True(t, math.IsNaN(c[1]), kern.name)
		require.Equal(t, 2+3*3.0, c[2], kern.name)
		require.True(t, math.IsNaN(c[3]), kern.name)
	}
}

func TestMatMulPanics(t *testing.T) {
	f := make([]float64, 6)
	require.PanicsWithValue(t,
		"kernels.MatMul: m=2 k=3 n=2 need len(c)>=4 len(a)>=6 len(b)>=6, have 6 5 6",
		func() { MatMul(f, f[:5], f, 2, 3, 2) })
	require.Panics(t, func() { MatMul(f[:3], f, f, 2, 3, 2) })
	require.Panics(t, func() { MatMul(f, f, f[:5], 2, 3, 2) })
	require.Panics(t, func() { MatMul(f, f, f, -1, 3, 2) })
}

// FuzzMatMul compares every micro-kernel, with the production and with tiny
// blockings, to the reference. Longer runs:
// go test -run '^$' -fuzz FuzzMatMul -fuzztime 1m ./kernels
func FuzzMatMul(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(13), uint64(1))
	f.Add(uint8(65), uint8(1), uint8(49), uint64(2))
	f.Add(uint8(0), uint8(3), uint8(2), uint64(3))
	f.Fuzz(func(t *testing.T, m8, k8, n8 uint8, seed uint64) {
		m, k, n := int(m8)%97, int(k8)%150, int(n8)%97
		r := rand.New(rand.NewPCG(seed, 7))
		a, b := randF[float64](r, m*k), randF[float64](r, k*n)
		a32, b32 := randF[float32](r, m*k), randF[float32](r, k*n)
		for _, kern := range gemmF64 {
			for _, kern := range []gemmKernel[float64]{kern, small(kern)} {
				c, ok := guarded[float64](m * n)
				gemm(nil, &kern, c, a, b, m, k, n)
				require.True(t, ok(), kern.name)
				checkMatMul(t, kern.name, c, a, b, m, k, n)
			}
		}
		for _, kern := range gemmF32 {
			for _, kern := range []gemmKernel[float32]{kern, small(kern)} {
				c, ok := guarded[float32](m * n)
				gemm(nil, &kern, c, a32, b32, m, k, n)
				require.True(t, ok(), kern.name)
				checkMatMul(t, kern.name, c, a32, b32, m, k, n)
			}
		}
	})
}

// BenchmarkMatMulKernels times MatMul on one worker with each micro-kernel
// (the portable Go one is the baseline) and on the default team.
func BenchmarkMatMulKernels(b *testing.B) {
	benchMatMul(b, gemmF64)
	benchMatMul(b, gemmF32)
}

func benchMatMul[T Float](b *testing.B, kerns []gemmKernel[T]) {
	one := workers.NewTeam(1)
	defer one.Close()
	typ := fmt.Sprintf("%T", T(0))
	for _, n := range []int{256, 1024} {
		r := rand.New(rand.NewPCG(1, 2))
		a, bb, c := randF[T](r, n*n), randF[T](r, n*n), make([]T, n*n)
		bench := func(name string, run func()) {
			b.Run(fmt.Sprintf("n=%d/%s/%s", n, typ, name), func(b *testing.B) {
				b.SetBytes(3 * int64(unsafe.Sizeof(T(0))) * int64(n*n))
				for b.Loop() {
					run()
				}
				b.ReportMetric(2*float64(n)*float64(n)*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		for _, kern := range kerns {
			bench(kern.name+"/1worker", func() { gemm(one, &kern, c, a, bb, n, n, n) })
		}
		bench("dispatch/team", func() { MatMul(c, a, bb, n, n, n) })
	}
}

// Shapes whose element counts overflow an int must fail the length check
// with MatMul's own message, not wrap around and fail later in slicing.
func TestMatMulOverflow(t *testing.T) {
	f := make([]float64, 16)
	const big = 1 << (bits.UintSize / 2) // 2^32 on 64-bit platforms
	for _, s := range [][3]int{{big, big, big}, {big, big, 1}, {1, big, big}, {big, 1, big}, {math.MaxInt, 2, 1}} {
		m, k, n := s[0], s[1], s[2]
		require.PanicsWithValue(t,
			fmt.Sprintf("kernels.MatMul: m=%d k=%d n=%d: a matrix of that shape has more elements than an int can count", m, k, n),
			func() { MatMul(f, f, f, m, k, n) })
	}
	require.PanicsWithValue(t, "kernels.MatMul: negative dimension: m=-1 k=3 n=2", func() { MatMul(f, f, f, -1, 3, 2) })
}
