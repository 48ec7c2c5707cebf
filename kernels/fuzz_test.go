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
