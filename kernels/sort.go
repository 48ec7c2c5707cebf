package kernels

import (
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
)

const (
	// sortSerialBelow is the length under which Sort hands x to
	// slices.Sort: below it the radix passes' fixed cost (a 256-entry
	// histogram per digit) outweighs pdqsort's n·log n.
	sortSerialBelow = 1 << 10
	// sortTeamBelow is the length under which Sort runs its radix passes
	// on the caller alone: below it a pass is too short for a fork-join.
	sortTeamBelow = 1 << 16
)

// Sort sorts x in ascending order with a parallel LSD radix sort. The result
// equals slices.Sort's element for element: NaNs first (in their original
// order), then the numbers ascending; -0 and +0 compare equal and come out
// with every -0 before every +0.
//
// Sort needs a scratch buffer as large as x; it keeps one in a sync.Pool, so
// back-to-back sorts reuse it and an idle one is freed by the garbage
// collector.
func Sort[T Number](x []T) { SortOn(nil, x) }

// SortOn is Sort on team t (nil: the default team).
func SortOn[T Number](t *workers.Team, x []T) {
	n := len(x)
	if n < sortSerialBelow {
		slices.Sort(x)
		return
	}
	var kind sortKind
	switch {
	case isFloatType[T]():
		kind = sortFloat
	case isSignedType[T]():
		kind = sortSigned
	}
	// The radix passes work on the bit patterns of x: an order-preserving
	// map of each value to an unsigned key of the same width.
	p := unsafe.Pointer(unsafe.SliceData(x))
	tm := teamOf(t)
	switch unsafe.Sizeof(x[0]) {
	case 1:
		radixSort(tm, unsafe.Slice((*uint8)(p), n), kind, 0)
	case 2:
		radixSort(tm, unsafe.Slice((*uint16)(p), n), kind, 0)
	case 4:
		radixSort(tm, unsafe.Slice((*uint32)(p), n), kind, math.Float32bits(float32(math.Inf(1))))
	default:
		radixSort(tm, unsafe.Slice((*uint64)(p), n), kind, math.Float64bits(math.Inf(1)))
	}
}

// Digits are radixBits wide: six passes for 64-bit keys, three for 32-bit.
// Wider digits mean fewer passes but more scatter streams than the TLB and
// the write-combining buffers keep up with.
const (
	radixBits = 11
	radixSize = 1 << radixBits
	radixMask = radixSize - 1
)

type sortKind int

const (
	sortUnsigned sortKind = iota
	sortSigned
	sortFloat
)

func isFloatType[T Number]() bool {
	var h T = 1
	h /= 2
	return h != 0
}

func isSignedType[T Number]() bool {
	var m T
	m--
	return m < 0
}

type sortWord interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// keyMasks returns the masks of the key map for kind: the key of bit
// pattern v is v ^ (-(v>>(bits-1)) & fm | xm). Unsigned values are their own
// keys; signed ones flip the sign bit; floats flip the sign bit of positive
// numbers and every bit of negative ones, which orders -Inf < ... < -0 < +0 <
// ... < +Inf.
func keyMasks[K sortWord](kind sortKind) (fm, xm K) {
	top := ^K(0) ^ (^K(0) >> 1)
	switch kind {
	case sortFloat:
		return ^K(0), top
	case sortSigned:
		return 0, top
	}
	return 0, 0
}

// sortChunk is one worker's share of a pass, padded so that workers don't
// share cache lines.
type sortChunk[K sortWord] struct {
	hist    [radixSize]int // digit counts, then scatter offsets
	and, or K        // of the keys, to find the digits that vary
	nans    int
	_       [64]byte
}

var sortScratch [4]sync.Pool // *[]uint8, *[]uint16, *[]uint32, *[]uint64

func scratchPool[K sortWord]() *sync.Pool {
	switch unsafe.Sizeof(K(0)) {
	case 1:
		return &sortScratch[0]
	case 2:
		return &sortScratch[1]
	case 4:
		return &sortScratch[2]
	}
	return &sortScratch[3]
}

