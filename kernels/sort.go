package kernels

import (
	"math"
	"slices"
	"unsafe"

	"github.com/sharc-go/sharc/workers"
)

// sortSerialBelow is the length under which Sort hands x to slices.Sort.
const sortSerialBelow = 1 << 12

// Sort sorts x in ascending order with a parallel LSD radix sort. The result
// equals slices.Sort's element for element: NaNs first (in their original
// order), then the numbers ascending; -0 and +0 compare equal and come out
// with every -0 before every +0. Sort allocates two uint64 buffers of len(x).
func Sort[T Number](x []T) { SortOn(nil, x) }

// SortOn is Sort on team t (nil: the default team).
func SortOn[T Number](t *workers.Team, x []T) {
	if len(x) < sortSerialBelow {
		slices.Sort(x)
		return
	}
	tm := teamOf(t)
	if isFloatType[T]() {
		// Radix order puts NaNs at both ends by sign; slices.Sort puts
		// them first. Move them to the front, keeping their order.
		var nans []T
		j := len(x)
		for i := len(x) - 1; i >= 0; i-- {
			if v := x[i]; v != v {
				nans = append(nans, v)
			} else {
				j--
				x[j] = v
			}
		}
		for i := range nans {
			x[i] = nans[len(nans)-1-i]
		}
		x = x[len(nans):]
		if len(x) < sortSerialBelow {
			slices.Sort(x)
			return
		}
	}
	n := len(x)
	keys := make([]uint64, n)
	tmp := make([]uint64, n)
	stream(tm, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			keys[i] = toKey(x[i])
		}
	})
	p := tm.Workers()
	chunk := (n + p - 1) / p
	hist := make([][256]int, p)
	src, dst := keys, tmp
	for shift := uint(0); shift < 8*uint(unsafe.Sizeof(x[0])); shift += 8 {
		tm.For(p, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				h := &hist[c]
				*h = [256]int{}
				for _, k := range src[c*chunk : min((c+1)*chunk, n)] {
					h[k>>shift&0xff]++
				}
			}
		})
		// Skip a pass in which every key has the same digit.
		skip := false
		for d := range 256 {
			total := 0
			for c := range p {
				total += hist[c][d]
			}
			if total == n {
				skip = true
				break
			}
			if total != 0 {
				break
			}
		}
		if skip {
			continue
		}
		run := 0
		for d := range 256 {
			for c := range p {
				k := hist[c][d]
				hist[c][d] = run
				run += k
			}
		}
		tm.For(p, 1, func(lo, hi int) {
			for c := lo; c < hi; c++ {
				h := &hist[c]
				for _, k := range src[c*chunk : min((c+1)*chunk, n)] {
					d := k >> shift & 0xff
					dst[h[d]] = k
					h[d]++
				}
			}
		})
		src, dst = dst, src
	}
	stream(tm, n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] = fromKey[T](src[i])
		}
	})
}

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

// toKey maps v to an unsigned key whose order is v's order (NaN excluded).
func toKey[T Number](v T) uint64 {
	bits := 8 * uint(unsafe.Sizeof(v))
	switch {
	case isFloatType[T]():
		if bits == 32 {
			b := math.Float32bits(float32(v))
			if b>>31 != 0 {
				return uint64(^b)
			}
			return uint64(b | 1<<31)
		}
		b := math.Float64bits(float64(v))
		if b>>63 != 0 {
			return ^b
		}
		return b | 1<<63
	case isSignedType[T]():
		u := uint64(int64(v)) + 1<<(bits-1)
		if bits < 64 {
			u &= 1<<bits - 1
		}
		return u
	default:
		return uint64(v)
	}
}

// fromKey inverts toKey.
func fromKey[T Number](k uint64) T {
	var v T
	bits := 8 * uint(unsafe.Sizeof(v))
	switch {
	case isFloatType[T]():
		if bits == 32 {
			b := uint32(k)
			if b>>31 != 0 {
				b &^= 1 << 31
			} else {
				b = ^b
			}
			return T(math.Float32frombits(b))
		}
		if k>>63 != 0 {
			k &^= 1 << 63
		} else {
			k = ^k
		}
		return T(math.Float64frombits(k))
	case isSignedType[T]():
		u := k - 1<<(bits-1)
		return T(int64(u<<(64-bits)) >> (64 - bits))
	default:
		return T(k)
	}
}
