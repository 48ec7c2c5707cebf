package kernels

import (
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
)

// MatMul sets c = a·b for row-major matrices: c is m×n, a is m×k, b is k×n.
// It panics if a slice is shorter than its shape needs. c must not overlap a
// or b.
//
// The product is computed the GotoBLAS/BLIS way: b is packed in kc×nc
// panels and a in mc×kc blocks into contiguous scratch, and a register-blocked
// micro-kernel (AVX-512 or AVX2+FMA assembly where the CPU has it) updates
// one small tile of c at a time; blocks of c are shared out among the team's
// workers.
func MatMul[T Float](c, a, b []T, m, k, n int) { MatMulOn(nil, c, a, b, m, k, n) }

// MatMulOn is MatMul on team t (nil: the default team).
func MatMulOn[T Float](t *workers.Team, c, a, b []T, m, k, n int) {
	checkShape(len(c), len(a), len(b), m, k, n)
	switch cc := any(c).(type) {
	case []float64:
		ks := gemmF64
		gemm(t, &ks[len(ks)-1], cc, any(a).([]float64), any(b).([]float64), m, k, n)
	case []float32:
		ks := gemmF32
		gemm(t, &ks[len(ks)-1], cc, any(a).([]float32), any(b).([]float32), m, k, n)
	default: // a named float type: the portable micro-kernel
		gemm(t, genericKernel[T](), c, a, b, m, k, n)
	}
}

// checkShape panics, naming the shape and the lengths, unless m, k, n >= 0
// and each slice holds its matrix. The products are checked for overflow
// first: m=k=n=2^32 must not wrap around to a length that passes.
func checkShape(lc, la, lb, m, k, n int) {
	if m < 0 || k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels.MatMul: negative dimension: m=%d k=%d n=%d", m, k, n))
	}
	mn, ok1 := mulInt(m, n)
	mk, ok2 := mulInt(m, k)
	kn, ok3 := mulInt(k, n)
	if !ok1 || !ok2 || !ok3 {
		panic(fmt.Sprintf("kernels.MatMul: m=%d k=%d n=%d: a matrix of that shape has more elements than an int can count", m, k, n))
	}
	if lc < mn || la < mk || lb < kn {
		panic(fmt.Sprintf("kernels.MatMul: m=%d k=%d n=%d need len(c)>=%d len(a)>=%d len(b)>=%d, have %d %d %d",
			m, k, n, mn, mk, kn, lc, la, lb))
	}
}

// mulInt returns a·b for a, b >= 0 and whether it fits in an int.
func mulInt(a, b int) (int, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if a > math.MaxInt/b {
		return 0, false
	}
	return a * b, true
}

// A gemmKernel is a micro-kernel with its blocking. fn(kc, a, b, c, ldc)
// adds the mr×nr product of a packed mr×kc sliver of a (a[p*mr+i]) and a
// packed kc×nr sliver of b (b[p*nr+j]) to c:
//
//	for i := range mr {
//		for j := range nr {
//			var s T
//			for p := range kc { s += a[p*mr+i] * b[p*nr+j] }
//			c[i*ldc+j] += s
//		}
//	}
//
// (the assembly bodies fuse the multiply-adds, so the last bits may differ).
type gemmKernel[T Float] struct {
	name   string
	mr, nr int // tile of c computed per call
	kc     int // depth of a packed panel: deeper means fewer loads and stores of c per flop
	mc     int // rows of a packed block of a: an mc×kc block stays in L2
	nc     int // columns of a packed panel of b: a kc×nc panel stays in L3
	fn     func(kc int, a, b, c []T, ldc int)
	// edges are narrower kernels of the same mr, by increasing nr: the
	// last column panel, when it is narrower than nr, is packed and
	// multiplied at the width of the first edge kernel that covers it.
	edges []gemmEdge[T]
}

// A gemmEdge is a micro-kernel of a gemmKernel's mr rows and fewer columns.
type gemmEdge[T Float] struct {
	nr int
	fn func(kc int, a, b, c []T, ldc int)
}