// radixSort sorts the bit patterns a as values of kind. inf is the bit
// pattern of +Inf for floats: patterns above it (sign bit aside) are NaNs.
func radixSort[K sortWord](tm *workers.Team, a []K, kind sortKind, inf K) {
	n := len(a)
	if n < 2 {
		return
	}
	bits := uint(8 * unsafe.Sizeof(K(0)))
	top := ^K(0) ^ (^K(0) >> 1)
	fm, xm := keyMasks[K](kind)
	p := tm.Workers()
	if n < sortTeamBelow {
		p = 1
	}
	size := (n + p - 1) / p
	p = (n + size - 1) / size
	ch := make([]sortChunk[K], p)
	each := func(f func(c int, part []K)) {
		if p == 1 {
			f(0, a)
			return
		}
		tm.For(p, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				f(c, a[c*size:min((c+1)*size, n)])
			}
		})
	}

	// First pass: the keys' AND and OR (a digit in which they agree needs
	// no pass), the histogram of the lowest digit, and the NaNs.
	each(func(c int, part []K) {
		s := &ch[c]
		h := &s.hist
		*h = [radixSize]int{}
		and, or := ^K(0), K(0)
		nans := 0
		for _, v := range part {
			k := v ^ (-(v>>(bits-1))&fm | xm)
			and &= k
			or |= k
			h[uint(k)&radixMask]++
			if v&^top > inf {
				nans++
			}
		}
		s.and, s.or, s.nans = and, or, nans
	})
	and, or, nans := ^K(0), K(0), 0
	for c := range ch {
		and &= ch[c].and
		or |= ch[c].or
		nans += ch[c].nans
	}
	if kind == sortFloat && nans > 0 {
		// The key order puts NaNs at both ends by sign; slices.Sort puts
		// them first. Move them to the front in their order and sort the
		// rest.
		nanFront(a, top, inf, nans)
		radixSort(tm, a[nans:], kind, inf)
		return
	}
	var shifts []uint
	for s := uint(0); s < bits; s += radixBits {
		if uint((and^or)>>s)&radixMask != 0 {
			shifts = append(shifts, s)
		}
	}
	if len(shifts) == 0 {
		return // all bit patterns equal
	}

	pool := scratchPool[K]()
	var buf []K
	if b, ok := pool.Get().(*[]K); ok && cap(*b) >= n {
		buf = (*b)[:n]
	} else {
		buf = make([]K, n)
		adviseHuge(unsafe.Pointer(unsafe.SliceData(buf)), uintptr(n)*unsafe.Sizeof(K(0)))
	}
	src, dst := a, buf
	for i, s := range shifts {
		first, last := i == 0, i == len(shifts)-1
		if !first || s != 0 {
			sh := s
			each(func(c int, _ []K) {
				part := src[c*size : min((c+1)*size, n)]
				h := &ch[c].hist
				*h = [radixSize]int{}
				if first {
					for _, v := range part {
						h[uint((v^(-(v>>(bits-1))&fm|xm))>>sh)&radixMask]++
					}
				} else {
					for _, k := range part {
						h[uint(k>>sh)&radixMask]++
					}
				}
			})
		}
		// Offsets: bucket by bucket, chunk by chunk, which keeps equal
		// digits in their order (the pass is stable).
		run := 0
		for d := range radixSize {
			for c := range ch {
				k := ch[c].hist[d]
				ch[c].hist[d] = run
				run += k
			}
		}
		sh := s
		sv, dv := src, dst
		each(func(c int, _ []K) {
			part := sv[c*size : min((c+1)*size, n)]
			out := unsafe.Pointer(unsafe.SliceData(dv))
			off := &ch[c].hist
			switch {
			case first && last:
				scatterRR(part, out, off, sh, bits, fm, xm)
			case first:
				scatterRK(part, out, off, sh, bits, fm, xm)
			case last:
				scatterKR(part, out, off, sh, bits, fm, xm)
			default:
				scatterKK(part, out, off, sh)
			}
		})
		src, dst = dst, src
	}
	if len(shifts)%2 == 1 {
		stream(tm, n, func(lo, hi int) { copy(a[lo:hi], buf[lo:hi]) })
	}
	pool.Put(&buf)
}

// The scatter loops move each element of src to dst[off[digit]] and bump
// the offset. dst is raw memory so that the store needs no bounds check: the
// offsets are exact prefix sums of the counts, so every store is in range.
// R means bit patterns (the caller's values), K keys.

type wcBuf[K sortWord] struct {
	line [radixSize][wcLen]K
	fill [radixSize]uint8
}

const wcLen = 8

func scatterKK[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh uint) {
	if unsafe.Sizeof(K(0)) == 8 {
		wc := new(wcBuf[K])
		for _, k := range src {
			d := uint(k>>sh) & radixMask
			f := wc.fill[d]
			ln := &wc.line[d]
			ln[f&(wcLen-1)] = k
			f++
			if f == wcLen {
				o := off[d]
				q := (*[wcLen]K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k)))
				q[0], q[1], q[2], q[3] = ln[0], ln[1], ln[2], ln[3]
				q[4], q[5], q[6], q[7] = ln[4], ln[5], ln[6], ln[7]
				off[d] = o + wcLen
				f = 0
			}
			wc.fill[d] = f
		}
		for d := range radixSize {
			o := off[d]
			for _, k := range wc.line[d][:wc.fill[d]] {
				*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
				o++
			}
			off[d] = o
		}
		return
	}
	for _, k := range src {
		d := uint(k>>sh) & radixMask
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
		off[d] = o + 1
	}
}

func scatterRK[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh, bits uint, fm, xm K) {
	for _, v := range src {
		k := v ^ (-(v>>(bits-1))&fm | xm)
		d := uint(k>>sh) & radixMask
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
		off[d] = o + 1
	}
}

func scatterKR[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh, bits uint, fm, xm K) {
	for _, k := range src {
		d := uint(k>>sh) & radixMask
		o := off[d]
		// The inverse map: the key's top bit is set for the patterns
		// whose sign bit was clear.
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k ^ (-((^k)>>(bits-1))&fm | xm)
		off[d] = o + 1
	}
}

func scatterRR[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh, bits uint, fm, xm K) {
	for _, v := range src {
		d := uint((v^(-(v>>(bits-1))&fm|xm))>>sh) & radixMask
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(v))) = v
		off[d] = o + 1
	}
}

// nanFront moves the nans NaN patterns of a to its front, keeping their
// order and the order of the rest.
func nanFront[K sortWord](a []K, top, inf K, nans int) {
	j := len(a)
	k := nans
	tmp := make([]K, 0, nans)
	for i := len(a) - 1; i >= 0; i-- {
		if v := a[i]; v&^top > inf {
			tmp = append(tmp, v)
		} else {
			j--
			a[j] = v
		}
	}
	for i := range tmp {
		a[i] = tmp[k-1-i]
	}
}
