package kernels

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// The default team lives for the whole process.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sharc-go/sharc/workers.(*Team).work"))
}

var lengths = []int{0, 1, 7, 8, 9, 63, 65, 4095, 4097, 1<<15 + 3, 1000003}

func randF[T Float](r *rand.Rand, n int) []T {
	x := make([]T, n)
	for i := range x {
		x[i] = T(r.Float64()*2 - 1)
	}
	return x
}

// guarded returns a slice of n elements with NaN guard cells on both sides;
// check reports whether the guards are intact.
func guarded[T Float](n int) (x []T, check func() bool) {
	const g = 8
	buf := make([]T, n+2*g)
	for i := range buf {
		buf[i] = T(math.NaN())
	}
	x = buf[g : g+n : g+n]
	return x, func() bool {
		for i := range g {
			if buf[i] == buf[i] || buf[g+n+i] == buf[g+n+i] {
				return false
			}
		}
		return true
	}
}

// Scalar references.
func sumRef[T Number](x []T) (s T) {
	for _, v := range x {
		s += v
	}
	return s
}

func dotRef[T Number](x, y []T) (s T) {
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func absSum[T Float](x []T) (s float64) {
	for _, v := range x {
		s += math.Abs(float64(v))
	}
	return s
}

func eps[T Float]() float64 {
	var v T
	if _, ok := any(v).(float32); ok {
		return 1.0 / (1 << 23)
	}
	return 1.0 / (1 << 52)
}

func teams(t *testing.T) []*workers.Team {
	ts := []*workers.Team{workers.NewTeam(1), workers.NewTeam(2), workers.NewTeam(3)}
	t.Cleanup(func() {
		for _, tm := range ts {
			tm.Close()
		}
	})
	return ts
}

func testFloat[T Float](t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ts := teams(t)
	for _, n := range lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			x := randF[T](r, n+1)[1:] // unaligned start
			y := randF[T](r, n)
			tol := 4 * float64(n+1) * eps[T]() * (absSum(x) + 1)

			s := SumOn(ts[0], x)
			assert.InDelta(t, float64(sumRef(x)), float64(s), tol, "Sum")
			d := DotOn(ts[0], x, y)
			assert.InDelta(t, float64(dotRef(x, y)), float64(d), tol, "Dot")
			for _, tm := range ts[1:] {
				// Reproducible: bit-for-bit across team sizes.
				assert.Equal(t, math.Float64bits(float64(s)), math.Float64bits(float64(SumOn(tm, x))), "Sum reproducible")
				assert.Equal(t, math.Float64bits(float64(d)), math.Float64bits(float64(DotOn(tm, x, y))), "Dot reproducible")
			}
			assert.InDelta(t, math.Sqrt(float64(dotRef(x, x))), float64(Norm2(x)), tol+1e-6, "Norm2")

			// Axpy with guards.
			g, ok := guarded[T](n)
			copy(g, y)
			want := slices.Clone(y)
			for i := range want {
				want[i] += 1.5 * x[i]
			}
			AxpyOn(ts[2], 1.5, x, g)
			require.True(t, ok(), "Axpy guard")
			for i := range want {
				if math.Abs(float64(want[i])-float64(g[i])) > 4*eps[T]() {
					require.InDelta(t, float64(want[i]), float64(g[i]), 4*eps[T](), "Axpy %d", i)
				}
			}
			// Elementwise.
			for _, op := range []struct {
				name string
				f    func(d, a, b []T)
				ref  func(a, b T) T
			}{
				{"Add", Add[T], func(a, b T) T { return a + b }},
				{"Sub", Sub[T], func(a, b T) T { return a - b }},
				{"Mul", Mul[T], func(a, b T) T { return a * b }},
			} {
				d, ok := guarded[T](n)
				op.f(d, x, y)
				require.True(t, ok(), op.name+" guard")
				for i := range d {
					if op.ref(x[i], y[i]) != d[i] {
						require.Equal(t, op.ref(x[i], y[i]), d[i], "%s %d", op.name, i)
					}
				}
			}
			sc := slices.Clone(x)
			Scale(3, sc)
			for i := range sc {
				if 3*x[i] != sc[i] {
					require.Equal(t, 3*x[i], sc[i], "Scale %d", i)
				}
			}
			// Prefix sum, aliased.
			p := slices.Clone(x)
			ref := make([]T, n)
			prefixRef(ref, x)
			PrefixSum(p, p)
			for i := range p {
				if math.Abs(float64(ref[i])-float64(p[i])) > tol {
					require.InDelta(t, float64(ref[i]), float64(p[i]), tol, "PrefixSum %d", i)
				}
			}
			if n > 0 {
				assert.Equal(t, slices.Min(x), Min(x))
				assert.Equal(t, slices.Max(x), Max(x))
				assert.Equal(t, slices.Index(x, slices.Min(x)), ArgMin(x))
				assert.Equal(t, slices.Index(x, slices.Max(x)), ArgMax(x))
			}
		})
	}
}

