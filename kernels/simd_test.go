package kernels

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// levels returns the body levels this machine supports, each with a
// function that selects it; the env var SHARC_NOSIMD=1 limits tests to the
// portable body.
func levels(t testing.TB) map[string]func() {
	saved := useAVX2
	t.Cleanup(func() { useAVX2 = saved })
	ls := map[string]func(){"generic": func() { useAVX2 = false }}
	if saved && os.Getenv("SHARC_NOSIMD") == "" {
		ls["avx2+fma"] = func() { useAVX2 = true }
	}
	return ls
}

func checkBodies[T Float](t *testing.T, r *rand.Rand) {
	for name, set := range levels(t) {
		set()
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 1000, 1000003} {
			for _, off := range []int{0, 1, 3} {
				if n > 1e5 && off != 1 {
					continue // one unaligned run of the long case is enough
				}
				x := randF[T](r, n+off)[off:]
				y := randF[T](r, n+off)[off:]
				tol := 4 * float64(n+1) * eps[T]() * (absSum(x) + 1)
				require.InDelta(t, float64(sumRef(x)), float64(sumBody(x)), tol, "%s sum n=%d off=%d", name, n, off)
				require.InDelta(t, float64(dotRef(x, y)), float64(dotBody(x, y)), tol, "%s dot n=%d off=%d", name, n, off)
				g, ok := guarded[T](n)
				copy(g, y)
				axpyBody(-0.75, x, g)
				require.True(t, ok(), "%s axpy guard n=%d", name, n)
				for i := range g {
					want := y[i] + -0.75*x[i]
					require.InDelta(t, float64(want), float64(g[i]), 4*eps[T](), "%s axpy n=%d i=%d", name, n, i)
				}
			}
		}
		// NaN and infinities propagate as in the loop.
		x := []T{1, T(math.Inf(1)), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
		require.True(t, math.IsInf(float64(sumBody(x)), 1), name)
		x[17] = T(math.NaN())
		require.True(t, math.IsNaN(float64(sumBody(x))), name)
	}
}

func TestBodiesFloat64(t *testing.T) { checkBodies[float64](t, rand.New(rand.NewPCG(11, 12))) }
func TestBodiesFloat32(t *testing.T) { checkBodies[float32](t, rand.New(rand.NewPCG(13, 14))) }

// FuzzDot compares every body of Dot, Sum and Axpy with the scalar
// references. Longer runs: go test -fuzz FuzzDot -fuzztime 1m ./kernels
func FuzzDot(f *testing.F) {
	f.Add([]byte{}, 1.0)
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefXYZ"), -2.5)
	f.Add(make([]byte, 8*17+3), 0.0)
	f.Fuzz(func(t *testing.T, raw []byte, a float64) {
		n := len(raw) / 2
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			// Bounded values keep the comparison about order, not overflow.
			x[i] = float64(int8(raw[i])) / 7
			y[i] = float64(int8(raw[n+i])) / 3
		}
		if math.IsNaN(a) || math.IsInf(a, 0) {
			a = 1
		}
		a = math.Mod(a, 1e6)
		for name, set := range levels(t) {
			set()
			tol := 1e-12 * (float64(n)*100 + 1)
			require.InDelta(t, sumRef(x), sumBody(x), tol, name)
			require.InDelta(t, dotRef(x, y), dotBody(x, y), tol*10, name)
			g := append([]float64(nil), y...)
			axpyBody(a, x, g)
			for i := range g {
				require.InDelta(t, y[i]+a*x[i], g[i], 1e-9*(math.Abs(a)+1)*20, name)
			}
		}
	})
}
