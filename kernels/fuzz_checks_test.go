package kernels

import (
	bin "encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// The bodies of the fuzz targets in fuzz_test.go, one kernel family each:
// decode the fuzzer's input, then compare every body and the team with the
// kernel's reference (the decoding, guards and tolerances are there too).

func fuzzSum(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x64 := fuzzF64(raw, rep)
	checkSum(t, place(x64, off))
	checkSum(t, place(toF32(x64), off))
	// Integers wrap like Go's +, whatever the order.
	i8 := make([]int8, len(raw))
	for i, b := range raw {
		i8[i] = int8(b)
	}
	i8 = place(i8, off)
	require.Equal(t, sumRef(i8), Sum(i8))
	require.Equal(t, sumRef(i8), onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) int8 { return sumOn(bt, tm, i8) }))
	i64 := make([]int64, len(raw)/8)
	for i := range i64 {
		i64[i] = int64(bin.LittleEndian.Uint64(raw[8*i:]))
	}
	require.Equal(t, sumRef(i64), onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) int64 { return sumOn(bt, tm, i64) }))
}

func checkSum[T Float](t *testing.T, x []T) {
	want, tol := float64(sumRef(x)), sumTol[T](len(x), finiteAbsSum(x))
	first := sumBody(genericBodies, x)
	forEachLevel(func(bt *bodies) {
		got := sumBody(bt, x)
		if !closeTo(want, float64(got), tol) || !sameBits(first, got) {
			require.Failf(t, "Sum", "%s n=%d: body %v, generic %v, reference %v", bt.name, len(x), got, first, want)
		}
		par, one := onTeam(bt, func(bt *bodies, tm *workers.Team) T { return sumOn(bt, tm, x) }), blocked(serialOnly, nil, len(x), func(lo, hi int) T { return sumBody(bt, x[lo:hi]) })
		if !closeTo(want, float64(par), tol) || !sameBits(par, one) {
			require.Failf(t, "SumOn", "%s n=%d: parallel %v, serial %v, reference %v", bt.name, len(x), par, one, want)
		}
	})
}

// halves splits the decoded elements into x and y of equal length.
func halves(x []float64) ([]float64, []float64) {
	h := len(x) / 2
	return x[:h], x[h : 2*h]
}

func fuzzDot(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x, y := halves(fuzzF64(raw, rep))
	checkDot(t, place(x, off), place(y, off/2))
	checkDot(t, place(toF32(x), off), place(toF32(y), off/2))
}

func checkDot[T Float](t *testing.T, x, y []T) {
	var abs float64
	for i := range x {
		if p := float64(x[i]) * float64(y[i]); !math.IsInf(p, 0) && !math.IsNaN(p) {
			abs += math.Abs(p)
		}
	}
	want, tol := float64(dotRef(x, y)), sumTol[T](len(x), abs)
	first := dotBody(genericBodies, x, y)
	forEachLevel(func(bt *bodies) {
		got := dotBody(bt, x, y)
		if !closeTo(want, float64(got), tol) || !sameBits(first, got) {
			require.Failf(t, "Dot", "%s n=%d: body %v, generic %v, reference %v", bt.name, len(x), got, first, want)
		}
		par, one := onTeam(bt, func(bt *bodies, tm *workers.Team) T { return dotOn(bt, tm, x, y) }), blocked(serialOnly, nil, len(x), func(lo, hi int) T { return dotBody(bt, x[lo:hi], y[lo:hi]) })
		if !closeTo(want, float64(par), tol) || !sameBits(par, one) {
			require.Failf(t, "DotOn", "%s n=%d: parallel %v, serial %v, reference %v", bt.name, len(x), par, one, want)
		}
	})
}

func fuzzAxpy(t *testing.T, raw []byte, off uint8, rep uint16, a float64) {
	x, y := halves(fuzzF64(raw, rep))
	checkAxpy(t, a, place(x, off), y, off/2)
	checkAxpy(t, float32(a), place(toF32(x), off), toF32(y), off/2)
}