func TestFloat64(t *testing.T) { testFloat[float64](t) }
func TestFloat32(t *testing.T) { testFloat[float32](t) }

func TestSpecialFloats(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := make([]float64, 100000)
	x[70000] = nan
	x[80000] = nan
	assert.True(t, math.IsNaN(Min(x)))
	assert.True(t, math.IsNaN(Max(x)))
	assert.Equal(t, 70000, ArgMin(x))
	assert.Equal(t, 70000, ArgMax(x))
	assert.True(t, math.IsNaN(Sum(x)))
	y := []float64{0, math.Copysign(0, -1), inf, -inf, 1}
	assert.True(t, math.Signbit(Min(y[:2])))
	assert.Equal(t, inf, Max(y))
	assert.Equal(t, 3, ArgMin(y))
	assert.Equal(t, 2, ArgMax(y))
}

func TestIntegers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range lengths {
		x := make([]int8, n)
		for i := range x {
			x[i] = int8(r.Uint32())
		}
		assert.Equal(t, sumRef(x), Sum(x), "Sum wraps like +")
		p := make([]int8, n)
		ref := make([]int8, n)
		PrefixSum(p, x)
		prefixRef(ref, x)
		assert.Equal(t, ref, p)
		if n > 0 {
			assert.Equal(t, slices.Min(x), Min(x))
			assert.Equal(t, slices.Max(x), Max(x))
		}
		u := make([]uint64, n)
		for i := range u {
			u[i] = r.Uint64()
		}
		assert.Equal(t, sumRef(u), Sum(u))
		assert.Equal(t, dotRef(u, u), Dot(u, u))
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	assert.PanicsWithValue(t, "kernels.Dot: length mismatch: 2 != 3", func() { Dot(make([]float64, 2), make([]float64, 3)) })
	assert.Panics(t, func() { Axpy(1, make([]float32, 2), make([]float32, 3)) })
	assert.Panics(t, func() { PrefixSum(make([]int, 1), make([]int, 2)) })
	assert.Panics(t, func() { Min([]int{}) })
	assert.Panics(t, func() { MatMul(make([]float64, 3), make([]float64, 4), make([]float64, 4), 2, 2, 2) })
}

func testSort[T Number](t *testing.T, gen func(r *rand.Rand) T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 65, 5000, 100003, 1 << 18} {
		x := make([]T, n)
		for i := range x {
			x[i] = gen(r)
		}
		want := slices.Clone(x)
		slices.Sort(want)
		Sort(x)
		require.Len(t, x, n)
		for i := range x {
			if want[i] != want[i] {
				require.True(t, x[i] != x[i], "NaN at %d", i)
				continue
			}
			require.Equal(t, want[i], x[i], "index %d of %d", i, n)
		}
	}
}

