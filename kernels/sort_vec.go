// Sort's vector quicksort for 64-bit elements: keys in int64 order,
// partitions with AVX-512 compress, a bitonic network for the last 128
// keys, the top partitions split over the team.

package kernels

import (
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
)

const (
	// sortNetMax is the length the sorting network takes whole; longer
	// ranges are partitioned first.
	sortNetMax = 128
	// sortVecTeamBelow is the length under which the vector quicksort runs
	// on the caller alone.
	sortVecTeamBelow = 1 << 16
	// sortSplitTeamAbove is the length of integer keys up to which the
	// first partition runs on the caller alone. Split over the workers, it
	// partitions blocks and then swaps the keys on the wrong side of the
	// split, about half as much again to read and write; up to a few MiB,
	// which the caches hold, one core's partition is done sooner. Floats
	// split over the workers at any length, because there a worker counts
	// a block's NaNs as it partitions it, where the caller alone would
	// read the whole input once more to count them first.
	sortSplitTeamAbove = 1 << 22
)

// keyMap64 returns xa, xb of the map of 64-bit bit patterns v of kind to
// keys in int64 order, k = v ^ (v>>63 (arithmetic) & xa) ^ xb, which is its
// own inverse: signed values are their keys; unsigned ones flip the sign
// bit; floats flip every bit but the sign of negative numbers, which orders
// -NaN < -Inf < ... < -0 < +0 < ... < +Inf < +NaN.
func keyMap64(kind sortKind) (xa, xb uint64) {
	switch kind {
	case sortFloat:
		return math.MaxInt64, 0
	case sortUnsigned:
		return 0, 1 << 63
	}
	return 0, 0
}

// unmap64 maps the keys of a back to bit patterns.
func unmap64(a []int64, xa, xb uint64) {
	if xa|xb == 0 {
		return
	}
	for i, k := range a {
		a[i] = k ^ int64(uint64(k>>63)&xa^xb)
	}
}

// vecSort64 sorts the 64-bit bit patterns a (len(a) > sortNetMax) as
// values of kind on tm with the vector quicksort. The first partition maps
// the bit patterns to keys, split over the team from sortVecTeamBelow keys
// of floats and above sortSplitTeamAbove keys of integers; the workers then
// share the ranges it leaves (sortRanges). The network (or
// unmap64, for ranges that need no network) maps the keys back.
func vecSort64(tm *workers.Team, a []int64, kind sortKind) {
	n := len(a)
	xa, xb := keyMap64(kind)
	p := tm.Workers()
	if n < sortVecTeamBelow {
		p = 1
	}
	// slices.Sort puts NaNs first; Sort keeps their order, which the
	// partitions would not. The caller alone counts them first; a team
	// counts them block by block in the first partition, which leaves the
	// blocks with any as they are.
	checkNaN := kind == sortFloat
	if checkNaN && p == 1 {
		u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), n)
		if nans := countNaNs(tm, p, u); nans > 0 {
			sortNaNs(tm, a, nans, kind)
			return
		}
		checkNaN = false
	}
	split := p
	if !checkNaN && n <= sortSplitTeamAbove {
		split = 1
	}
	pieces, mn, mx, nan := vecSplit(tm, split, a, xa, xb, checkNaN)
	if nan {
		u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), n)
		sortNaNs(tm, a, countNaNs(tm, p, u), kind)
		return
	}
	if mn == mx {
		parallelUnmap(tm, p, a, xa, xb)
		return
	}
	if len(pieces) == 1 || n < 2*sortTaskMin {
		// Too short for the workers to share: a fork-join would cost
		// more than it saves.
		for _, q := range pieces {
			quickSort64(q, xa, xb, sortDepth(len(q)))
		}
		return
	}
	sortRanges(tm, pieces, xa, xb)
}

