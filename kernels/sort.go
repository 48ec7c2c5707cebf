package kernels

import (
	"math"
	"slices"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
)

const (
	// sortSerialBelow is the length under which Sort hands x to
	// slices.Sort: below it the radix sort's fixed cost (2048 buckets)
	// outweighs pdqsort's n·log n.
	sortSerialBelow = 1 << 12
	// sortTeamBelow is the length under which Sort runs its radix passes
	// on the caller alone: below it a pass is too short for a fork-join.
	sortTeamBelow = 1 << 16
)

// Sort sorts x in ascending order. The result equals slices.Sort's element
// for element: NaNs first (in their original order), then the numbers
// ascending; -0 and +0 compare equal and come out with every -0 before every
// +0.
//
// On CPUs with AVX-512, 64-bit elements (int64, uint64, float64, int,
// uint, uintptr) longer than 128 go to an in-place vector quicksort: the
// first partition splits over the team, then the workers take ranges from
// a shared stack and push back the shorter side of each split, partitioning
// with AVX-512 compress down to 128 keys and finishing them with a bitonic
// sorting network in registers. Every other
// input of 4096 or more goes to a parallel radix sort: one stable MSD pass
// on the team into cache-sized buckets, then an LSD radix sort of each
// bucket on one worker; shorter ones go to slices.Sort (with the same NaN
// and zero order).
//
// The radix sort needs a scratch buffer as large as x; it keeps the last
// one (up to 1 GiB) for the next sort and frees it after two seconds
// unused. The quicksort needs none.
func Sort[T Number](x []T) { SortOn(nil, x) }

// SortOn is Sort on team t (nil: the default team).
func SortOn[T Number](t *workers.Team, x []T) { sortOn(t, x, sortVecCPU) }

// sortOn is SortOn; vec is whether the vector quicksort may run (this CPU
// has it), which tests turn off to run the other paths.
func sortOn[T Number](t *workers.Team, x []T, vec bool) {
	if vec && unsafe.Sizeof(x[0]) == 8 && len(x) > sortNetMax {
		sortOf(teamOf(t), x, true)
		return
	}
	if len(x) < sortSerialBelow {
		smallSort(x)
		return
	}
	sortOf(teamOf(t), x, vec)
}

// sortOf is SortOn without the small-input cut-over; vec is whether the
// vector quicksort may run (this CPU has it) for 64-bit elements.
func sortOf[T Number](tm *workers.Team, x []T, vec bool) {
	if vec && unsafe.Sizeof(x[0]) == 8 {
		kind := sortUnsigned
		switch {
		case isFloatType[T]():
			kind = sortFloat
		case isSignedType[T]():
			kind = sortSigned
		}
		vecSort64(tm, unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(x))), len(x)), kind)
		return
	}
	radixSortOf(tm, x)
}

// smallSort is slices.Sort with Sort's order of NaNs and zeros.
func smallSort[T Number](x []T) {
	if !isFloatType[T]() {
		slices.Sort(x)
		return
	}
	nans := 0
	for _, v := range x {
		if v != v {
			nans++
		}
	}
	if nans > 0 {
		p := unsafe.Pointer(unsafe.SliceData(x))
		if unsafe.Sizeof(x[0]) == 4 {
			nanFront(unsafe.Slice((*uint32)(p), len(x)), 1<<31, math.Float32bits(float32(math.Inf(1))), nans)
		} else {
			nanFront(unsafe.Slice((*uint64)(p), len(x)), 1<<63, math.Float64bits(math.Inf(1)), nans)
		}
		x = x[nans:]
	}
	slices.Sort(x)
	// slices.Sort may mix -0 and +0, which compare equal; put the -0s
	// first as the radix order does.
	lo, _ := slices.BinarySearch(x, 0)
	negs, hi := 0, lo
	for ; hi < len(x) && x[hi] == 0; hi++ {
		if math.Signbit(float64(x[hi])) {
			negs++
		}
	}
	negZero := T(math.Copysign(0, -1))
	for i := lo; i < hi; i++ {
		if i < lo+negs {
			x[i] = negZero
		} else {
			x[i] = 0
		}
	}
}

// radixSortOf is SortOn without the small-input cut-over.
func radixSortOf[T Number](tm *workers.Team, x []T) {
	n := len(x)
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
	and, or K              // of the keys, to find the bits that vary
	nans    int
	_       [64]byte
}

