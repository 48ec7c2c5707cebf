//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

//go:generate python3 matmul_amd64_gen.py

// Micro-kernels in matmul_amd64.s (written by matmul_amd64_gen.py); see
// gemmKernel for what they compute.
//
//go:noescape
func gemmF64x6x8AVX2(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmF32x6x16AVX2(kc int, a, b, c []float32, ldc int)

//go:noescape
func gemmF64x8x24AVX512(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmF32x8x48AVX512(kc int, a, b, c []float32, ldc int)

// asmKernel wraps an assembly micro-kernel: it checks the slice lengths the
// assembly relies on and reports the accesses to the race detector.
func asmKernel[T Float](mr, nr int, f func(kc int, a, b, c []T, ldc int)) func(kc int, a, b, c []T, ldc int) {
	return func(kc int, a, b, c []T, ldc int) {
		a, b, c = a[:kc*mr], b[:kc*nr], c[:(mr-1)*ldc+nr]
		raceRead(a)
		raceRead(b)
		for i := range mr { // row by row: other workers own the columns between
			raceWrite(c[i*ldc : i*ldc+nr])
		}
		f(kc, a, b, c, ldc)
	}
}

// The micro-kernels this CPU runs are chosen once, here; the blockings
// were tuned on AMD EPYC (Zen 4/5). kc = 512 rather than 256 (the kc×nr
// sliver of b then streams from L2, not L1) was 5–12% faster for every
// kernel at n = 1024 and 2048 on 1 and 2 workers: c is loaded and stored
// half as often.
func init() {
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		gemmF64 = append(gemmF64, gemmKernel[float64]{name: "avx2", mr: 6, nr: 8, kc: 512, mc: 96, nc: 4080,
			fn: asmKernel(6, 8, gemmF64x6x8AVX2)})
		gemmF32 = append(gemmF32, gemmKernel[float32]{name: "avx2", mr: 6, nr: 16, kc: 512, mc: 96, nc: 4080,
			fn: asmKernel(6, 16, gemmF32x6x16AVX2)})
	}
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		gemmF64 = append(gemmF64, gemmKernel[float64]{name: "avx512", mr: 8, nr: 24, kc: 512, mc: 144, nc: 4080,
			fn: asmKernel(8, 24, gemmF64x8x24AVX512)})
		gemmF32 = append(gemmF32, gemmKernel[float32]{name: "avx512", mr: 8, nr: 48, kc: 512, mc: 144, nc: 4032,
			fn: asmKernel(8, 48, gemmF32x8x48AVX512)})
	}
}
