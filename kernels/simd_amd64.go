//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

// Assembly bodies (simd_amd64.s). Each needs len(y) >= len(x).
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

// useAVX2 selects the AVX2+FMA bodies; set once at start-up. Tests switch it
// off to run the portable bodies on the same machine.
var useAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)

// simdLevel names the body dispatch picked.
func simdLevel() string {
	if useAVX2 {
		return "avx2+fma"
	}
	return "generic"
}

func sumBody[T Number](x []T) T {
	if useAVX2 {
		switch v := any(x).(type) {
		case []float64:
			raceRead(v)
			return any(sumF64AVX2(v)).(T)
		case []float32:
			raceRead(v)
			return any(sumF32AVX2(v)).(T)
		}
	}
	return sumGeneric(x)
}

func dotBody[T Number](x, y []T) T {
	if useAVX2 {
		switch v := any(x).(type) {
		case []float64:
			w := any(y).([]float64)[:len(v)]
			raceRead(v)
			raceRead(w)
			return any(dotF64FMA(v, w)).(T)
		case []float32:
			w := any(y).([]float32)[:len(v)]
			raceRead(v)
			raceRead(w)
			return any(dotF32FMA(v, w)).(T)
		}
	}
	return dotGeneric(x, y)
}

func axpyBody[T Number](a T, x, y []T) {
	if useAVX2 {
		switch v := any(x).(type) {
		case []float64:
			w := any(y).([]float64)[:len(v)]
			raceRead(v)
			raceWrite(w)
			axpyF64FMA(any(a).(float64), v, w)
			return
		case []float32:
			w := any(y).([]float32)[:len(v)]
			raceRead(v)
			raceWrite(w)
			axpyF32FMA(any(a).(float32), v, w)
			return
		}
	}
	axpyGeneric(a, x, y)
}
