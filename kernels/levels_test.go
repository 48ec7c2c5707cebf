package kernels

import (
	"flag"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Switches that take SIMD levels out of the tests, as klauspost/reedsolomon's
// do: the flags (go test ./kernels -args -noavx512) or the environment
// variables SHARC_NOSIMD, SHARC_NOAVX2 and SHARC_NOAVX512 (any non-empty
// value). Turning a level off turns off those above it. The public kernels
// keep the table chosen at start-up; build with -tags noasm to run them on
// the Go bodies.
var (
	flagNoSIMD   = flag.Bool("nosimd", false, "test the portable bodies only")
	flagNoAVX2   = flag.Bool("noavx2", false, "test no AVX2 (nor AVX-512) body")
	flagNoAVX512 = flag.Bool("noavx512", false, "test no AVX-512 body")
)

// maxTestLevel is the highest level the switches allow.
func maxTestLevel() int {
	switch {
	case *flagNoSIMD || os.Getenv("SHARC_NOSIMD") != "":
		return levelGeneric
	case *flagNoAVX2 || os.Getenv("SHARC_NOAVX2") != "":
		return levelGeneric
	case *flagNoAVX512 || os.Getenv("SHARC_NOAVX512") != "":
		return levelAVX2
	}
	return levelAVX512
}

// bodyLevels returns every level this CPU supports and the switches allow,
// lowest first: tests loop over it to run each body, not only the one
// dispatch picks.
func bodyLevels() []int {
	var ls []int
	for l := levelGeneric; l <= min(int(cpuLevel), maxTestLevel()); l++ {
		ls = append(ls, l)
	}
	return ls
}

// forLevels runs f once per body level, as a parallel subtest handed that
// level's table.
func forLevels(t *testing.T, f func(t *testing.T, bt *bodies)) {
	for _, l := range bodyLevels() {
		t.Run(levelNames[l], func(t *testing.T) {
			t.Parallel()
			f(t, levelBodies(l))
		})
	}
}

// withSplit returns a copy of the table bt that splits the work as sp.
func (bt *bodies) withSplit(sp split) *bodies {
	c := *bt
	c.split = sp
	return &c
}

// forEachLevel calls f with each body level's table in turn.
func forEachLevel(f func(bt *bodies)) {
	for _, l := range bodyLevels() {
		f(levelBodies(l))
	}
}

// sameBits reports whether a and b are the same float, bit for bit, or both
// NaN (the NaN payload may differ between bodies).
func sameBits[T Float](a, b T) bool {
	if a != a && b != b {
		return true
	}
	return math.Float64bits(float64(a)) == math.Float64bits(float64(b)) &&
		math.Signbit(float64(a)) == math.Signbit(float64(b))
}

var bodyLengths = []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 4095, 4096, 4097, 1000003}

