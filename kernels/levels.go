package kernels

import (
	"math"
	"unsafe"
)

// Body levels, from the portable Go bodies up. Dispatch picks the highest
// level the CPU supports once at start-up; tests run every level the CPU
// supports (see levels_test.go).
const (
	levelGeneric = iota // pure Go
	levelAVX2           // AVX2 + FMA, 256-bit
	levelAVX512         // AVX-512F, 512-bit
)

var levelNames = [...]string{"generic", "avx2+fma", "avx512f"}

// bodies is the table a kernel's internal form runs with: the single-core
// float bodies of one CPU level and the split of the work between caller
// and team. The kernels call the table they are handed, never a global
// switch, so tests run every level side by side (and in parallel) by
// passing each level's table, and drive the fork-join path with short
// inputs by passing a copy with a smaller split, while the library passes
// cpuBodies, chosen once at start-up and never changed.
// Every entry of every table computes the same bits as the Go body of the
// generic table (the reductions' partial sums, fused multiply-adds and
// min/max select rules included); minF64 and the rest need len(x) >= 1.
type bodies struct {
	level int
	name  string
	split

	sumF64  func(x []float64) float64
	dotF64  func(x, y []float64) float64
	axpyF64 func(a float64, x, y []float64)
	sumF32  func(x []float32) float32
	dotF32  func(x, y []float32) float32
	axpyF32 func(a float32, x, y []float32)
	minF64  func(x []float64) float64
	maxF64  func(x []float64) float64
	minF32  func(x []float32) float32
	maxF32  func(x []float32) float32

	nanBlockF64    func(x []float64) (sum, lo, hi float64, n int)
	nanSumF64      func(x []float64) float64
	sqDevF64       func(x []float64, m float64) float64
	windowCountF64 func(x []float64, lo, hi float64) (below, above, stop int)
}

// genericBodies is the table of the portable Go bodies, the reference the
// others are tested against.
var genericBodies = &bodies{
	level: levelGeneric, name: levelNames[levelGeneric], split: defaultSplit,
	sumF64: sumF64Go, dotF64: dotF64Go, axpyF64: axpyF64Go,
	sumF32: sumF32Go, dotF32: dotF32Go, axpyF32: axpyF32Go,
	minF64: minGeneric[float64], maxF64: maxGeneric[float64],
	minF32: minGeneric[float32], maxF32: maxGeneric[float32],
	nanBlockF64: nanBlockF64Go, nanSumF64: nanSumF64Go, sqDevF64: sqDevF64Go,
	windowCountF64: windowCountF64Go,
}

// levelBodies returns the table of level l (which this CPU must support):
// every body of that level, as the tests run them.
func levelBodies(l int) *bodies { return levelTables[l] }

// cpuBodies is the table the kernels use, chosen once at start-up: the
// highest level the CPU supports, with the exceptions simdBodies documents.
var cpuBodies = chooseBodies()

// isFloat reports whether T is a floating-point type.
func isFloat[T Number]() bool {
	var one T = 1
	return one/2 != 0
}

// asF64 returns x as a []float64 when T's underlying type is float64, so
// named float types reach the same bodies as float64.
func asF64[T Number](x []T) ([]float64, bool) {
	var z T
	if unsafe.Sizeof(z) != 8 || !isFloat[T]() {
		return nil, false
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(x))), len(x)), true
}

// asF32 is asF64 for float32.
func asF32[T Number](x []T) ([]float32, bool) {
	var z T
	if unsafe.Sizeof(z) != 4 || !isFloat[T]() {
		return nil, false
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x)), true
}

// sumBody, dotBody and axpyBody are the single-core bodies of Sum, Dot and
// Axpy: the float ones go to the level-dispatched bodies, which all compute
// the same bits; integer ones to the generic loops (integer + is
// associative, so any order gives the same result). dotBody and axpyBody
// need len(y) >= len(x).
func sumBody[T Number](bt *bodies, x []T) T {
	if v, ok := asF64(x); ok {
		raceRead(v)
		return T(bt.sumF64(v))
	}
	if v, ok := asF32(x); ok {
		raceRead(v)
		return T(bt.sumF32(v))
	}
	return sumGeneric(x)
}

