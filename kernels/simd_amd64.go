//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// Assembly bodies (simd_amd64.s), each documented there by the Go loop it
// computes. Those taking y need len(y) >= len(x).
//
//go:noescape
func sumF64AVX2(x []float64) float64

//go:noescape
func dotF64FMA(x, y []float64) float64

//go:noescape
func axpyF64FMA(a float64, x, y []float64)

//go:noescape
func sumF32AVX2(x []float32) float32

//go:noescape
func dotF32FMA(x, y []float32) float32

//go:noescape
func axpyF32FMA(a float32, x, y []float32)

//go:noescape
func sumF64AVX512(x []float64) float64

//go:noescape
func dotF64AVX512(x, y []float64) float64

//go:noescape
func axpyF64AVX512(a float64, x, y []float64)

//go:noescape
func sumF32AVX512(x []float32) float32

//go:noescape
func dotF32AVX512(x, y []float32) float32

//go:noescape
func axpyF32AVX512(a float32, x, y []float32)

//go:noescape
func minF64AVX2(x []float64) float64

//go:noescape
func maxF64AVX2(x []float64) float64

//go:noescape
func minF32AVX2(x []float32) float32

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

// useAVX2 and useAVX512 select the bodies, set once at start-up; Sum and
// Dot use their AVX-512 bodies only if reduceAVX512 is set too. Tests switch
// them to run every body on the same machine.
//
// AVX-512 goes to Axpy alone: its Sum and Dot bodies must keep the AVX2
// bodies' 16 (float64) or 32 (float32) partial sums to give the same bits,
// so they run the same number of lanes in two ZMM dependency chains instead
// of four YMM ones, and measured slower on this AMD EPYC (Zen 4 runs 512-bit
// operations as two 256-bit halves). BenchmarkBodies, float64 GB/s, medians
// of 5 (go test -run x -bench Bodies/.*/avx ./kernels):
//
//	                4 Ki           64 Ki          4 Mi
//	         AVX2  AVX-512   AVX2  AVX-512   AVX2  AVX-512
//	sum       202    185      185    184      41     32
//	dot       187    159      106    112      49     41
//	axpy      246    249      149    165      64     66
var (
	useAVX2      = cpuLevel >= levelAVX2
	useAVX512    = cpuLevel >= levelAVX512
	reduceAVX512 = false
)

// simdLevel names the bodies dispatch picked.
func simdLevel() string {
	switch {
	case useAVX512 && !reduceAVX512:
		return "avx2+fma, avx512f for axpy"
	}
	return levelNames[currentLevel()]
}

func sumF64(x []float64) float64 {
	raceRead(x)
	switch {
	case useAVX512 && reduceAVX512:
		return sumF64AVX512(x)
	case useAVX2:
		return sumF64AVX2(x)
	}
	return sumF64Go(x)
}

func dotF64(x, y []float64) float64 {
	raceRead(x)
	raceRead(y)
	switch {
	case useAVX512 && reduceAVX512:
		return dotF64AVX512(x, y)
	case useAVX2:
		return dotF64FMA(x, y)
	}
	return dotF64Go(x, y)
}

func axpyF64(a float64, x, y []float64) {
	raceRead(x)
	raceWrite(y)
	switch {
	case useAVX512:
		axpyF64AVX512(a, x, y)
	case useAVX2:
		axpyF64FMA(a, x, y)
	default:
		axpyF64Go(a, x, y)
	}
}

func sumF32(x []float32) float32 {
	raceRead(x)
	switch {
	case useAVX512 && reduceAVX512:
		return sumF32AVX512(x)
	case useAVX2:
		return sumF32AVX2(x)
	}
	return sumF32Go(x)
}

func dotF32(x, y []float32) float32 {
	raceRead(x)
	raceRead(y)
	switch {
	case useAVX512 && reduceAVX512:
		return dotF32AVX512(x, y)
	case useAVX2:
		return dotF32FMA(x, y)
	}
	return dotF32Go(x, y)
}

func axpyF32(a float32, x, y []float32) {
	raceRead(x)
	raceWrite(y)
	switch {
	case useAVX512:
		axpyF32AVX512(a, x, y)
	case useAVX2:
		axpyF32FMA(a, x, y)
	default:
		axpyF32Go(a, x, y)
	}
}

// minF64 and the rest need len(x) >= 1.
func minF64(x []float64) float64 {
	if useAVX2 {
		raceRead(x)
		return minF64AVX2(x)
	}
	return minGeneric(x)
}

func maxF64(x []float64) float64 {
	if useAVX2 {
		raceRead(x)
		return maxF64AVX2(x)
	}
	return maxGeneric(x)
}

func minF32(x []float32) float32 {
	if useAVX2 {
		raceRead(x)
		return minF32AVX2(x)
	}
	return minGeneric(x)
}

func maxF32(x []float32) float32 {
	if useAVX2 {
		raceRead(x)
		return maxF32AVX2(x)
	}
	return maxGeneric(x)
}
