//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

//go:generate python3 matmul_amd64_gen.py

// The micro-kernels of matmul_amd64.s, written by matmul_amd64_gen.py (see
// gemmKernel). Each doc comment is the Go loop it computes; fma32 is x·y+z
// rounded once to float32.

// gemmF64x6x8AVX2 is the 6×8 micro-kernel in AVX2 and FMA: it
// adds the product of a packed 6×kc sliver of a and a packed kc×8
// sliver of b to c (len(a) >= kc*6, len(b) >= kc*8, len(c) >= 5*ldc+8;
// asmKernel checks them),
//
//	var s [6][8]float64 // in registers for the whole depth
//	for p := range kc {
//		for i := range 6 {
//			for j := range 8 {
//				s[i][j] = math.FMA(a[p*6+i], b[p*8+j], s[i][j])
//			}
//		}
//	}
//	for i := range 6 {
//		for j := range 8 {
//			c[i*ldc+j] += s[i][j]
//		}
//	}
//
//go:noescape
func gemmF64x6x8AVX2(kc int, a, b, c []float64, ldc int)

// gemmF32x6x16AVX2 is the 6×16 micro-kernel in AVX2 and FMA: it
// adds the product of a packed 6×kc sliver of a and a packed kc×16
// sliver of b to c (len(a) >= kc*6, len(b) >= kc*16, len(c) >= 5*ldc+16;
// asmKernel checks them),
//
//	var s [6][16]float32 // in registers for the whole depth
//	for p := range kc {
//		for i := range 6 {
//			for j := range 16 {
//				s[i][j] = fma32(a[p*6+i], b[p*16+j], s[i][j])
//			}
//		}
//	}
//	for i := range 6 {
//		for j := range 16 {
//			c[i*ldc+j] += s[i][j]
//		}
//	}
//
//go:noescape
func gemmF32x6x16AVX2(kc int, a, b, c []float32, ldc int)

// gemmF64x8x24AVX512 is the 8×24 micro-kernel in AVX-512: it
// adds the product of a packed 8×kc sliver of a and a packed kc×24
// sliver of b to c (len(a) >= kc*8, len(b) >= kc*24, len(c) >= 7*ldc+24;
// asmKernel checks them),
//
//	var s [8][24]float64 // in registers for the whole depth
//	for p := range kc {
//		for i := range 8 {
//			for j := range 24 {
//				s[i][j] = math.FMA(a[p*8+i], b[p*24+j], s[i][j])
//			}
//		}
//	}
//	for i := range 8 {
//		for j := range 24 {
//			c[i*ldc+j] += s[i][j]
//		}
//	}
//
//go:noescape
func gemmF64x8x24AVX512(kc int, a, b, c []float64, ldc int)

// gemmF32x8x48AVX512 is the 8×48 micro-kernel in AVX-512: it
// adds the product of a packed 8×kc sliver of a and a packed kc×48
// sliver of b to c (len(a) >= kc*8, len(b) >= kc*48, len(c) >= 7*ldc+48;
// asmKernel checks them),
//
//	var s [8][48]float32 // in registers for the whole depth
//	for p := range kc {
//		for i := range 8 {
//			for j := range 48 {
//				s[i][j] = fma32(a[p*8+i], b[p*48+j], s[i][j])
//			}
//		}
//	}
//	for i := range 8 {
//		for j := range 48 {
//			c[i*ldc+j] += s[i][j]
//		}
//	}
//
//go:noescape
func gemmF32x8x48AVX512(kc int, a, b, c []float32, ldc int)

// The edge micro-kernels compute the same loops as the kernel of the same
// type and rows above, over fewer columns (len(b) >= kc*nr, len(c) >=
// (mr-1)*ldc+nr for their own nr): MatMul runs them on the last column
// panel when it is at most that wide.
//
//go:noescape
func gemmF64x6x4AVX2(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmF32x6x8AVX2(kc int, a, b, c []float32, ldc int)

//go:noescape
func gemmF64x8x8AVX512(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmF64x8x16AVX512(kc int, a, b, c []float64, ldc int)

//go:noescape
func gemmF32x8x16AVX512(kc int, a, b, c []float32, ldc int)

//go:noescape
func gemmF32x8x32AVX512(kc int, a, b, c []float32, ldc int)

// edge returns the edge kernel of mr rows and nr columns.
func edge[T Float](mr, nr int, f func(kc int, a, b, c []T, ldc int)) gemmEdge[T] {
	return gemmEdge[T]{nr: nr, fn: asmKernel(mr, nr, f)}
}

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
			fn: asmKernel(6, 8, gemmF64x6x8AVX2), edges: []gemmEdge[float64]{edge(6, 4, gemmF64x6x4AVX2)}})
		gemmF32 = append(gemmF32, gemmKernel[float32]{name: "avx2", mr: 6, nr: 16, kc: 512, mc: 96, nc: 4080,
			fn: asmKernel(6, 16, gemmF32x6x16AVX2), edges: []gemmEdge[float32]{edge(6, 8, gemmF32x6x8AVX2)}})
	}
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		gemmF64 = append(gemmF64, gemmKernel[float64]{name: "avx512", mr: 8, nr: 24, kc: 512, mc: 144, nc: 4080,
			fn:    asmKernel(8, 24, gemmF64x8x24AVX512),
			edges: []gemmEdge[float64]{edge(8, 8, gemmF64x8x8AVX512), edge(8, 16, gemmF64x8x16AVX512)}})
		gemmF32 = append(gemmF32, gemmKernel[float32]{name: "avx512", mr: 8, nr: 48, kc: 512, mc: 144, nc: 4032,
			fn:    asmKernel(8, 48, gemmF32x8x48AVX512),
			edges: []gemmEdge[float32]{edge(8, 16, gemmF32x8x16AVX512), edge(8, 32, gemmF32x8x32AVX512)}})
	}
}