func testBodies[T Float](t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	type input struct {
		x, y []T
		off  int
	}
	var ins []input
	for _, n := range bodyLengths {
		for _, off := range []int{0, 1, 3} {
			if n > 1e5 && off != 1 {
				continue // one unaligned run of the long case is enough
			}
			ins = append(ins, input{randF[T](r, n+off)[off:], randF[T](r, n+off)[off:], off})
		}
	}
	// The portable body's results, which every other body must equal.
	type want struct {
		sum, dot T
		axpy     []T
	}
	ref := make([]want, len(ins))
	for i, in := range ins {
		g := append([]T(nil), in.y...)
		axpyBody(genericBodies, -0.75, in.x, g)
		ref[i] = want{sumBody(genericBodies, in.x), dotBody(genericBodies, in.x, in.y), g}
	}
	forLevels(t, func(t *testing.T, bt *bodies) {
		for i, in := range ins {
			n := len(in.x)
			tol := 4 * float64(n+1) * eps[T]() * (absSum(in.x) + 1)
			s, d := sumBody(bt, in.x), dotBody(bt, in.x, in.y)
			require.InDelta(t, float64(sumRef(in.x)), float64(s), tol, "sum n=%d off=%d", n, in.off)
			require.InDelta(t, float64(dotRef(in.x, in.y)), float64(d), tol, "dot n=%d off=%d", n, in.off)
			require.True(t, sameBits(ref[i].sum, s), "sum n=%d: %v here, %v generic", n, s, ref[i].sum)
			require.True(t, sameBits(ref[i].dot, d), "dot n=%d: %v here, %v generic", n, d, ref[i].dot)
			g, ok := guarded[T](n)
			copy(g, in.y)
			axpyBody(bt, -0.75, in.x, g)
			require.True(t, ok(), "axpy guard n=%d", n)
			for j := range g {
				if !sameBits(ref[i].axpy[j], g[j]) {
					require.Failf(t, "axpy", "n=%d j=%d: %v here, %v generic", n, j, g[j], ref[i].axpy[j])
				}
				if w := float64(in.y[j]) - 0.75*float64(in.x[j]); math.Abs(w-float64(g[j])) > 2*eps[T]() {
					require.Failf(t, "axpy", "n=%d j=%d: %v, want %v", n, j, g[j], w)
				}
			}
		}
		// NaN and infinities propagate as in the loop.
		x := []T{1, T(math.Inf(1)), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
		require.True(t, math.IsInf(float64(sumBody(bt, x)), 1))
		x[17] = T(math.NaN())
		require.True(t, math.IsNaN(float64(sumBody(bt, x))))
		x[17], x[3] = 0, T(math.Inf(-1))
		require.True(t, math.IsNaN(float64(sumBody(bt, x))), "+Inf + -Inf")
	})
}

func TestBodiesFloat64(t *testing.T) { testBodies[float64](t, 11) }
func TestBodiesFloat32(t *testing.T) { testBodies[float32](t, 13) }

// TestReproducibleAcrossBodies checks that Sum, Dot and Norm2 give the same
// bits for every body and every team size.
func TestReproducibleAcrossBodies(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	ts := teams(t)
	n := 3*serialBelow + 12345
	x, y := randF[float64](r, n), randF[float64](r, n)
	x32, y32 := randF[float32](r, n), randF[float32](r, n)
	g := genericBodies
	s0, d0 := sumOn(g, ts[0], x), dotOn(g, ts[0], x, y)
	s32, d32 := sumOn(g, ts[0], x32), dotOn(g, ts[0], x32, y32)
	forLevels(t, func(t *testing.T, bt *bodies) {
		for _, tm := range ts {
			require.Equal(t, math.Float64bits(s0), math.Float64bits(sumOn(bt, tm, x)), "Sum")
			require.Equal(t, math.Float64bits(d0), math.Float64bits(dotOn(bt, tm, x, y)), "Dot")
			require.Equal(t, math.Float64bits(math.Sqrt(DotOn(ts[0], x, x))), math.Float64bits(Norm2On(tm, x)), "Norm2")
			require.Equal(t, math.Float32bits(s32), math.Float32bits(sumOn(bt, tm, x32)), "Sum float32")
			require.Equal(t, math.Float32bits(d32), math.Float32bits(dotOn(bt, tm, x32, y32)), "Dot float32")
		}
	})
}

// A named float type reaches the same bodies as its underlying type.
type celsius float64

func TestNamedFloat(t *testing.T) {
	x := randF[float64](rand.New(rand.NewPCG(1, 1)), 1000)
	c := make([]celsius, len(x))
	for i, v := range x {
		c[i] = celsius(v)
	}
	require.Equal(t, math.Float64bits(Sum(x)), math.Float64bits(float64(Sum(c))))
	require.Equal(t, math.Float64bits(Dot(x, x)), math.Float64bits(float64(Dot(c, c))))
}

// fma32 must round x·y+z once, as the hardware does: compare it with the
// exact value rounded by math/big.
func TestFMA32(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	f := func() float32 {
		// Mixed magnitudes make the sum's rounding bits interesting.
		return float32(r.NormFloat64() * math.Ldexp(1, r.IntN(40)-20))
	}
	exact := func(x, y, z float32) float32 {
		p := new(big.Float).SetPrec(200).SetFloat64(float64(x))
		p.Mul(p, new(big.Float).SetFloat64(float64(y)))
		p.Add(p, new(big.Float).SetFloat64(float64(z)))
		v, _ := p.Float32()
		return v
	}
	for range 30000 {
		x, y, z := f(), f(), f()
		if got, want := fma32(x, y, z), exact(x, y, z); got != want {
			require.Failf(t, "fma32", "fma32(%v, %v, %v) = %v, want %v", x, y, z, got, want)
		}
	}
	// Cases that rounding twice (to float64, then float32) gets wrong: a
	// product just above or below half an ulp of z.
	z := float32(1 + 1.0/(1<<23)) // odd last bit
	for _, y := range []float32{1 + 1.0/(1<<20), 1 - 1.0/(1<<20), 1 + 1.0/(1<<23), 1} {
		x := float32(1.0 / (1 << 24)) // half an ulp of 1
		require.Equal(t, exact(x, y, z), fma32(x, y, z), "y=%v", y)
		require.Equal(t, exact(-x, y, -z), fma32(-x, y, -z), "y=%v", y)
	}
	require.True(t, math.IsNaN(float64(fma32(float32(math.Inf(1)), 0, 1))))
	require.Equal(t, float32(math.Inf(-1)), fma32(float32(math.Inf(1)), -1, 1))
	require.True(t, math.Signbit(float64(fma32(float32(math.Copysign(0, -1)), 1, float32(math.Copysign(0, -1))))))
}

// TestMinMaxBodies runs every Min/Max body on awkward lengths and offsets
// with the values where the builtins' semantics bite: NaN anywhere, ±0 as
// the extreme, ±Inf.
func TestMinMaxBodies(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testMinMaxBodies[float64](t) })
	t.Run("float32", func(t *testing.T) { testMinMaxBodies[float32](t) })
}