// sortNaNs sorts the float64 bit patterns a, of which nans (> 0) are NaNs:
// it moves those to the front in their order and sorts the rest.
func sortNaNs(tm *workers.Team, a []int64, nans int, kind sortKind) {
	u := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
	nanFront(u, 1<<63, 0x7ff0000000000000, nans)
	if rest := a[nans:]; len(rest) > sortNetMax {
		vecSort64(tm, rest, kind)
	} else {
		xa, xb := keyMap64(kind)
		unmap64(rest, xa, xb) // to keys: the map is its own inverse
		sortNet64(rest, xa, xb)
	}
}

// countNaNs counts the NaN bit patterns in u on p workers of tm.
func countNaNs(tm *workers.Team, p int, u []uint64) int {
	count := countNaN64
	if p == 1 {
		return count(u)
	}
	var parts [64]struct {
		n int
		_ [56]byte
	}
	size := max((len(u)+len(parts)-1)/len(parts), 1<<14)
	chunks := (len(u) + size - 1) / size
	tm.For(chunks, 1, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			parts[c].n = count(u[c*size : min((c+1)*size, len(u))])
		}
	})
	nans := 0
	for c := range chunks {
		nans += parts[c].n
	}
	return nans
}

// countNaN64Go counts the float64 NaN bit patterns in u.
func countNaN64Go(u []uint64) int {
	nans := 0
	for _, v := range u {
		if v&^(1<<63) > 0x7ff0000000000000 {
			nans++
		}
	}
	return nans
}

// sortDepth is the partition depth after which quickSort64 gives a range
// to slices.Sort: twice the depth of even splits.
func sortDepth(n int) int { return 2 * bits.Len(uint(n)) }

// parallelUnmap is unmap64 over a on p workers of tm.
func parallelUnmap(tm *workers.Team, p int, a []int64, xa, xb uint64) {
	if p == 1 {
		unmap64(a, xa, xb)
		return
	}
	tm.For(len(a), 1<<16, func(lo, hi int) { unmap64(a[lo:hi], xa, xb) })
}

// quickSort64 sorts the keys a (len(a) > sortNetMax) and maps them back
// to bit patterns.
func quickSort64(a []int64, xa, xb uint64, depth int) {
	for len(a) > sortNetMax {
		if depth == 0 {
			slices.Sort(a)
			unmap64(a, xa, xb)
			return
		}
		depth--
		piv := pivot64(a)
		lt := partition64(a, piv)
		if lt == 0 {
			// The pivot is the smallest key: split off the keys equal to
			// it, which are all of them when it is MaxInt64.
			if piv == math.MaxInt64 {
				unmap64(a, xa, xb)
				return
			}
			lt = partition64(a, piv+1)
			unmap64(a[:lt], xa, xb)
			a = a[lt:]
			continue
		}
		// Recurse into the shorter side, loop on the longer.
		if lt < len(a)-lt {
			quickSort64(a[:lt], xa, xb, depth)
			a = a[lt:]
		} else {
			quickSort64(a[lt:], xa, xb, depth)
			a = a[:lt]
		}
	}
	sortNet64(a, xa, xb)
}

// pivot64 is the median of evenly spaced samples of a (len(a) >
// sortNetMax): of 9 for ranges the network is about to take (a ninther,
// with scalar min and max: sampling and sorting more keys would cost about
// as much as the partition), of 64 or 128 sorted by the network as a grows.
func pivot64(a []int64) int64 {
	n := len(a)
	if n < 1<<11 {
		s := n / 9
		m := s / 2
		return median3(
			median3(a[m], a[m+s], a[m+2*s]),
			median3(a[m+3*s], a[m+4*s], a[m+5*s]),
			median3(a[m+6*s], a[m+7*s], a[m+8*s]))
	}
	if n < 1<<16 {
		var s [64]int64
		pivotSamples(a, s[:])
		return s[len(s)/2]
	}
	var s [sortNetMax]int64
	pivotSamples(a, s[:])
	return s[len(s)/2]
}

// pivotSamples fills s (len(s) a power of two, up to sortNetMax) with
// evenly spaced keys of a and sorts them.
func pivotSamples(a, s []int64) {
	step := len(a) / len(s)
	for i := range s {
		s[i] = a[i*step+step/2]
	}
	sortNet64(s, 0, 0)
}

