// The in-cache selection behind Quantiles and Select, and the float
// neighbours its windows are bounded by.

package kernels

import (
	"math"
	"slices"
	"unsafe"
)

// pick returns the element of rank j among w.got, selecting in place.
// Ranks of one window are picked in any order; each call only reorders
// w.got, which the ranks do not depend on.
func pick[T Float](w *window[T], j int) T {
	selectK(w.got, j)
	return w.got[j]
}

// prevFloat and nextFloat return the neighbours of v in T, so that v < lo
// is v <= prevFloat(lo) (with -0 and +0 equal, as the comparisons treat
// them).
func prevFloat[T Float](v T) T {
	if v == 0 {
		v = 0
	}
	if unsafe.Sizeof(v) == 4 {
		return T(math.Nextafter32(float32(v), float32(math.Inf(-1))))
	}
	return T(math.Nextafter(float64(v), math.Inf(-1)))
}

func nextFloat[T Float](v T) T {
	if v == 0 {
		v = 0
	}
	if unsafe.Sizeof(v) == 4 {
		return T(math.Nextafter32(float32(v), float32(math.Inf(1))))
	}
	return T(math.Nextafter(float64(v), math.Inf(1)))
}

// selectK reorders a so that a[k] is the element a sorted a would hold
// there, the smaller ones before it and the larger ones after (a has no
// NaN). Hoare partitioning around the median of three, with a sort once
// the range is small or the partitions keep coming out lopsided.
func selectK[T Float](a []T, k int) {
	lo, hi := 0, len(a)
	for budget := 64; hi-lo > 32; budget-- {
		if budget == 0 {
			slices.Sort(a[lo:hi])
			return
		}
		mid := lo + (hi-lo)/2
		x, y, z := a[lo], a[mid], a[hi-1]
		if x > y {
			x, y = y, x
		}
		if y > z {
			y = z
			if x > y {
				y = x
			}
		}
		p := y
		i, j := lo, hi-1
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j + 1
		case k >= i:
			lo = i
		default:
			return // j < k < i: a[k] equals the pivot
		}
	}
	slices.Sort(a[lo:hi])
}

// b2i is 1 for true and 0 for false, without a branch (a Go bool is one
// byte holding 0 or 1).
func b2i(b bool) int { return int(*(*uint8)(unsafe.Pointer(&b))) }