func TestSort(t *testing.T) {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), math.MaxFloat64, -math.SmallestNonzeroFloat64}
	t.Run("float64", func(t *testing.T) {
		testSort(t, func(r *rand.Rand) float64 {
			if r.IntN(50) == 0 {
				return specials[r.IntN(len(specials))]
			}
			return r.NormFloat64() * 1e6
		})
	})
	t.Run("float32", func(t *testing.T) {
		testSort(t, func(r *rand.Rand) float32 {
			if r.IntN(50) == 0 {
				return float32(specials[r.IntN(len(specials))])
			}
			return float32(r.NormFloat64())
		})
	})
	t.Run("int64", func(t *testing.T) { testSort(t, func(r *rand.Rand) int64 { return int64(r.Uint64()) }) })
	t.Run("int16", func(t *testing.T) { testSort(t, func(r *rand.Rand) int16 { return int16(r.Uint32()) }) })
	t.Run("uint32", func(t *testing.T) { testSort(t, func(r *rand.Rand) uint32 { return r.Uint32() }) })
	t.Run("int8", func(t *testing.T) { testSort(t, func(r *rand.Rand) int8 { return int8(r.Uint32()) }) })
	t.Run("int-small-range", func(t *testing.T) { testSort(t, func(r *rand.Rand) int { return r.IntN(100) - 50 }) })
	// -0 comes out before +0.
	z := make([]float64, 10000)
	for i := range z {
		if i%2 == 0 {
			z[i] = math.Copysign(0, -1)
		}
	}
	Sort(z)
	assert.True(t, math.Signbit(z[0]))
	assert.False(t, math.Signbit(z[len(z)-1]))
}

func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, s := range [][3]int{{0, 0, 0}, {1, 1, 1}, {3, 5, 7}, {65, 63, 9}, {130, 300, 1100}} {
		m, k, n := s[0], s[1], s[2]
		a, b := randF[float64](r, m*k), randF[float64](r, k*n)
		c, ok := guarded[float64](m * n)
		want := make([]float64, m*n)
		MatMul(c, a, b, m, k, n)
		matMulRef(want, a, b, m, k, n)
		require.True(t, ok())
		for i := range c {
			require.InDelta(t, want[i], c[i], 1e-12*float64(k+1))
		}
		a32, b32 := randF[float32](r, m*k), randF[float32](r, k*n)
		c32, want32 := make([]float32, m*n), make([]float32, m*n)
		MatMul(c32, a32, b32, m, k, n)
		matMulRef(want32, a32, b32, m, k, n)
		for i := range c32 {
			require.InDelta(t, want32[i], c32[i], 1e-5*float64(k+1))
		}
	}
}

func TestGeneric(t *testing.T) {
	// 50003 keeps the expected sum inside a 32-bit int.
	x := make([]int, 50003)
	for i := range x {
		x[i] = i
	}
	sq := make([]int64, len(x))
	Map(sq, x, func(v int) int64 { return int64(v) * int64(v) })
	assert.Equal(t, int64(50002*50002), sq[50002])
	assert.Equal(t, 50002*50003/2, Reduce(x, 0, func(a, b int) int { return a + b }))
}

func ExampleDot() {
	x := []float64{1, 2, 3}
	y := []float64{4, 5, 6}
	fmt.Println(Dot(x, y))
	// Output: 32
}

func ExampleSum() {
	fmt.Println(Sum([]float32{0.5, 1.5, 2}))
	// Output: 4
}

func ExampleAxpy() {
	y := []float64{1, 1, 1}
	Axpy(2, []float64{1, 2, 3}, y)
	fmt.Println(y)
	// Output: [3 5 7]
}

func ExampleSort() {
	x := []float64{3, math.NaN(), -1, 2}
	Sort(x)
	fmt.Println(x)
	// Output: [NaN -1 2 3]
}

func ExamplePrefixSum() {
	x := []int{1, 2, 3, 4}
	PrefixSum(x, x)
	fmt.Println(x)
	// Output: [1 3 6 10]
}

func ExampleMatMul() {
	a := []float64{1, 2, 3, 4} // 2×2
	b := []float64{5, 6, 7, 8} // 2×2
	c := make([]float64, 4)
	MatMul(c, a, b, 2, 2, 2)
	fmt.Println(c)
	// Output: [19 22 43 50]
}

func ExampleSumOn() {
	team := workers.NewTeam(2)
	defer team.Close()
	fmt.Println(SumOn(team, []int{1, 2, 3}))
	// Output: 6
}