func checkAxpy[T Float](t *testing.T, a T, x, y []T, off uint8) {
	var first []T
	forEachLevel(func(bt *bodies) {
		for _, par := range []bool{false, true} {
			g, check := guardedAt[T](len(x), off)
			copy(g, y)
			if par {
				onTeam(bt, func(bt *bodies, tm *workers.Team) int { axpyOn(bt, tm, a, x, g); return 0 })
			} else {
				axpyBody(bt, a, x, g)
			}
			check(t, "Axpy "+bt.name)
			if first == nil {
				first = slices.Clone(g)
			}
			for i := range g {
				// Every body fuses the multiply-add: round once.
				want := math.FMA(float64(a), float64(x[i]), float64(y[i]))
				tol := 0.0
				if eps[T]() > 1e-10 {
					tol = math.Abs(want) * eps[T]() // float32: want is rounded once more here
				}
				if !closeTo(want, float64(g[i]), tol) || !sameBits(first[i], g[i]) {
					require.Failf(t, "Axpy", "%s parallel=%v i=%d: %v·%v+%v = %v, want %v (generic %v)", bt.name, par, i, a, x[i], y[i], g[i], want, first[i])
				}
			}
		}
	})
}

func fuzzElementwise(t *testing.T, raw []byte, off uint8, rep uint16, a float64) {
	x, y := halves(fuzzF64(raw, rep))
	checkElementwise(t, a, place(x, off), place(y, off/3), off/2)
	checkElementwise(t, float32(a), place(toF32(x), off), place(toF32(y), off/3), off/2)
}

func checkElementwise[T Float](t *testing.T, a T, x, y []T, off uint8) {
	for _, op := range []struct {
		name string
		f    func(sp split, tm *workers.Team, d, x, y []T)
		ref  func(a, b T) T
	}{
		{"Add", addOn[T], func(a, b T) T { return a + b }},
		{"Sub", subOn[T], func(a, b T) T { return a - b }},
		{"Mul", mulOn[T], func(a, b T) T { return a * b }},
	} {
		d, check := guardedAt[T](len(x), off)
		onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) int { op.f(bt.split, tm, d, x, y); return 0 })
		check(t, op.name)
		for i := range d {
			if !sameBits(op.ref(x[i], y[i]), d[i]) {
				require.Failf(t, op.name, "i=%d: %v, %v -> %v", i, x[i], y[i], d[i])
			}
		}
		// dst may be x itself.
		xa := slices.Clone(x)
		onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) int { op.f(bt.split, tm, xa, xa, y); return 0 })
		for i := range xa {
			if !sameBits(d[i], xa[i]) {
				require.Failf(t, op.name+" aliased", "i=%d: %v, want %v", i, xa[i], d[i])
			}
		}
	}
	s, check := guardedAt[T](len(x), off)
	copy(s, x)
	onTeam(cpuBodies, func(bt *bodies, tm *workers.Team) int { scaleOn(bt.split, tm, a, s); return 0 })
	check(t, "Scale")
	for i := range s {
		if !sameBits(a*x[i], s[i]) {
			require.Failf(t, "Scale", "i=%d: %v·%v -> %v", i, a, x[i], s[i])
		}
	}
}

// minRef and maxRef are the references of Min and Max: the builtins, as
// slices.Min and slices.Max use them (NaN wins, -0 < +0).
func minRef[T Number](x []T) T {
	m := x[0]
	for _, v := range x[1:] {
		m = min(m, v)
	}
	return m
}

func maxRef[T Number](x []T) T {
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	return m
}

// argRef is the reference of ArgMin (less) and ArgMax: the first NaN, else
// the first element no other is better than, ±0 equal.
func argRef[T Number](x []T, better func(a, b T) bool) int {
	if i := slices.IndexFunc(x, func(v T) bool { return v != v }); i >= 0 {
		return i
	}
	b := 0
	for i, v := range x {
		if better(v, x[b]) {
			b = i
		}
	}
	return b
}

func fuzzMinMax(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x := fuzzF64(raw, rep)
	if len(x) == 0 {
		require.Panics(t, func() { Min(x) })
		require.Panics(t, func() { ArgMax(x) })
		return
	}
	checkMinMax(t, place(x, off))
	checkMinMax(t, place(toF32(x), off))
	i16 := make([]int16, len(raw)/2)
	for i := range i16 {
		i16[i] = int16(bin.LittleEndian.Uint16(raw[2*i:]))
	}
	if len(i16) > 0 {
		checkMinMax(t, place(i16, off))
	}
}

