//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

//go:generate sh -c "python3 simd_amd64_gen.py > simd_amd64.s"

// The assembly bodies of simd_amd64.s, written by simd_amd64_gen.py. Each
// doc comment is the Go loop the body computes, bit for bit (the Go body
// named in it is that loop, and the tests compare the two); y needs len(y)
// >= len(x), and the Min and Max bodies need len(x) >= 1.

// sumF64AVX2 is sumF64Go in AVX2 (16 partial sums in four YMM registers):
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range s {
//			s[j] += x[i+j]
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		r += x[i]
//	}
//	return r
//
//go:noescape
func sumF64AVX2(x []float64) float64

// dotF64FMA is dotF64Go in AVX2 and FMA:
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range s {
//			s[j] = math.FMA(x[i+j], y[i+j], s[j])
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		r = math.FMA(x[i], y[i], r)
//	}
//	return r
//
//go:noescape
func dotF64FMA(x, y []float64) float64

// axpyF64FMA is axpyF64Go in AVX2 and FMA:
//
//	for i, v := range x {
//		y[i] = math.FMA(a, v, y[i])
//	}
//
//go:noescape
func axpyF64FMA(a float64, x, y []float64)

// sumF32AVX2 is sumF32Go in AVX2 (32 partial sums in four YMM registers):
//
//	var s [32]float32
//	i := 0
//	for ; i+32 <= len(x); i += 32 {
//		for j := range s {
//			s[j] += x[i+j]
//		}
//	}
//	var t [8]float32
//	for l := range t {
//		t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l])
//	}
//	var u [4]float32
//	for l := range u {
//		u[l] = t[l] + t[4+l]
//	}
//	r := (u[0] + u[2]) + (u[1] + u[3])
//	for ; i < len(x); i++ {
//		r += x[i]
//	}
//	return r
//
//go:noescape
func sumF32AVX2(x []float32) float32

// dotF32FMA is dotF32Go in AVX2 and FMA:
//
//	var s [32]float32
//	i := 0
//	for ; i+32 <= len(x); i += 32 {
//		for j := range s {
//			s[j] = fma32(x[i+j], y[i+j], s[j])
//		}
//	}
//	var t [8]float32
//	for l := range t {
//		t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l])
//	}
//	var u [4]float32
//	for l := range u {
//		u[l] = t[l] + t[4+l]
//	}
//	r := (u[0] + u[2]) + (u[1] + u[3])
//	for ; i < len(x); i++ {
//		r = fma32(x[i], y[i], r)
//	}
//	return r
//
//go:noescape
func dotF32FMA(x, y []float32) float32

// axpyF32FMA is axpyF32Go in AVX2 and FMA:
//
//	for i, v := range x {
//		y[i] = fma32(a, v, y[i]) // x·y + z rounded once to float32
//	}
//
//go:noescape
func axpyF32FMA(a float32, x, y []float32)

// sumF64AVX512 is sumF64Go in AVX-512 (the same 16 partial sums, in two ZMM registers):
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range s {
//			s[j] += x[i+j]
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		r += x[i]
//	}
//	return r
//
//go:noescape
func sumF64AVX512(x []float64) float64

// dotF64AVX512 is dotF64Go in AVX-512 (two ZMM registers):
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range s {
//			s[j] = math.FMA(x[i+j], y[i+j], s[j])
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		r = math.FMA(x[i], y[i], r)
//	}
//	return r
//
//go:noescape
func dotF64AVX512(x, y []float64) float64

// axpyF64AVX512 is axpyF64Go in AVX-512:
//
//	for i, v := range x {
//		y[i] = math.FMA(a, v, y[i])
//	}
//
//go:noescape
func axpyF64AVX512(a float64, x, y []float64)

// sumF32AVX512 is sumF32Go in AVX-512 (the same 32 partial sums, in two ZMM registers):
//
//	var s [32]float32
//	i := 0
//	for ; i+32 <= len(x); i += 32 {
//		for j := range s {
//			s[j] += x[i+j]
//		}
//	}
//	var t [8]float32
//	for l := range t {
//		t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l])
//	}
//	var u [4]float32
//	for l := range u {
//		u[l] = t[l] + t[4+l]
//	}
//	r := (u[0] + u[2]) + (u[1] + u[3])
//	for ; i < len(x); i++ {
//		r += x[i]
//	}
//	return r
//
//go:noescape
func sumF32AVX512(x []float32) float32

// dotF32AVX512 is dotF32Go in AVX-512 (two ZMM registers):
//
//	var s [32]float32
//	i := 0
//	for ; i+32 <= len(x); i += 32 {
//		for j := range s {
//			s[j] = fma32(x[i+j], y[i+j], s[j])
//		}
//	}
//	var t [8]float32
//	for l := range t {
//		t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l])
//	}
//	var u [4]float32
//	for l := range u {
//		u[l] = t[l] + t[4+l]
//	}
//	r := (u[0] + u[2]) + (u[1] + u[3])
//	for ; i < len(x); i++ {
//		r = fma32(x[i], y[i], r)
//	}
//	return r
//
//go:noescape
func dotF32AVX512(x, y []float32) float32

// axpyF32AVX512 is axpyF32Go in AVX-512:
//
//	for i, v := range x {
//		y[i] = fma32(a, v, y[i]) // x·y + z rounded once to float32
//	}
//
//go:noescape
func axpyF32AVX512(a float32, x, y []float32)

// minF64AVX2 is minGeneric[float64] in AVX2, the builtin min over x (a NaN wins, -0 < +0):
//
//	m := x[0]
//	for _, v := range x {
//		m = min(m, v)
//	}
//	return m
//
//go:noescape
func minF64AVX2(x []float64) float64

// maxF64AVX2 is maxGeneric[float64] in AVX2, the builtin max over x (a NaN wins, +0 > -0):
//
//	m := x[0]
//	for _, v := range x {
//		m = max(m, v)
//	}
//	return m
//
//go:noescape
func maxF64AVX2(x []float64) float64

// minF32AVX2 is minGeneric[float32] in AVX2:
//
//	m := x[0]
//	for _, v := range x {
//		m = min(m, v)
//	}
//	return m
//
//go:noescape
func minF32AVX2(x []float32) float32

// maxF32AVX2 is maxGeneric[float32] in AVX2:
//
//	m := x[0]
//	for _, v := range x {
//		m = max(m, v)
//	}
//	return m
//
//go:noescape
func maxF32AVX2(x []float32) float32

// cpuLevel is the highest body level this CPU supports.
var cpuLevel = func() int {
	switch {
	case cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX2, cpuid.FMA3):
		return levelAVX512
	case cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3):
		return levelAVX2
	}
	return levelGeneric
}()

var avx2Bodies = &bodies{
	level: levelAVX2, name: levelNames[levelAVX2], split: defaultSplit,
	sumF64: sumF64AVX2, dotF64: dotF64FMA, axpyF64: axpyF64FMA,
	sumF32: sumF32AVX2, dotF32: dotF32FMA, axpyF32: axpyF32FMA,
	minF64: minF64AVX2, maxF64: maxF64AVX2, minF32: minF32AVX2, maxF32: maxF32AVX2,
	nanBlockF64: nanBlockF64AVX2, nanSumF64: nanSumF64AVX2, sqDevF64: sqDevF64AVX2,
	windowCountF64: windowCountF64AVX2,
}

// avx512Bodies holds every AVX-512 body; where a kernel has none (Min,
// Max, the NaN-skipping ones) it runs the AVX2 body.
var avx512Bodies = func() *bodies {
	b := *avx2Bodies
	b.level, b.name = levelAVX512, levelNames[levelAVX512]
	b.sumF64, b.dotF64, b.axpyF64 = sumF64AVX512, dotF64AVX512, axpyF64AVX512
	b.sumF32, b.dotF32, b.axpyF32 = sumF32AVX512, dotF32AVX512, axpyF32AVX512
	return &b
}()

// levelTables lists the table of each level; only the levels up to
// cpuLevel may run.
var levelTables = [...]*bodies{genericBodies, avx2Bodies, avx512Bodies}

// chooseBodies returns the table for this CPU. On an AVX-512 CPU it keeps
// the AVX2 bodies of Sum and Dot and takes the AVX-512 ones for Axpy: the
// reductions must keep the AVX2 bodies' 16 (float64) or 32 (float32)
// partial sums to give the same bits, so their AVX-512 bodies run the same
// lanes in two ZMM dependency chains instead of four YMM ones, and measured
// slower on AMD EPYC (Zen 4 runs 512-bit operations as two 256-bit
// halves). BenchmarkBodies, float64 GB/s, medians of 5 (go test -run x
// -bench Bodies/.*/avx ./kernels):
//
//	                4 Ki           64 Ki          4 Mi
//	         AVX2  AVX-512   AVX2  AVX-512   AVX2  AVX-512
//	sum       202    185      185    184      41     32
//	dot       187    159      106    112      49     41
//	axpy      246    249      149    165      64     66
func chooseBodies() *bodies {
	switch cpuLevel {
	case levelAVX512:
		b := *avx2Bodies
		b.level, b.name = levelAVX512, "avx2+fma, avx512f for axpy"
		b.axpyF64, b.axpyF32 = axpyF64AVX512, axpyF32AVX512
		return &b
	case levelAVX2:
		return avx2Bodies
	}
	return genericBodies
}
