package kernels

import (
	bin "encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/sharc-go/sharc/workers"
	"github.com/stretchr/testify/require"
)

// Fuzz targets: each compares every body this CPU supports (bodyLevels) and
// the parallel driver on a 2-worker team with the scalar reference, on
// floats decoded from the fuzzer's bytes (NaN, ±Inf and ±0 included) at the
// fuzzer's length, in unaligned sub-slices, with outputs surrounded by NaN
// guard cells. On the team the chunks are shrunk (shrunk), so that even
// short inputs are split between workers. Every target takes the same arguments:
//
//	raw  the element bytes (see fuzzF64)
//	off  the start offset of each slice in its buffer, mod 8 (unaligned)
//	rep  how many times the elements are repeated (mod 16, times 4096 from
//	     8 up), so that long inputs span many reduction blocks
//	a    a scalar (Axpy, Scale) or the range of Histogram
//
// TestFuzzSmoke runs each target on a few hundred random inputs in the
// normal test run; longer runs: go test -run x -fuzz FuzzDot -fuzztime 60s ./kernels
type fuzzBody func(t *testing.T, raw []byte, off uint8, rep uint16, a float64)

var fuzzTargets = []struct {
	name string
	body fuzzBody
}{
	{"Sum", fuzzSum}, {"Dot", fuzzDot}, {"Axpy", fuzzAxpy}, {"Elementwise", fuzzElementwise},
	{"MinMax", fuzzMinMax}, {"Norm2", fuzzNorm2}, {"Histogram", fuzzHistogram}, {"PrefixSum", fuzzPrefixSum},
	{"NaN", fuzzNaN}, {"MapReduce", fuzzMapReduce},
	{"Quantiles", fuzzQuantiles},
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte{}, uint8(0), uint16(0), 1.0)
	f.Add([]byte{1, 2, 3}, uint8(1), uint16(0), -2.5)
	f.Add([]byte("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefXYZ"), uint8(3), uint16(0), 0.5)
	f.Add([]byte{0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0}, uint8(5), uint16(0), math.Inf(1))
	f.Add(make([]byte, 3*17+1), uint8(7), uint16(9), 3.0)
	f.Add([]byte("specials: \x00\x00\x00\x01\x00\x00\x02\x00\x00\x03\x00\x00 and more bytes"), uint8(2), uint16(8), math.NaN())
}

func FuzzSum(f *testing.F)         { fuzzSeeds(f); f.Fuzz(fuzzSum) }
func FuzzDot(f *testing.F)         { fuzzSeeds(f); f.Fuzz(fuzzDot) }
func FuzzAxpy(f *testing.F)        { fuzzSeeds(f); f.Fuzz(fuzzAxpy) }
func FuzzElementwise(f *testing.F) { fuzzSeeds(f); f.Fuzz(fuzzElementwise) }
func FuzzMinMax(f *testing.F)      { fuzzSeeds(f); f.Fuzz(fuzzMinMax) }
func FuzzNorm2(f *testing.F)       { fuzzSeeds(f); f.Fuzz(fuzzNorm2) }
func FuzzHistogram(f *testing.F)   { fuzzSeeds(f); f.Fuzz(fuzzHistogram) }
func FuzzPrefixSum(f *testing.F)   { fuzzSeeds(f); f.Fuzz(fuzzPrefixSum) }

// TestFuzzSmoke runs every fuzz target on random inputs (the seed corpora
// run as part of the Fuzz functions themselves).
func TestFuzzSmoke(t *testing.T) {
	iters := 150
	if testing.Short() {
		iters = 30
	}
	for k, ft := range fuzzTargets {
		t.Run(ft.name, func(t *testing.T) {
			t.Parallel() // nothing global changes: each target has its own tables
			r := rand.New(rand.NewPCG(31, uint64(k)))
			for i := range iters {
				raw := make([]byte, r.IntN(400))
				for j := range raw {
					raw[j] = byte(r.Uint32())
				}
				var rep uint16
				if i%25 == 0 {
					rep = uint16(r.IntN(16)) // a long input now and then
				}
				a := []float64{0, 1, -0.75, 3.5, 1e3, math.Inf(-1), math.NaN()}[r.IntN(7)]
				ft.body(t, raw, uint8(r.Uint32()), rep, a)
			}
		})
	}
}

// fuzzTeam is the 2-worker team the fuzz targets run the parallel driver
// on; it lives for the whole test binary (goleak ignores team workers).
var fuzzTeam = sync.OnceValue(func() *workers.Team { return workers.NewTeam(2) })