// gemmF64 and gemmF32 list the micro-kernels this CPU can run, the one
// MatMul uses last. matmul_amd64.go appends the assembly kernels at start-up.
var (
	gemmF64 = []gemmKernel[float64]{*genericKernel[float64]()}
	gemmF32 = []gemmKernel[float32]{*genericKernel[float32]()}
)

func genericKernel[T Float]() *gemmKernel[T] {
	return &gemmKernel[T]{name: "generic", mr: 4, nr: 4, kc: 256, mc: 64, nc: 2048, fn: gemm4x4Generic[T]}
}

// maxTile bounds mr*nr of every micro-kernel: edge tiles go through a
// scratch tile of this size.
const maxTile = 16 * 32

// scratch holds reusable packing buffers, by element size and use (a
// worker's packed block of a, every packed block of a, packed b);
// sync.Pool keeps about one per worker alive between calls.
var scratch [2][3]sync.Pool

const (
	packedA = iota
	packedAllA
	packedB
)

// sharedALimit bounds, in elements, the packed copy of a that the workers
// share (every mc×kc block of a for one depth): above it each task packs
// its own block instead.
const sharedALimit = 1 << 21

func packPool[T Float](use int) *sync.Pool {
	return &scratch[unsafe.Sizeof(T(0))/8][use]
}

func getScratch[T Float](use, n int) *[]T {
	// A buffer too short, or of a named float type, is dropped for the GC.
	if p, ok := packPool[T](use).Get().(*[]T); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	s := make([]T, n)
	return &s
}