func checkMinMax[T Number](t *testing.T, x []T) {
	less := func(a, b T) bool { return a < b }
	more := func(a, b T) bool { return a > b }
	forEachLevel(func(bt *bodies) {
		if got, want := minBody(bt, x), minRef(x); !sameNum(want, got) {
			require.Failf(t, "min body", "%s n=%d: %v, want %v", bt.name, len(x), got, want)
		}
		if got, want := maxBody(bt, x), maxRef(x); !sameNum(want, got) {
			require.Failf(t, "max body", "%s n=%d: %v, want %v", bt.name, len(x), got, want)
		}
	})
	for _, r := range fuzzRuns() {
		bt, tm := r.bt, r.tm
		if got, want := minOn(bt, tm, x), minRef(x); !sameNum(want, got) {
			require.Failf(t, "Min", "n=%d: %v, want %v", len(x), got, want)
		}
		if got, want := maxOn(bt, tm, x), maxRef(x); !sameNum(want, got) {
			require.Failf(t, "Max", "n=%d: %v, want %v", len(x), got, want)
		}
		require.Equal(t, argRef(x, less), argMinOn(bt, tm, x), "ArgMin n=%d", len(x))
		require.Equal(t, argRef(x, more), argMaxOn(bt, tm, x), "ArgMax n=%d", len(x))
	}
}

// sameNum is sameBits for any number type (the sign of zero counts).
func sameNum[T Number](a, b T) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return a == b && math.Signbit(float64(a)) == math.Signbit(float64(b))
}

func fuzzNorm2(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x := place(fuzzF64(raw, rep), off)
	for _, r := range fuzzRuns() {
		bt, tm := r.bt, r.tm
		want := math.Sqrt(dotRef(x, x))
		tol := math.Sqrt(sumTol[float64](len(x), finiteAbsSum(x)*finiteAbsSum(x))) + want*1e-15
		got := norm2On(bt, tm, x)
		if !closeTo(want, got, tol) {
			require.Failf(t, "Norm2", "n=%d: %v, want %v", len(x), got, want)
		}
		x32 := toF32(x)
		want32 := math.Sqrt(float64(dotRef(x32, x32)))
		got32 := float64(norm2On(bt, tm, x32))
		if !closeTo(want32, got32, 4*float64(len(x)+1)*eps[float32]()*(want32+1)) {
			require.Failf(t, "Norm2 float32", "n=%d: %v, want %v", len(x), got32, want32)
		}
	}
}

func fuzzPrefixSum(t *testing.T, raw []byte, off uint8, rep uint16, _ float64) {
	x := fuzzF64(raw, rep)
	checkPrefix(t, place(x, off), off/2)
	checkPrefix(t, place(toF32(x), off), off/2)
	// Integers wrap like Go's +.
	i16 := make([]int16, len(x))
	for i, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			i16[i] = int16(int64(v * 97))
		}
	}
	for _, r := range fuzzRuns() {
		bt, tm := r.bt, r.tm
		want, got := make([]int16, len(i16)), make([]int16, len(i16))
		prefixRef(want, i16)
		prefixSumOn(bt, tm, got, i16)
		require.Equal(t, want, got)
	}
}

func checkPrefix[T Float](t *testing.T, x []T, off uint8) {
	want := make([]T, len(x))
	prefixRef(want, x)
	// The error bound grows with the running Σ|x|.
	run := make([]float64, len(x))
	var abs float64
	for i, v := range x {
		if f := float64(v); !math.IsInf(f, 0) && !math.IsNaN(f) {
			abs += math.Abs(f)
		}
		run[i] = abs
	}
	for _, r := range fuzzRuns() {
		bt, tm := r.bt, r.tm
		d, check := guardedAt[T](len(x), off)
		prefixSumOn(bt, tm, d, x)
		check(t, "PrefixSum")
		a := slices.Clone(x)
		prefixSumOn(bt, tm, a, a) // dst may be x
		for i := range d {
			if !closeTo(float64(want[i]), float64(d[i]), sumTol[T](i+1, run[i])) || !sameBits(d[i], a[i]) {
				require.Failf(t, "PrefixSum", "n=%d i=%d: %v (aliased %v), want %v", len(x), i, d[i], a[i], want[i])
			}
		}
	}
}
