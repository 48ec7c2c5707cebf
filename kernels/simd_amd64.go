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

// useAVX2 and useAVX512 select the bodies; set once at start-up (AVX-512
// only where it pays, see preferAVX512). Tests switch them off to run the
// other bodies on the same machine.
var (
	useAVX2   = cpuLevel >= levelAVX2
	useAVX512 = cpuLevel >= levelAVX512 && preferAVX512
)

// simdLevel names the body dispatch picked.
func simdLevel() string { return levelNames[currentLevel()] }

func sumF64(x []float64) float64 {
	raceRead(x)
	switch {
	case useAVX512:
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
	case useAVX512:
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
	case useAVX512:
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
	case useAVX512:
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

// preferAVX512 says whether dispatch uses the AVX-512 bodies on a CPU that
// has them; see BenchmarkBodies for the measurement behind it.
const preferAVX512 = true