// median3 is the median of x, y and z, without branches.
func median3(x, y, z int64) int64 {
	return max(min(x, y), min(max(x, y), z))
}

// pivot64Map is pivot64 for the bit patterns a: the median of the keys
// of 128 samples.
func pivot64Map(a []int64, xa, xb uint64) int64 {
	var s [sortNetMax]int64
	step := len(a) / len(s)
	for i := range s {
		k := a[i*step+step/2]
		s[i] = k ^ int64(uint64(k>>63)&xa^xb)
	}
	sortNet64(s[:], 0, 0)
	return s[len(s)/2]
}

// vecSplit maps a's bit patterns (len(a) > sortNetMax) to keys and
// partitions them, on p workers of tm. It returns the ranges still to sort,
// as keys, and the smallest and largest key. With checkNaN (p > 1 only) it
// looks for NaN bit patterns as it goes; if it finds any, nan is true and a
// holds bit patterns, the NaNs in their order (parallelPartitionMap64).
func vecSplit(tm *workers.Team, p int, a []int64, xa, xb uint64, checkNaN bool) (pieces [][]int64, mn, mx int64, nan bool) {
	piv := pivot64Map(a, xa, xb)
	var lt int
	if p == 1 {
		lt, mn, mx = partitionAndMap64(a, piv, xa, xb)
	} else if lt, mn, mx, nan = parallelPartitionMap64(tm, p, a, piv, xa, xb, checkNaN); nan {
		return nil, 0, 0, true
	}
	if mn == mx || lt == 0 {
		// All keys equal, or the pivot is the smallest one: quickSort64
		// takes the whole range from here.
		return [][]int64{a}, mn, mx, false
	}
	return [][]int64{a[:lt], a[lt:]}, mn, mx, false
}

// splitKeys is one step of quickSort64 on the keys a: it returns the two
// ranges still to sort (either may be empty), having mapped back the keys
// it put in their places.
func splitKeys(a []int64, xa, xb uint64) (l, r []int64) {
	piv := pivot64(a)
	lt := partition64(a, piv)
	if lt == 0 {
		if piv == math.MaxInt64 {
			unmap64(a, xa, xb)
			return nil, nil
		}
		lt = partition64(a, piv+1)
		unmap64(a[:lt], xa, xb)
		return nil, a[lt:]
	}
	return a[:lt], a[lt:]
}

// partitionAndMap64 is partitionMap64; ranges shorter than the vector
// partitions take (a team's last chunk may be) go to partitionMapGo64.
func partitionAndMap64(a []int64, piv int64, xa, xb uint64) (int, int64, int64) {
	if len(a) < 128 {
		return partitionMapGo64(a, piv, xa, xb)
	}
	return partitionMap64(a, piv, xa, xb)
}

// partitionMapGo64 is partitionMap64 in Go, for a (len(a) > 0) of any length.
func partitionMapGo64(a []int64, piv int64, xa, xb uint64) (lt int, mn, mx int64) {
	unmap64(a, xa, xb) // to keys: the map is its own inverse
	mn, mx = a[0], a[0]
	for i, k := range a {
		mn, mx = min(mn, k), max(mx, k)
		if k < piv {
			a[lt], a[i] = k, a[lt]
			lt++
		}
	}
	return lt, mn, mx
}

// sortSplitBlock is the length of the blocks the first partition splits
// an input into (up to sortSplitBlocks of them): each fits a core's L2
// cache, so a block's NaN count brings it there for its partition.
const (
	sortSplitBlock  = 1 << 15
	sortSplitBlocks = 1 << 10
)