// gemm sets c = a·b with micro-kernel kern on team t: for each kc×nc panel
// of b (packed by all workers), the mc-row blocks of a times column ranges
// of the panel are tasks shared out among the workers, each packing its own
// block of a.
func gemm[T Float](t *workers.Team, kern *gemmKernel[T], c, a, b []T, m, k, n int) {
	clear(c[:m*n])
	if m == 0 || n == 0 || k == 0 {
		return
	}
	mr, nr := kern.mr, kern.nr
	// Equal blocks: a last thin block would cost a full pass of packing.
	kcMax := ceilDiv(k, ceilDiv(k, kern.kc))
	ncMax := roundUp(ceilDiv(n, ceilDiv(n, kern.nc)), nr)
	workersN := 1
	forN := func(n, grain int, body func(lo, hi int)) { body(0, n) }
	if m*k*n >= 1<<18 {
		tm := teamOf(t)
		workersN = tm.Workers()
		forN = tm.For
	}
	// Rows per block: at most kern.mc, in a number of blocks that is a
	// multiple of the workers (3 blocks on 2 workers would leave one idle a
	// third of the time).
	mc := roundUp(ceilDiv(m, roundUp(ceilDiv(m, kern.mc), workersN)), mr)
	mBlocks := (m + mc - 1) / mc

	bufB := getScratch[T](packedB, kcMax*ncMax)
	defer packPool[T](packedB).Put(bufB)
	bp := *bufB
	mPanels := ceilDiv(m, mr)
	var apAll []T // every block of a, packed for one depth, when shared
	if workersN > 1 && mPanels*mr*kcMax <= sharedALimit {
		bufAll := getScratch[T](packedAllA, mPanels*mr*kcMax)
		defer packPool[T](packedAllA).Put(bufAll)
		apAll = *bufAll
	}
	for jc := 0; jc < n; jc += ncMax {
		nc := min(ncMax, n-jc)
		nPanels := (nc + nr - 1) / nr
		// A task packs its own block of a and multiplies it by the whole
		// panel, so the block stays in the cache of the core that packed
		// it. Only when there are fewer blocks than workers (a few rows of
		// c) are the panel's columns split too, into several tasks per
		// worker. Splitting them always, with the blocks of a packed once
		// and shared, took 1.1–1.5× as long on two workers at n = 256–512 and
		// 100×1000×100: each core then read the other's packed data.
		nSplit := 1
		if workersN > 1 && mBlocks < workersN {
			nSplit = min(nPanels, max(1, (8*workersN+mBlocks-1)/mBlocks))
		}
		// The last panel's width and kernel.
		lastNr, lastFn := nr, kern.fn
		for _, e := range kern.edges {
			if e.nr >= nc-(nPanels-1)*nr {
				lastNr, lastFn = e.nr, e.fn
				break
			}
		}
		panelOf := func(jp int) (int, func(kc int, a, b, c []T, ldc int)) {
			if jp == nPanels-1 {
				return lastNr, lastFn
			}
			return nr, kern.fn
		}
		perSplit := ceilDiv(nPanels, nSplit)
		nSplit = ceilDiv(nPanels, perSplit) // no empty column range
		// Each block of a is multiplied by nSplit column ranges: pack the
		// blocks once, shared, rather than once per task, when they fit in
		// sharedALimit (at n = 256 the repacking cost as much as the
		// multiplications). Micro-panels of a are packed in the same loop
		// as those of b: one fork-join for both.
		shareA := nSplit > 1 && apAll != nil
		for pc := 0; pc < k; pc += kcMax {
			kc := min(kcMax, k-pc)
			nPack := nPanels
			if shareA {
				nPack += mPanels
			}
			forN(nPack, max(1, nPack/(4*workersN)), func(lo, hi int) {
				for jp := lo; jp < hi; jp++ {
					if jp >= nPanels {
						i0 := (jp - nPanels) * mr
						packA(apAll[i0*kc:(i0+mr)*kc], a, k, i0, min(mr, m-i0), pc, kc)
						continue
					}
					j0 := jc + jp*nr
					pnr, _ := panelOf(jp)
					packB(bp[jp*kc*nr:jp*kc*nr+kc*pnr], b, n, pc, kc, j0, min(pnr, n-j0))
				}
			})
			forN(mBlocks*nSplit, 1, func(lo, hi int) {
				// The packed block of a, then a tile for the edges (an array
				// here would escape to the heap: kern.fn is a func value).
				bufA := getScratch[T](packedA, mc*kc+maxTile)
				defer packPool[T](packedA).Put(bufA)
				ap, tile := (*bufA)[:mc*kc], (*bufA)[mc*kc:]
				for task := lo; task < hi; task++ {
					ic := task / nSplit * mc
					mEff := min(mc, m-ic)
					nip := (mEff + mr - 1) / mr
					if shareA {
						ap = apAll[ic*kc : (ic+nip*mr)*kc]
					} else {
						for ip := range nip {
							i0 := ic + ip*mr
							packA(ap[ip*kc*mr:(ip+1)*kc*mr], a, k, i0, min(mr, m-i0), pc, kc)
						}
					}
					jp0 := task % nSplit * perSplit
					for jp := jp0; jp < min(jp0+perSplit, nPanels); jp++ {
						j0 := jc + jp*nr
						pnr, fn := panelOf(jp)
						nEff := min(pnr, n-j0)
						bs := bp[jp*kc*nr : jp*kc*nr+kc*pnr]
						for ip := range nip {
							i0 := ic + ip*mr
							mEff := min(mr, m-i0)
							as := ap[ip*kc*mr : (ip+1)*kc*mr]
							if mEff == mr && nEff == pnr {
								fn(kc, as, bs, c[i0*n+j0:(i0+mr-1)*n+j0+pnr], n)
								continue
							}
							// Edge tile: compute into scratch, add the part inside c.
							tt := tile[:mr*pnr]
							clear(tt)
							fn(kc, as, bs, tt, pnr)
							for i := range mEff {
								crow := c[(i0+i)*n+j0 : (i0+i)*n+j0+nEff]
								for j := range crow {
									crow[j] += tt[i*pnr+j]
								}
							}
						}
					}
				}
			})
		}
	}
}