func testMinMaxBodies[T Float](t *testing.T) {
	forLevels(t, func(t *testing.T, bt *bodies) { testMinMaxLevel[T](t, bt) })
}

// testMinMaxLevel is testMinMaxBodies at one level, with its own random
// source (the levels run in parallel).
func testMinMaxLevel[T Float](t *testing.T, bt *bodies) {
	r := rand.New(rand.NewPCG(41, 42))
	negZero := T(math.Copysign(0, -1))
	variants := []struct {
		name string
		fix  func(x []T)
	}{
		{"random", func(x []T) {}},
		{"nan", func(x []T) { x[r.IntN(len(x))] = T(math.NaN()) }},
		{"zeros-max", func(x []T) { // all ≤ 0 with -0 and +0: max is +0
			for i := range x {
				x[i] = -abs(x[i])
			}
			x[r.IntN(len(x))], x[r.IntN(len(x))] = negZero, 0
		}},
		{"zeros-min", func(x []T) { // all ≥ 0 with +0 and -0: min is -0
			for i := range x {
				x[i] = abs(x[i])
			}
			x[r.IntN(len(x))], x[r.IntN(len(x))] = 0, negZero
		}},
		{"negzero-only", func(x []T) {
			for i := range x {
				x[i] = -abs(x[i])
			}
			x[r.IntN(len(x))] = negZero
		}},
		{"inf", func(x []T) {
			x[r.IntN(len(x))], x[r.IntN(len(x))] = T(math.Inf(1)), T(math.Inf(-1))
		}},
	}
	for _, n := range bodyLengths[1:] {
		for _, off := range []int{0, 1, 3} {
			for vi, v := range variants {
				if n > 1e5 && (off != 1 || vi%2 == 0) {
					continue // the long case once per odd variant, unaligned
				}
				x := randF[T](r, n+off)[off:]
				v.fix(x)
				if got, want := minBody(bt, x), minRef(x); !sameNum(want, got) {
					require.Failf(t, "min", "%s n=%d off=%d: %v, want %v", v.name, n, off, got, want)
				}
				if got, want := maxBody(bt, x), maxRef(x); !sameNum(want, got) {
					require.Failf(t, "max", "%s n=%d off=%d: %v, want %v", v.name, n, off, got, want)
				}
				require.Equal(t, argRef(x, func(a, b T) bool { return a < b }), argMinOn(bt, nil, x), "%s n=%d", v.name, n)
				require.Equal(t, argRef(x, func(a, b T) bool { return a > b }), argMaxOn(bt, nil, x), "%s n=%d", v.name, n)
			}
		}
	}
}

func abs[T Float](v T) T { return T(math.Abs(float64(v))) }