// parallelPartitionMap64 is partitionMap64 on p workers of tm: the workers
// partition the blocks of a, then the keys >= piv left of the split and
// the keys < piv right of it trade places, again split over the workers.
//
// With checkNaN a worker first counts the NaN bit patterns in its block,
// so that the input is read from memory once rather than once for the
// count and once for the partition. A block that holds any is left as it
// is; then nan is true, the other blocks are mapped back to bit patterns
// and a is a permutation of its bit patterns that keeps the NaNs in their
// order, for the caller to sort another way.
func parallelPartitionMap64(tm *workers.Team, p int, a []int64, piv int64, xa, xb uint64, checkNaN bool) (lt int, mn, mx int64, nan bool) {
	n := len(a)
	size := min((n+p-1)/p, max(sortSplitBlock, (n+sortSplitBlocks-1)/sortSplitBlocks))
	blocks := (n + size - 1) / size
	block := func(c int) []int64 { return a[c*size : min((c+1)*size, n)] }
	type result struct {
		lt     int
		mn, mx int64
		nan    bool
		_      [64]byte
	}
	rs := make([]result, blocks)
	tm.For(blocks, 1, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			r, b := &rs[c], block(c)
			if checkNaN && countNaN64(unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b))) > 0 {
				r.nan = true
				continue
			}
			r.lt, r.mn, r.mx = partitionAndMap64(b, piv, xa, xb)
		}
	})
	for c := range rs {
		nan = nan || rs[c].nan
	}
	if nan {
		tm.For(blocks, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				if !rs[c].nan {
					unmap64(block(c), xa, xb) // back to bit patterns: the map is its own inverse
				}
			}
		})
		return 0, 0, 0, true
	}
	mn, mx = rs[0].mn, rs[0].mx
	for c := range rs {
		lt += rs[c].lt
		mn, mx = min(mn, rs[c].mn), max(mx, rs[c].mx)
	}
	// The misplaced keys: >= piv in [0, lt) and < piv in [lt, n), as
	// ranges in order.
	var left, right []keySpan
	misplaced := 0
	for c := range rs {
		s, e := c*size, min((c+1)*size, n)
		m := s + rs[c].lt
		if lo, hi := m, min(e, lt); lo < hi {
			left = append(left, keySpan{lo, hi})
			misplaced += hi - lo
		}
		if lo, hi := max(s, lt), m; lo < hi {
			right = append(right, keySpan{lo, hi})
		}
	}
	if misplaced == 0 {
		return lt, mn, mx, false
	}
	per := (misplaced + p - 1) / p
	tm.For(misplaced, per, func(lo, hi int) { swapSpans(a, left, right, lo, hi) })
	return lt, mn, mx, false
}

// keySpan is the range [lo, hi) of a slice.
type keySpan struct{ lo, hi int }

// swapSpans swaps the misplaced keys m0 <= m < m1 of left with those of
// right, counted through the spans in order.
func swapSpans(a []int64, left, right []keySpan, m0, m1 int) {
	li, lo := seekSpan(left, m0)
	ri, ro := seekSpan(right, m0)
	for m := m0; m < m1; {
		l, r := left[li], right[ri]
		k := min(l.hi-l.lo-lo, r.hi-r.lo-ro, m1-m)
		swapKeys(a[l.lo+lo:l.lo+lo+k], a[r.lo+ro:r.lo+ro+k])
		m += k
		if lo += k; lo == l.hi-l.lo {
			li, lo = li+1, 0
		}
		if ro += k; ro == r.hi-r.lo {
			ri, ro = ri+1, 0
		}
	}
}

// swapKeys swaps x and y (of equal length, not overlapping) through a
// buffer on the stack: three copies, which memmove does with wide loads
// and stores, rather than a loop of scalar swaps.
func swapKeys(x, y []int64) {
	var buf [512]int64
	for len(x) > 0 {
		k := copy(buf[:], x)
		copy(x, y[:k])
		copy(y, buf[:k])
		x, y = x[k:], y[k:]
	}
}

// seekSpan returns the span of spans holding the m-th key and the offset
// in it.
func seekSpan(spans []keySpan, m int) (int, int) {
	for i, s := range spans {
		if m < s.hi-s.lo {
			return i, m
		}
		m -= s.hi - s.lo
	}
	return len(spans), 0
}
