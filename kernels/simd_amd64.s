//go:build amd64 && !noasm && !purego

#include "textflag.h"

// func sumF64AVX2(x []float64) float64
//
// Computes, with s[16] starting at +0:
//
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range 16 { s[j] += x[i+j] }
//	}
//	for l := range 4 { t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l]) }
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ { r += x[i] }
//	return r
TEXT ·sumF64AVX2(SB), NOSPLIT, $0-32
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-16, DX

sd_loop:
	CMPQ   AX, DX
	JGE    sd_reduce
	VADDPD (SI)(AX*8), Y0, Y0
	VADDPD 32(SI)(AX*8), Y1, Y1
	VADDPD 64(SI)(AX*8), Y2, Y2
	VADDPD 96(SI)(AX*8), Y3, Y3
	ADDQ   $16, AX
	JMP    sd_loop

sd_reduce:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0

sd_tail:
	CMPQ   AX, CX
	JGE    sd_done
	VADDSD (SI)(AX*8), X0, X0
	INCQ   AX
	JMP    sd_tail

sd_done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func dotF64FMA(x, y []float64) float64
//
// Computes, with s[16] starting at +0 and len(y) >= len(x):
//
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j := range 16 { s[j] = math.FMA(x[i+j], y[i+j], s[j]) }
//	}
//	for l := range 4 { t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l]) }
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ { r = math.FMA(x[i], y[i], r) }
//	return r
TEXT ·dotF64FMA(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-16, DX

dd_loop:
	CMPQ        AX, DX
	JGE         dd_reduce
	VMOVUPD     (SI)(AX*8), Y4
	VMOVUPD     32(SI)(AX*8), Y5
	VMOVUPD     64(SI)(AX*8), Y6
	VMOVUPD     96(SI)(AX*8), Y7
	VFMADD231PD (DI)(AX*8), Y4, Y0
	VFMADD231PD 32(DI)(AX*8), Y5, Y1
	VFMADD231PD 64(DI)(AX*8), Y6, Y2
	VFMADD231PD 96(DI)(AX*8), Y7, Y3
	ADDQ        $16, AX
	JMP         dd_loop

dd_reduce:
	VADDPD       Y1, Y0, Y0
	VADDPD       Y3, Y2, Y2
	VADDPD       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD       X1, X0, X0
	VPERMILPD    $1, X0, X1
	VADDSD       X1, X0, X0

dd_tail:
	CMPQ        AX, CX
	JGE         dd_done
	VMOVSD      (SI)(AX*8), X4
	VFMADD231SD (DI)(AX*8), X4, X0
	INCQ        AX
	JMP         dd_tail

dd_done:
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyF64FMA(a float64, x, y []float64)
//
// Computes, with len(y) >= len(x):
//
//	for i := range x { y[i] = math.FMA(a, x[i], y[i]) }
TEXT ·axpyF64FMA(SB), NOSPLIT, $0-56
	VBROADCASTSD a+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-8, DX

ad_loop:
	CMPQ        AX, DX
	JGE         ad_tail
	VMOVUPD     (DI)(AX*8), Y1
	VMOVUPD     32(DI)(AX*8), Y2
	VFMADD231PD (SI)(AX*8), Y0, Y1
	VFMADD231PD 32(SI)(AX*8), Y0, Y2
	VMOVUPD     Y1, (DI)(AX*8)
	VMOVUPD     Y2, 32(DI)(AX*8)
	ADDQ        $8, AX
	JMP         ad_loop

ad_tail:
	CMPQ        AX, CX
	JGE         ad_done
	VMOVSD      (DI)(AX*8), X1
	VFMADD231SD (SI)(AX*8), X0, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         ad_tail

ad_done:
	VZEROUPPER
	RET

// func sumF32AVX2(x []float32) float32
//
// Computes, with s[32] starting at +0:
//
//	i := 0
//	for ; i+32 <= len(x); i += 32 {
//		for j := range 32 { s[j] += x[i+j] }
//	}
//	for l := range 8 { t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l]) }
//	for l := range 4 { u[l] = t[l] + t[4+l] }
//	r := (u[0] + u[2]) + (u[1] + u[3])
//	for ; i < len(x); i++ { r += x[i] }
//	return r
TEXT ·sumF32AVX2(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-32, DX

ss_loop:
	CMPQ   AX, DX
	JGE    ss_reduce
	VADDPS (SI)(AX*4), Y0, Y0
	VADDPS 32(SI)(AX*4), Y1, Y1
	VADDPS 64(SI)(AX*4), Y2, Y2
	VADDPS 96(SI)(AX*4), Y3, Y3
	ADDQ   $32, AX
	JMP    ss_loop

ss_reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

ss_tail:
	CMPQ   AX, CX
	JGE    ss_done
	VADDSS (SI)(AX*4), X0, X0
	INCQ   AX
	JMP    ss_tail

ss_done:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotF32FMA(x, y []float32) float32
//
// Computes sumF32AVX2's pattern with s[j] = math.FMA(x[i+j], y[i+j], s[j])
// in the main loop and r = FMA(x[i], y[i], r) in the tail, in float32.
TEXT ·dotF32FMA(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-32, DX

ds_loop:
	CMPQ        AX, DX
	JGE         ds_reduce
	VMOVUPS     (SI)(AX*4), Y4
	VMOVUPS     32(SI)(AX*4), Y5
	VMOVUPS     64(SI)(AX*4), Y6
	VMOVUPS     96(SI)(AX*4), Y7
	VFMADD231PS (DI)(AX*4), Y4, Y0
	VFMADD231PS 32(DI)(AX*4), Y5, Y1
	VFMADD231PS 64(DI)(AX*4), Y6, Y2
	VFMADD231PS 96(DI)(AX*4), Y7, Y3
	ADDQ        $32, AX
	JMP         ds_loop

ds_reduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VADDPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VADDSS       X1, X0, X0

ds_tail:
	CMPQ        AX, CX
	JGE         ds_done
	VMOVSS      (SI)(AX*4), X4
	VFMADD231SS (DI)(AX*4), X4, X0
	INCQ        AX
	JMP         ds_tail

ds_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func axpyF32FMA(a float32, x, y []float32)
//
// Computes, with len(y) >= len(x), in float32:
//
//	for i := range x { y[i] = FMA(a, x[i], y[i]) }
TEXT ·axpyF32FMA(SB), NOSPLIT, $0-56
	VBROADCASTSS a+0(FP), Y0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-16, DX

as_loop:
	CMPQ        AX, DX
	JGE         as_tail
	VMOVUPS     (DI)(AX*4), Y1
	VMOVUPS     32(DI)(AX*4), Y2
	VFMADD231PS (SI)(AX*4), Y0, Y1
	VFMADD231PS 32(SI)(AX*4), Y0, Y2
	VMOVUPS     Y1, (DI)(AX*4)
	VMOVUPS     Y2, 32(DI)(AX*4)
	ADDQ        $16, AX
	JMP         as_loop

as_tail:
	CMPQ        AX, CX
	JGE         as_done
	VMOVSS      (DI)(AX*4), X1
	VFMADD231SS (SI)(AX*4), X0, X1
	VMOVSS      X1, (DI)(AX*4)
	INCQ        AX
	JMP         as_tail

as_done:
	VZEROUPPER
	RET

// The AVX-512 bodies below compute exactly the loops of their AVX2
// counterparts above (same 16 or 32 partial sums, each over the same
// elements, combined in the same order; same scalar tail), so they return
// the same bits: the partial sums s[0..15] (float64) or s[0..31] (float32)
// live in two ZMM registers instead of four YMM registers. Two dependency
// chains instead of four made Sum and Dot slower than AVX2 on Zen 4, so
// dispatch uses only Axpy's (see simd_amd64.go); the tests run them all.

// func sumF64AVX512(x []float64) float64
//
// Computes sumF64AVX2's loop: Z0 holds s[0..7], Z1 holds s[8..15].
TEXT ·sumF64AVX512(SB), NOSPLIT, $0-32
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	VPXORQ  Z0, Z0, Z0
	VPXORQ  Z1, Z1, Z1
	XORQ    AX, AX
	MOVQ    CX, DX
	ANDQ    $-16, DX

sd5_loop:
	CMPQ   AX, DX
	JGE    sd5_reduce
	VADDPD (SI)(AX*8), Z0, Z0
	VADDPD 64(SI)(AX*8), Z1, Z1
	ADDQ   $16, AX
	JMP    sd5_loop

sd5_reduce:
	// t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l]), then as sumF64AVX2.
	VEXTRACTF64X4 $1, Z0, Y2
	VADDPD        Y2, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y3
	VADDPD        Y3, Y1, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0

sd5_tail:
	CMPQ   AX, CX
	JGE    sd5_done
	VADDSD (SI)(AX*8), X0, X0
	INCQ   AX
	JMP    sd5_tail

sd5_done:
	VZEROUPPER
	MOVSD X0, ret+24(FP)
	RET

// func dotF64AVX512(x, y []float64) float64
//
// Computes dotF64FMA's loop: Z0 holds s[0..7], Z1 holds s[8..15].
TEXT ·dotF64AVX512(SB), NOSPLIT, $0-56
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-16, DX

dd5_loop:
	CMPQ        AX, DX
	JGE         dd5_reduce
	VMOVUPD     (SI)(AX*8), Z4
	VMOVUPD     64(SI)(AX*8), Z5
	VFMADD231PD (DI)(AX*8), Z4, Z0
	VFMADD231PD 64(DI)(AX*8), Z5, Z1
	ADDQ        $16, AX
	JMP         dd5_loop

dd5_reduce:
	VEXTRACTF64X4 $1, Z0, Y2
	VADDPD        Y2, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y3
	VADDPD        Y3, Y1, Y1
	VADDPD        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPD        X1, X0, X0
	VPERMILPD     $1, X0, X1
	VADDSD        X1, X0, X0

dd5_tail:
	CMPQ        AX, CX
	JGE         dd5_done
	VMOVSD      (SI)(AX*8), X4
	VFMADD231SD (DI)(AX*8), X4, X0
	INCQ        AX
	JMP         dd5_tail

dd5_done:
	VZEROUPPER
	MOVSD X0, ret+48(FP)
	RET

// func axpyF64AVX512(a float64, x, y []float64)
//
// Computes, with len(y) >= len(x):
//
//	for i := range x { y[i] = math.FMA(a, x[i], y[i]) }
TEXT ·axpyF64AVX512(SB), NOSPLIT, $0-56
	VBROADCASTSD a+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-16, DX

ad5_loop:
	CMPQ        AX, DX
	JGE         ad5_tail
	VMOVUPD     (DI)(AX*8), Z1
	VMOVUPD     64(DI)(AX*8), Z2
	VFMADD231PD (SI)(AX*8), Z0, Z1
	VFMADD231PD 64(SI)(AX*8), Z0, Z2
	VMOVUPD     Z1, (DI)(AX*8)
	VMOVUPD     Z2, 64(DI)(AX*8)
	ADDQ        $16, AX
	JMP         ad5_loop

ad5_tail:
	CMPQ        AX, CX
	JGE         ad5_done
	VMOVSD      (DI)(AX*8), X1
	VFMADD231SD (SI)(AX*8), X0, X1
	VMOVSD      X1, (DI)(AX*8)
	INCQ        AX
	JMP         ad5_tail

ad5_done:
	VZEROUPPER
	RET

// func sumF32AVX512(x []float32) float32
//
// Computes sumF32AVX2's loop: Z0 holds s[0..15], Z1 holds s[16..31].
TEXT ·sumF32AVX512(SB), NOSPLIT, $0-28
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-32, DX

ss5_loop:
	CMPQ   AX, DX
	JGE    ss5_reduce
	VADDPS (SI)(AX*4), Z0, Z0
	VADDPS 64(SI)(AX*4), Z1, Z1
	ADDQ   $32, AX
	JMP    ss5_loop

ss5_reduce:
	// t[l] = (s[l] + s[8+l]) + (s[16+l] + s[24+l]), then as sumF32AVX2.
	VEXTRACTF64X4 $1, Z0, Y2
	VADDPS        Y2, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y3
	VADDPS        Y3, Y1, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0

ss5_tail:
	CMPQ   AX, CX
	JGE    ss5_done
	VADDSS (SI)(AX*4), X0, X0
	INCQ   AX
	JMP    ss5_tail

ss5_done:
	VZEROUPPER
	MOVSS X0, ret+24(FP)
	RET

// func dotF32AVX512(x, y []float32) float32
//
// Computes dotF32FMA's loop: Z0 holds s[0..15], Z1 holds s[16..31].
TEXT ·dotF32AVX512(SB), NOSPLIT, $0-52
	MOVQ   x_base+0(FP), SI
	MOVQ   x_len+8(FP), CX
	MOVQ   y_base+24(FP), DI
	VPXORQ Z0, Z0, Z0
	VPXORQ Z1, Z1, Z1
	XORQ   AX, AX
	MOVQ   CX, DX
	ANDQ   $-32, DX

ds5_loop:
	CMPQ        AX, DX
	JGE         ds5_reduce
	VMOVUPS     (SI)(AX*4), Z4
	VMOVUPS     64(SI)(AX*4), Z5
	VFMADD231PS (DI)(AX*4), Z4, Z0
	VFMADD231PS 64(DI)(AX*4), Z5, Z1
	ADDQ        $32, AX
	JMP         ds5_loop

ds5_reduce:
	VEXTRACTF64X4 $1, Z0, Y2
	VADDPS        Y2, Y0, Y0
	VEXTRACTF64X4 $1, Z1, Y3
	VADDPS        Y3, Y1, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VMOVHLPS      X0, X0, X1
	VADDPS        X1, X0, X0
	VMOVSHDUP     X0, X1
	VADDSS        X1, X0, X0

ds5_tail:
	CMPQ        AX, CX
	JGE         ds5_done
	VMOVSS      (SI)(AX*4), X4
	VFMADD231SS (DI)(AX*4), X4, X0
	INCQ        AX
	JMP         ds5_tail

ds5_done:
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func axpyF32AVX512(a float32, x, y []float32)
//
// Computes, with len(y) >= len(x), in float32:
//
//	for i := range x { y[i] = FMA(a, x[i], y[i]) }
TEXT ·axpyF32AVX512(SB), NOSPLIT, $0-56
	VBROADCASTSS a+0(FP), Z0
	MOVQ         x_base+8(FP), SI
	MOVQ         x_len+16(FP), CX
	MOVQ         y_base+32(FP), DI
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX

as5_loop:
	CMPQ        AX, DX
	JGE         as5_tail
	VMOVUPS     (DI)(AX*4), Z1
	VMOVUPS     64(DI)(AX*4), Z2
	VFMADD231PS (SI)(AX*4), Z0, Z1
	VFMADD231PS 64(SI)(AX*4), Z0, Z2
	VMOVUPS     Z1, (DI)(AX*4)
	VMOVUPS     Z2, 64(DI)(AX*4)
	ADDQ        $32, AX
	JMP         as5_loop

as5_tail:
	CMPQ        AX, CX
	JGE         as5_done
	VMOVSS      (DI)(AX*4), X1
	VFMADD231SS (SI)(AX*4), X0, X1
	VMOVSS      X1, (DI)(AX*4)
	INCQ        AX
	JMP         as5_tail

as5_done:
	VZEROUPPER
	RET

// The Min/Max bodies below are generated by a short script (their four
// bodies differ only in the instruction names); each is documented by the
// Go loop it computes.

// func minF64AVX2(x []float64) float64
//
// Computes, for len(x) >= 1, the builtin min over x:
//
//	m := x[0]
//	for _, v := range x { m = min(m, v) }
//	return m
//
// with 16 running values m[j] over x[i+j] (four registers of 4
// lanes), combined pairwise. VMINPD alone returns its second operand
// on a NaN or on ±0, so each step computes both operand orders and ORs
// them (±0 then gives -0, as the builtin does), and NaNs are tracked
// apart: Y12..Y15 turn all-ones once an unordered compare sees one, and any
// NaN makes the result NaN.
TEXT ·minF64AVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSD (SI), Y0
	VMOVUPD      Y0, Y1
	VMOVUPD      Y0, Y2
	VMOVUPD      Y0, Y3
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	VXORPD       Y14, Y14, Y14
	VXORPD       Y15, Y15, Y15
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-16, DX

minf64_loop:
	CMPQ         AX, DX
	JGE          minf64_reduce
	VMOVUPD      (SI)(AX*8), Y4
	VMOVUPD      32(SI)(AX*8), Y5
	VMOVUPD      64(SI)(AX*8), Y6
	VMOVUPD      96(SI)(AX*8), Y7
	VMINPD       Y4, Y0, Y8
	VMINPD       Y0, Y4, Y9
	VORPD        Y9, Y8, Y0
	VCMPPD       $3, Y4, Y12, Y12
	VMINPD       Y5, Y1, Y8
	VMINPD       Y1, Y5, Y9
	VORPD        Y9, Y8, Y1
	VCMPPD       $3, Y5, Y13, Y13
	VMINPD       Y6, Y2, Y8
	VMINPD       Y2, Y6, Y9
	VORPD        Y9, Y8, Y2
	VCMPPD       $3, Y6, Y14, Y14
	VMINPD       Y7, Y3, Y8
	VMINPD       Y3, Y7, Y9
	VORPD        Y9, Y8, Y3
	VCMPPD       $3, Y7, Y15, Y15
	ADDQ         $16, AX
	JMP          minf64_loop

minf64_reduce:
	VMINPD       Y1, Y0, Y8
	VMINPD       Y0, Y1, Y9
	VORPD        Y9, Y8, Y0
	VMINPD       Y3, Y2, Y8
	VMINPD       Y2, Y3, Y9
	VORPD        Y9, Y8, Y2
	VMINPD       Y2, Y0, Y8
	VMINPD       Y0, Y2, Y9
	VORPD        Y9, Y8, Y0
	VORPD        Y13, Y12, Y12
	VORPD        Y15, Y14, Y14
	VORPD        Y14, Y12, Y12
	VMOVMSKPD    Y12, BX
	VEXTRACTF128 $1, Y0, X1
	VMINPD       X1, X0, X8
	VMINPD       X0, X1, X9
	VORPD        X9, X8, X0
	VPERMILPD    $1, X0, X1
	VMINPD       X1, X0, X8
	VMINPD       X0, X1, X9
	VORPD        X9, X8, X0

minf64_tail:
	CMPQ         AX, CX
	JGE          minf64_done
	VMOVSD       (SI)(AX*8), X4
	VUCOMISD     X4, X4
	JPS          minf64_nan
	VMINPD       X4, X0, X8
	VMINPD       X0, X4, X9
	VORPD        X9, X8, X0
	INCQ         AX
	JMP          minf64_tail

minf64_done:
	TESTQ        BX, BX
	JNZ          minf64_nan
	VZEROUPPER
	MOVSD        X0, ret+24(FP)
	RET

minf64_nan:
	VZEROUPPER
	MOVQ         $0x7ff8000000000000, AX
	MOVQ         AX, ret+24(FP)
	RET

// func maxF64AVX2(x []float64) float64
//
// Computes, for len(x) >= 1, the builtin max over x:
//
//	m := x[0]
//	for _, v := range x { m = max(m, v) }
//	return m
//
// with 16 running values m[j] over x[i+j] (four registers of 4
// lanes), combined pairwise. VMAXPD alone returns its second operand
// on a NaN or on ±0, so each step computes both operand orders and ANDs
// them (±0 then gives +0, as the builtin does), and NaNs are tracked
// apart: Y12..Y15 turn all-ones once an unordered compare sees one, and any
// NaN makes the result NaN.
TEXT ·maxF64AVX2(SB), NOSPLIT, $0-32
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSD (SI), Y0
	VMOVUPD      Y0, Y1
	VMOVUPD      Y0, Y2
	VMOVUPD      Y0, Y3
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	VXORPD       Y14, Y14, Y14
	VXORPD       Y15, Y15, Y15
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-16, DX

maxf64_loop:
	CMPQ         AX, DX
	JGE          maxf64_reduce
	VMOVUPD      (SI)(AX*8), Y4
	VMOVUPD      32(SI)(AX*8), Y5
	VMOVUPD      64(SI)(AX*8), Y6
	VMOVUPD      96(SI)(AX*8), Y7
	VMAXPD       Y4, Y0, Y8
	VMAXPD       Y0, Y4, Y9
	VANDPD       Y9, Y8, Y0
	VCMPPD       $3, Y4, Y12, Y12
	VMAXPD       Y5, Y1, Y8
	VMAXPD       Y1, Y5, Y9
	VANDPD       Y9, Y8, Y1
	VCMPPD       $3, Y5, Y13, Y13
	VMAXPD       Y6, Y2, Y8
	VMAXPD       Y2, Y6, Y9
	VANDPD       Y9, Y8, Y2
	VCMPPD       $3, Y6, Y14, Y14
	VMAXPD       Y7, Y3, Y8
	VMAXPD       Y3, Y7, Y9
	VANDPD       Y9, Y8, Y3
	VCMPPD       $3, Y7, Y15, Y15
	ADDQ         $16, AX
	JMP          maxf64_loop

maxf64_reduce:
	VMAXPD       Y1, Y0, Y8
	VMAXPD       Y0, Y1, Y9
	VANDPD       Y9, Y8, Y0
	VMAXPD       Y3, Y2, Y8
	VMAXPD       Y2, Y3, Y9
	VANDPD       Y9, Y8, Y2
	VMAXPD       Y2, Y0, Y8
	VMAXPD       Y0, Y2, Y9
	VANDPD       Y9, Y8, Y0
	VORPD        Y13, Y12, Y12
	VORPD        Y15, Y14, Y14
	VORPD        Y14, Y12, Y12
	VMOVMSKPD    Y12, BX
	VEXTRACTF128 $1, Y0, X1
	VMAXPD       X1, X0, X8
	VMAXPD       X0, X1, X9
	VANDPD       X9, X8, X0
	VPERMILPD    $1, X0, X1
	VMAXPD       X1, X0, X8
	VMAXPD       X0, X1, X9
	VANDPD       X9, X8, X0

maxf64_tail:
	CMPQ         AX, CX
	JGE          maxf64_done
	VMOVSD       (SI)(AX*8), X4
	VUCOMISD     X4, X4
	JPS          maxf64_nan
	VMAXPD       X4, X0, X8
	VMAXPD       X0, X4, X9
	VANDPD       X9, X8, X0
	INCQ         AX
	JMP          maxf64_tail

maxf64_done:
	TESTQ        BX, BX
	JNZ          maxf64_nan
	VZEROUPPER
	MOVSD        X0, ret+24(FP)
	RET

maxf64_nan:
	VZEROUPPER
	MOVQ         $0x7ff8000000000000, AX
	MOVQ         AX, ret+24(FP)
	RET

// func minF32AVX2(x []float32) float32
//
// Computes, for len(x) >= 1, the builtin min over x:
//
//	m := x[0]
//	for _, v := range x { m = min(m, v) }
//	return m
//
// with 32 running values m[j] over x[i+j] (four registers of 8
// lanes), combined pairwise. VMINPS alone returns its second operand
// on a NaN or on ±0, so each step computes both operand orders and ORs
// them (±0 then gives -0, as the builtin does), and NaNs are tracked
// apart: Y12..Y15 turn all-ones once an unordered compare sees one, and any
// NaN makes the result NaN.
TEXT ·minF32AVX2(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS (SI), Y0
	VMOVUPS      Y0, Y1
	VMOVUPS      Y0, Y2
	VMOVUPS      Y0, Y3
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	VXORPD       Y14, Y14, Y14
	VXORPD       Y15, Y15, Y15
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX

minf32_loop:
	CMPQ         AX, DX
	JGE          minf32_reduce
	VMOVUPS      (SI)(AX*4), Y4
	VMOVUPS      32(SI)(AX*4), Y5
	VMOVUPS      64(SI)(AX*4), Y6
	VMOVUPS      96(SI)(AX*4), Y7
	VMINPS       Y4, Y0, Y8
	VMINPS       Y0, Y4, Y9
	VORPS        Y9, Y8, Y0
	VCMPPS       $3, Y4, Y12, Y12
	VMINPS       Y5, Y1, Y8
	VMINPS       Y1, Y5, Y9
	VORPS        Y9, Y8, Y1
	VCMPPS       $3, Y5, Y13, Y13
	VMINPS       Y6, Y2, Y8
	VMINPS       Y2, Y6, Y9
	VORPS        Y9, Y8, Y2
	VCMPPS       $3, Y6, Y14, Y14
	VMINPS       Y7, Y3, Y8
	VMINPS       Y3, Y7, Y9
	VORPS        Y9, Y8, Y3
	VCMPPS       $3, Y7, Y15, Y15
	ADDQ         $32, AX
	JMP          minf32_loop

minf32_reduce:
	VMINPS       Y1, Y0, Y8
	VMINPS       Y0, Y1, Y9
	VORPS        Y9, Y8, Y0
	VMINPS       Y3, Y2, Y8
	VMINPS       Y2, Y3, Y9
	VORPS        Y9, Y8, Y2
	VMINPS       Y2, Y0, Y8
	VMINPS       Y0, Y2, Y9
	VORPS        Y9, Y8, Y0
	VORPD        Y13, Y12, Y12
	VORPD        Y15, Y14, Y14
	VORPD        Y14, Y12, Y12
	VMOVMSKPS    Y12, BX
	VEXTRACTF128 $1, Y0, X1
	VMINPS       X1, X0, X8
	VMINPS       X0, X1, X9
	VORPS        X9, X8, X0
	VMOVHLPS     X0, X0, X1
	VMINPS       X1, X0, X8
	VMINPS       X0, X1, X9
	VORPS        X9, X8, X0
	VMOVSHDUP    X0, X1
	VMINPS       X1, X0, X8
	VMINPS       X0, X1, X9
	VORPS        X9, X8, X0

minf32_tail:
	CMPQ         AX, CX
	JGE          minf32_done
	VMOVSS       (SI)(AX*4), X4
	VUCOMISS     X4, X4
	JPS          minf32_nan
	VMINPS       X4, X0, X8
	VMINPS       X0, X4, X9
	VORPS        X9, X8, X0
	INCQ         AX
	JMP          minf32_tail

minf32_done:
	TESTQ        BX, BX
	JNZ          minf32_nan
	VZEROUPPER
	MOVSS        X0, ret+24(FP)
	RET

minf32_nan:
	VZEROUPPER
	MOVL         $0x7fc00000, AX
	MOVL         AX, ret+24(FP)
	RET

// func maxF32AVX2(x []float32) float32
//
// Computes, for len(x) >= 1, the builtin max over x:
//
//	m := x[0]
//	for _, v := range x { m = max(m, v) }
//	return m
//
// with 32 running values m[j] over x[i+j] (four registers of 8
// lanes), combined pairwise. VMAXPS alone returns its second operand
// on a NaN or on ±0, so each step computes both operand orders and ANDs
// them (±0 then gives +0, as the builtin does), and NaNs are tracked
// apart: Y12..Y15 turn all-ones once an unordered compare sees one, and any
// NaN makes the result NaN.
TEXT ·maxF32AVX2(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS (SI), Y0
	VMOVUPS      Y0, Y1
	VMOVUPS      Y0, Y2
	VMOVUPS      Y0, Y3
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	VXORPD       Y14, Y14, Y14
	VXORPD       Y15, Y15, Y15
	XORQ         AX, AX
	MOVQ         CX, DX
	ANDQ         $-32, DX

maxf32_loop:
	CMPQ         AX, DX
	JGE          maxf32_reduce
	VMOVUPS      (SI)(AX*4), Y4
	VMOVUPS      32(SI)(AX*4), Y5
	VMOVUPS      64(SI)(AX*4), Y6
	VMOVUPS      96(SI)(AX*4), Y7
	VMAXPS       Y4, Y0, Y8
	VMAXPS       Y0, Y4, Y9
	VANDPS       Y9, Y8, Y0
	VCMPPS       $3, Y4, Y12, Y12
	VMAXPS       Y5, Y1, Y8
	VMAXPS       Y1, Y5, Y9
	VANDPS       Y9, Y8, Y1
	VCMPPS       $3, Y5, Y13, Y13
	VMAXPS       Y6, Y2, Y8
	VMAXPS       Y2, Y6, Y9
	VANDPS       Y9, Y8, Y2
	VCMPPS       $3, Y6, Y14, Y14
	VMAXPS       Y7, Y3, Y8
	VMAXPS       Y3, Y7, Y9
	VANDPS       Y9, Y8, Y3
	VCMPPS       $3, Y7, Y15, Y15
	ADDQ         $32, AX
	JMP          maxf32_loop

maxf32_reduce:
	VMAXPS       Y1, Y0, Y8
	VMAXPS       Y0, Y1, Y9
	VANDPS       Y9, Y8, Y0
	VMAXPS       Y3, Y2, Y8
	VMAXPS       Y2, Y3, Y9
	VANDPS       Y9, Y8, Y2
	VMAXPS       Y2, Y0, Y8
	VMAXPS       Y0, Y2, Y9
	VANDPS       Y9, Y8, Y0
	VORPD        Y13, Y12, Y12
	VORPD        Y15, Y14, Y14
	VORPD        Y14, Y12, Y12
	VMOVMSKPS    Y12, BX
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X8
	VMAXPS       X0, X1, X9
	VANDPS       X9, X8, X0
	VMOVHLPS     X0, X0, X1
	VMAXPS       X1, X0, X8
	VMAXPS       X0, X1, X9
	VANDPS       X9, X8, X0
	VMOVSHDUP    X0, X1
	VMAXPS       X1, X0, X8
	VMAXPS       X0, X1, X9
	VANDPS       X9, X8, X0

maxf32_tail:
	CMPQ         AX, CX
	JGE          maxf32_done
	VMOVSS       (SI)(AX*4), X4
	VUCOMISS     X4, X4
	JPS          maxf32_nan
	VMAXPS       X4, X0, X8
	VMAXPS       X0, X4, X9
	VANDPS       X9, X8, X0
	INCQ         AX
	JMP          maxf32_tail

maxf32_done:
	TESTQ        BX, BX
	JNZ          maxf32_nan
	VZEROUPPER
	MOVSS        X0, ret+24(FP)
	RET

maxf32_nan:
	VZEROUPPER
	MOVL         $0x7fc00000, AX
	MOVL         AX, ret+24(FP)
	RET