// shrunk returns a copy of the table bt with the chunks shrunk (serialBelow
// 0, grain 64), so that the fuzzer's short inputs take the fork-join path.
func shrunk(bt *bodies) *bodies { return bt.withSplit(split{serialBelow: 0, grain: 64}) }

// serialOnly is the split that keeps every length on the caller.
var serialOnly = split{serialBelow: math.MaxInt, grain: grain}

// onTeam runs f on the fuzz team with a shrunk copy of bt.
func onTeam[R any](bt *bodies, f func(bt *bodies, tm *workers.Team) R) R {
	return f(shrunk(bt), fuzzTeam())
}

// fuzzRun is one way a target runs a public kernel's internal form: the
// library's table on the caller and default team (tm nil), or a shrunk copy
// on the fuzz team.
type fuzzRun struct {
	bt *bodies
	tm *workers.Team
}

func fuzzRuns() []fuzzRun {
	return []fuzzRun{{cpuBodies, nil}, {shrunk(cpuBodies), fuzzTeam()}}
}

// fuzzF64 decodes raw into float64s, three bytes each: one in sixteen is a
// special (NaN, +Inf, -Inf, -0, +0, the smallest subnormal, 1, -1), the
// others int16(b1,b2)·2^-(b0%24), bounded so that no order of summation
// overflows. rep > 0 repeats the elements up to a length of (rep+7)·4096.
func fuzzF64(raw []byte, rep uint16) []float64 {
	specials := [...]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, math.SmallestNonzeroFloat64, 1, -1}
	var x []float64
	for len(raw) >= 3 {
		b0, v := raw[0], int16(bin.LittleEndian.Uint16(raw[1:]))
		raw = raw[3:]
		if b0%16 == 0 {
			x = append(x, specials[int(uint16(v))%len(specials)])
			continue
		}
		x = append(x, math.Ldexp(float64(v), -int(b0%24)))
	}
	if rep%16 > 0 && len(x) > 0 {
		n := (int(rep%16) + 7) * 4096
		m := n + int(rep%7) // and an odd tail
		for len(x) < m {
			x = append(x, x[:min(len(x), m-len(x))]...)
		}
		if m > n {
			x[n] = 1
		}
		x = slices.Clip(x)
	}
	return x
}

func toF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

// place copies x into a fresh buffer at element offset off%8 and returns the
// copy, so that bodies see unaligned slices.
func place[T any](x []T, off uint8) []T {
	o := int(off % 8)
	buf := make([]T, o+len(x))
	copy(buf[o:], x)
	return buf[o : o+len(x) : o+len(x)]
}

// guardNaN64 and guardNaN32 are the guard values: NaNs with a payload no
// kernel produces, compared bit for bit.
const (
	guardNaN64 = 0x7ff8_dead_beef_0001
	guardNaN32 = 0x7fc0_dead
)

// guardedAt returns n elements at element offset off%8 of a buffer whose
// other cells hold guard NaNs; check fails the test if a guard changed.
func guardedAt[T Float](n int, off uint8) (x []T, check func(t *testing.T, what string)) {
	const g = 16
	o := int(off % 8)
	buf := make([]T, g+o+n+g)
	var gv T
	switch p := any(&gv).(type) {
	case *float64:
		*p = math.Float64frombits(guardNaN64)
	case *float32:
		*p = math.Float32frombits(guardNaN32)
	}
	for i := range buf {
		buf[i] = gv
	}
	lo := g + o
	x = buf[lo : lo+n : lo+n]
	return x, func(t *testing.T, what string) {
		t.Helper()
		for i, v := range buf {
			if i >= lo && i < lo+n {
				continue
			}
			if math.Float64bits(float64(v)) != math.Float64bits(float64(gv)) {
				require.Failf(t, "guard overwritten", "%s: cell %d of the guard (slice at %d..%d) is %v", what, i, lo, lo+n, v)
			}
		}
	}
}

// closeTo reports whether got is the reference want up to tol, with NaN and
// infinities matched exactly.
func closeTo(want, got, tol float64) bool {
	switch {
	case math.IsNaN(want):
		return math.IsNaN(got)
	case math.IsInf(want, 0):
		return want == got
	}
	return math.Abs(want-got) <= tol
}

// finiteAbsSum is Σ|x[i]| over the finite elements.
func finiteAbsSum[T Float](x []T) (s float64) {
	for _, v := range x {
		if f := float64(v); !math.IsInf(f, 0) && !math.IsNaN(f) {
			s += math.Abs(f)
		}
	}
	return s
}

func sumTol[T Float](n int, abs float64) float64 {
	return 2*float64(n+1)*eps[T]()*abs + 1e-300
}

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