// radixSort sorts the bit patterns a as values of kind. inf is the bit
// pattern of +Inf for floats: patterns above it (sign bit aside) are NaNs.
//
// It is a hybrid: one parallel, stable MSD pass distributes the keys by
// their top radixBits varying bits into buckets that mostly fit in a core's
// L2 cache, and the workers then take buckets one at a time and finish each
// with an LSD radix sort on its remaining bits, in cache. The data crosses
// main memory about three times instead of twice per digit.
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

	// The keys' AND and OR (bits in which they all agree need no pass),
	// and the NaNs.
	each(func(c int, part []K) {
		and, or := ^K(0), K(0)
		nans := 0
		for _, v := range part {
			k := v ^ (-(v>>(bits-1))&fm | xm)
			and &= k
			or |= k
			if v&^top > inf {
				nans++
			}
		}
		ch[c].and, ch[c].or, ch[c].nans = and, or, nans
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
	diff := and ^ or
	if diff == 0 {
		return // all bit patterns equal
	}
	ms := msdShift(diff, bits)

	buf := takeScratch[K](n)

	// MSD pass, a -> buf as keys: counts per chunk, then offsets bucket by
	// bucket and chunk by chunk, which keeps equal digits in their order.
	each(func(c int, part []K) {
		h := &ch[c].hist
		*h = [radixSize]int{}
		for _, v := range part {
			h[uint((v^(-(v>>(bits-1))&fm|xm))>>ms)&radixMask]++
		}
	})
	starts := msdOffsets(ch, n)
	out := unsafe.Pointer(unsafe.SliceData(buf))
	each(func(c int, part []K) {
		scatterRK(part, out, &ch[c].hist, ms, bits, fm, xm)
	})

	// The buckets, each on one worker: sort by the bits below ms, buf ->
	// a, back to bit patterns. A bucket larger than a worker's share
	// (skewed input: most keys agree on their top varying bits) would
	// leave the other workers idle, so the whole team splits it first.
	giant := max(n/(2*p), bucketMax)
	bucket := func(d int) {
		lo, hi := starts[d], starts[d+1]
		if lo < hi && (p == 1 || hi-lo <= giant) {
			sortBucket(buf[lo:hi], a[lo:hi], true, ms, bits, fm, xm)
		}
	}
	if p == 1 {
		for d := range radixSize {
			bucket(d)
		}
	} else {
		for d := range radixSize {
			if lo, hi := starts[d], starts[d+1]; hi-lo > giant {
				splitBucket(tm, p, buf[lo:hi], a[lo:hi], true, ms, bits, fm, xm)
			}
		}
		tm.For(radixSize, 1, func(lo, hi int) {
			for d := lo; d < hi; d++ {
				bucket(d)
			}
		})
	}
	giveScratch(buf)
}

// splitBucket is sortBucket for a bucket too large for one worker, on the
// team of p workers: one more parallel MSD pass, by the radixBits bits
// below the keys' highest varying one, src -> other, then the sub-buckets
// over the workers (and again splitBucket for one that is still too large).
func splitBucket[K sortWord](tm *workers.Team, p int, src, other []K, toOther bool, low, bits uint, fm, xm K) {
	n := len(src)
	size := (n + p - 1) / p
	ch := make([]sortChunk[K], (n+size-1)/size)
	each := func(f func(c int, part []K)) {
		tm.For(len(ch), 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				f(c, src[c*size:min((c+1)*size, n)])
			}
		})
	}
	each(func(c int, part []K) {
		and, or := ^K(0), K(0)
		for _, k := range part {
			and &= k
			or |= k
		}
		ch[c].and, ch[c].or = and, or
	})
	and, or := ^K(0), K(0)
	for c := range ch {
		and &= ch[c].and
		or |= ch[c].or
	}
	diff := (and ^ or) & (K(1)<<low - 1)
	if diff == 0 {
		// All keys equal: only the conversion back to bit patterns is left.
		dst := src
		if toOther {
			dst = other
		}
		tm.For(n, 1<<14, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				k := src[i]
				dst[i] = k ^ (-((^k)>>(bits-1))&fm | xm)
			}
		})
		return
	}
	ms := msdShift(diff, low)
	each(func(c int, part []K) {
		h := &ch[c].hist
		*h = [radixSize]int{}
		for _, k := range part {
			h[uint(k>>ms)&radixMask]++
		}
	})
	starts := msdOffsets(ch, n)
	out := unsafe.Pointer(unsafe.SliceData(other))
	each(func(c int, part []K) {
		scatterKK(part, out, &ch[c].hist, ms)
	})
	// The keys are in other now; the result goes where toOther says, so a
	// sub-bucket ends in its src (other) when toOther, else in src.
	giant := max(n/(2*p), bucketMax)
	for d := range radixSize {
		if lo, hi := starts[d], starts[d+1]; hi-lo > giant {
			splitBucket(tm, p, other[lo:hi], src[lo:hi], !toOther, ms, bits, fm, xm)
		}
	}
	tm.For(radixSize, 1, func(lo, hi int) {
		for d := lo; d < hi; d++ {
			if lo, hi := starts[d], starts[d+1]; lo < hi && hi-lo <= giant {
				sortBucket(other[lo:hi], src[lo:hi], !toOther, ms, bits, fm, xm)
			}
		}
	})
}

// msdShift is the shift of the MSD digit: the radixBits bits ending at the
// highest bit set in diff (not 0), which lies below bit below.
func msdShift[K sortWord](diff K, below uint) uint {
	hb := below - 1
	for diff>>hb == 0 {
		hb--
	}
	if hb+1 > radixBits {
		return hb + 1 - radixBits
	}
	return 0
}

// msdOffsets turns the chunks' digit counts into their scatter offsets,
// bucket by bucket and chunk by chunk, which keeps equal digits in their
// order, and returns where each bucket starts (and, last, n).
func msdOffsets[K sortWord](ch []sortChunk[K], n int) (starts [radixSize + 1]int) {
	run := 0
	for d := range radixSize {
		starts[d] = run
		for c := range ch {
			k := ch[c].hist[d]
			ch[c].hist[d] = run
			run += k
		}
	}
	starts[radixSize] = n
	return starts
}

// scatterKK moves each key of src to dst[off[digit]] and bumps the offset,
// as scatterRK does for bit patterns.
func scatterKK[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh uint) {
	for _, k := range src {
		d := uint(k>>sh) & radixMask
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
		off[d] = o + 1
	}
}

// bucketMax is the bucket length above which sortBucket splits a bucket by
// its next 8 bits before it sorts it: a bucket and its scratch then stay in
// a core's L2 cache. A variable so that tests can make splits happen on
// small inputs.
var bucketMax = 1 << 15