func ceilDiv(x, d int) int { return (x + d - 1) / d }
func roundUp(x, m int) int { return ceilDiv(x, m) * m }

// packA copies the mEff×kc block of a (row stride lda) at (i0, p0) into
// dst as dst[p*mr+i], mr = len(dst)/kc, padding rows past mEff with zeros.
func packA[T Float](dst, a []T, lda, i0, mEff, p0, kc int) {
	mr := len(dst) / kc
	if mEff == mr {
		switch mr {
		case 8:
			packA8(dst, a[i0*lda+p0:], lda, kc)
			return
		case 6:
			packA6(dst, a[i0*lda+p0:], lda, kc)
			return
		}
	}
	if mEff < mr {
		clear(dst)
	}
	for i := range mEff {
		row := a[(i0+i)*lda+p0 : (i0+i)*lda+p0+kc]
		for p, v := range row {
			dst[p*mr+i] = v
		}
	}
}

// packA8 is packA for a full sliver of 8 rows starting at a[0]: it reads
// the 8 rows side by side and writes dst in order, one 8-value group per
// column, rather than striding through dst once per row.
func packA8[T Float](dst, a []T, lda, kc int) {
	r0, r1, r2, r3 := a[:kc], a[lda:][:kc], a[2*lda:][:kc], a[3*lda:][:kc]
	r4, r5, r6, r7 := a[4*lda:][:kc], a[5*lda:][:kc], a[6*lda:][:kc], a[7*lda:][:kc]
	dst = dst[:8*kc]
	for p := range kc {
		d := dst[p*8 : p*8+8 : p*8+8]
		d[0], d[1], d[2], d[3] = r0[p], r1[p], r2[p], r3[p]
		d[4], d[5], d[6], d[7] = r4[p], r5[p], r6[p], r7[p]
	}
}

// packA6 is packA8 for 6 rows.
func packA6[T Float](dst, a []T, lda, kc int) {
	r0, r1, r2 := a[:kc], a[lda:][:kc], a[2*lda:][:kc]
	r3, r4, r5 := a[3*lda:][:kc], a[4*lda:][:kc], a[5*lda:][:kc]
	dst = dst[:6*kc]
	for p := range kc {
		d := dst[p*6 : p*6+6 : p*6+6]
		d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
	}
}

// packB copies the kc×nEff block of b (row stride ldb) at (p0, j0) into
// dst as dst[p*nr+j], nr = len(dst)/kc, padding columns past nEff with zeros.
func packB[T Float](dst, b []T, ldb, p0, kc, j0, nEff int) {
	nr := len(dst) / kc
	if nEff < nr {
		clear(dst)
	}
	for p := range kc {
		copy(dst[p*nr:p*nr+nEff], b[(p0+p)*ldb+j0:(p0+p)*ldb+j0+nEff])
	}
}

// gemm4x4Generic is the portable micro-kernel (mr = nr = 4); see gemmKernel.
func gemm4x4Generic[T Float](kc int, a, b, c []T, ldc int) {
	var c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33 T
	a, b = a[:kc*4], b[:kc*4]
	for p := 0; p < len(a); p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		bb := b[p : p+4 : p+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r := c[0*ldc : 0*ldc+4]
	r[0] += c00
	r[1] += c01
	r[2] += c02
	r[3] += c03
	r = c[1*ldc : 1*ldc+4]
	r[0] += c10
	r[1] += c11
	r[2] += c12
	r[3] += c13
	r = c[2*ldc : 2*ldc+4]
	r[0] += c20
	r[1] += c21
	r[2] += c22
	r[3] += c23
	r = c[3*ldc : 3*ldc+4]
	r[0] += c30
	r[1] += c31
	r[2] += c32
	r[3] += c33
}

// matMulRef is the scalar reference of MatMul.
func matMulRef[T Float](c, a, b []T, m, k, n int) {
	for i := range m {
		for j := range n {
			var s T
			for p := range k {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] = s
		}
	}
}