func dotBody[T Number](bt *bodies, x, y []T) T {
	y = y[:len(x)]
	raceRead(x)
	raceRead(y)
	if v, ok := asF64(x); ok {
		w, _ := asF64(y)
		return T(bt.dotF64(v, w))
	}
	if v, ok := asF32(x); ok {
		w, _ := asF32(y)
		return T(bt.dotF32(v, w))
	}
	return dotGeneric(x, y)
}

func axpyBody[T Number](bt *bodies, a T, x, y []T) {
	y = y[:len(x)]
	raceRead(x)
	raceWrite(y)
	if v, ok := asF64(x); ok {
		w, _ := asF64(y)
		bt.axpyF64(float64(a), v, w)
		return
	}
	if v, ok := asF32(x); ok {
		w, _ := asF32(y)
		bt.axpyF32(float32(a), v, w)
		return
	}
	axpyGeneric(a, x, y)
}

// The portable float bodies below compute bit for bit what the assembly
// bodies compute (same partial sums, same combination order, fused
// multiply-adds), so a result never depends on which body ran.

// sumF64Go: 16 partial sums s[j] over x[i+j], combined as in sumF64AVX2.
func sumF64Go(x []float64) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v := x[i : i+16 : i+16]
		for j := range s {
			s[j] += v[j]
		}
	}
	var t [4]float64
	for l := range t {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	r := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < len(x); i++ {
		r += x[i]
	}
	return r
}

// dotF64Go: sumF64Go's pattern with s[j] = FMA(x[i+j], y[i+j], s[j]).
func dotF64Go(x, y []float64) float64 {
	y = y[:len(x)]
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v, w := x[i:i+16:i+16], y[i:i+16:i+16]
		for j := range s {
			s[j] = math.FMA(v[j], w[j], s[j])
		}
	}
	var t [4]float64
	for l := range t {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	r := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < len(x); i++ {
		r = math.FMA(x[i], y[i], r)
	}
	return r
}

func axpyF64Go(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = math.FMA(a, v, y[i])
	}
}

// sumF32Go: 32 partial sums s[j] over x[i+j], combined as in sumF32AVX2.
func sumF32Go(x []float32) float32 {
	var s [32]float32
	i := 0
	for ; i+32 <= len(x); i += 32 {
		v := x[i : i+32 : i+32]
		for j := range s {
			s[j] += v[j]
		}
	}
	r := combine32(&s)
	for ; i < len(x); i++ {
		r += x[i]
	}
	return r
}

// dotF32Go: sumF32Go's pattern with s[j] = FMA(x[i+j], y[i+j], s[j]) in
// float32.
func dotF32Go(x, y []float32) float32 {
	y = y[:len(x)]
	var s [32]float32
	i := 0
	for ; i+32 <= len(x); i += 32 {
		v, w := x[i:i+32:i+32], y[i:i+32:i+32]
		for j := range s {
			s[j] = fma32(v[j], w[j], s[j])
		}
	}
	r := combine32(&s)
	for ; i < len(x); i++ {
		r = fma32(x[i], y[i], r)
	}
	return r
}

func axpyF32Go(a float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] = fma32(a, v, y[i])
	}
}

// fma32 returns x·y + z rounded once to float32, as VFMADD231SS does. The
// product is exact in float64; the sum is rounded to odd in float64 (53 >=
// 24+2 bits), so the final rounding to float32 is the correct one.
func fma32(x, y, z float32) float32 {
	p, c := float64(x)*float64(y), float64(z)
	r := p + c
	if r-r != 0 { // Inf or NaN: no rounding to fix
		return float32(r)
	}
	// TwoSum: e is the exact rounding error of r = p + c.
	bv := r - p
	e := (p - (r - bv)) + (c - bv)
	if e != 0 && math.Float64bits(r)&1 == 0 {
		// Step to the odd neighbour of r on the side of the exact sum.
		if (e > 0) == (r > 0) {
			r = math.Float64frombits(math.Float64bits(r) + 1)
		} else {
			r = math.Float64frombits(math.Float64bits(r) - 1)
		}
	}
	return float32(r)
}

// combine32 adds 32 float32 partial sums in the order of sumF32AVX2.
func combine32(s *[32]float32) float32 {
	var t [8]float32
	for l := range t {
		t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l])
	}
	var u [4]float32
	for l := range u {
		u[l] = t[l] + t[4+l]
	}
	return (u[0] + u[2]) + (u[1] + u[3])
}
