// Sorting one bucket of Sort's radix passes in cache: an MSD split for a
// large bucket, LSD passes for a small one, and the NaN placement at the end.

package kernels

import "unsafe"

// sortBucket sorts the keys src, which agree on every bit from low up, by
// their bits below low, and leaves them as bit patterns in other if toOther,
// else in src. The other buffer is scratch.
func sortBucket[K sortWord](src, other []K, toOther bool, low, bits uint, fm, xm K) {
	m := len(src)
	if m > bucketMax && low > 8 {
		// Split by the top 8 remaining bits (stable), src -> other, and
		// sort each part there with src as its scratch.
		sh := low - 8
		var off [257]int
		for _, k := range src {
			off[int(uint8(k>>sh))+1]++
		}
		for d := 1; d <= 256; d++ {
			off[d] += off[d-1]
		}
		var bounds [257]int
		copy(bounds[:], off[:])
		lsdKK(src, unsafe.Pointer(unsafe.SliceData(other)), (*[256]int)(off[:256]), sh)
		for d := range 256 {
			lo, hi := bounds[d], bounds[d+1]
			if lo < hi {
				sortBucket(other[lo:hi], src[lo:hi], !toOther, sh, bits, fm, xm)
			}
		}
		return
	}
	dst := src
	if toOther {
		dst = other
	}
	if m <= 32 {
		// Insertion sort is stable and fastest here.
		for i := 1; i < m; i++ {
			k := src[i]
			j := i
			for ; j > 0 && src[j-1] > k; j-- {
				src[j] = src[j-1]
			}
			src[j] = k
		}
		for i, k := range src {
			dst[i] = k ^ (-((^k)>>(bits-1))&fm | xm)
		}
		return
	}
	const maxDigits = 8
	var cnt [maxDigits][256]int
	nd := int((low + 7) / 8)
	// One read for every digit's counts.
	switch nd {
	case 0:
	case 1:
		for _, k := range src {
			cnt[0][uint8(k)]++
		}
	case 2:
		s1 := uint(8) // a variable: K may be 8 bits wide
		for _, k := range src {
			cnt[0][uint8(k)]++
			cnt[1][uint8(k>>s1)]++
		}
	case 3:
		s1, s2 := uint(8), uint(16)
		for _, k := range src {
			cnt[0][uint8(k)]++
			cnt[1][uint8(k>>s1)]++
			cnt[2][uint8(k>>s2)]++
		}
	default:
		// Every digit, unrolled; those at nd and above go unused.
		s := [8]uint{0, 8, 16, 24, 32, 40, 48, 56}
		for _, k := range src {
			cnt[0][uint8(k)]++
			cnt[1][uint8(k>>s[1])]++
			cnt[2][uint8(k>>s[2])]++
			cnt[3][uint8(k>>s[3])]++
			cnt[4][uint8(k>>s[4])]++
			cnt[5][uint8(k>>s[5])]++
			cnt[6][uint8(k>>s[6])]++
			cnt[7][uint8(k>>s[7])]++
		}
	}
	// Passes over digits in which the keys differ, alternating between src
	// and other; the last writes bit patterns if it lands in dst, else a
	// final sweep converts.
	var digits [maxDigits]uint
	np := 0
	for i := range nd {
		h := &cnt[i]
		// Bits at and above low are equal, so a digit that straddles low
		// still counts them equal.
		if h[uint8(src[0]>>(8*uint(i)))] == m {
			continue
		}
		run := 0
		for d := range 256 {
			k := h[d]
			h[d] = run
			run += k
		}
		digits[np] = uint(i)
		np++
	}
	from, to := src, other
	for j := range np {
		i := digits[j]
		off := &cnt[i]
		o := unsafe.Pointer(unsafe.SliceData(to))
		if j == np-1 && &to[0] == &dst[0] {
			lsdKR(from, o, off, 8*i, bits, fm, xm)
		} else {
			lsdKK(from, o, off, 8*i)
		}
		from, to = to, from
	}
	// from holds the sorted keys, as bit patterns already if the last pass
	// wrote into dst.
	if np == 0 || &from[0] != &dst[0] {
		for i, k := range from {
			dst[i] = k ^ (-((^k)>>(bits-1))&fm | xm)
		}
	}
}

func lsdKK[K sortWord](src []K, dst unsafe.Pointer, off *[256]int, sh uint) {
	for _, k := range src {
		d := uint8(k >> sh)
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
		off[d] = o + 1
	}
}

func lsdKR[K sortWord](src []K, dst unsafe.Pointer, off *[256]int, sh, bits uint, fm, xm K) {
	for _, k := range src {
		d := uint8(k >> sh)
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k ^ (-((^k)>>(bits-1))&fm | xm)
		off[d] = o + 1
	}
}

// scatterRK moves each bit pattern of src, as a key, to dst[off[digit]] and
// bumps the offset. dst is raw memory so that the store needs no bounds
// check: the offsets are exact prefix sums of the counts, so every store is
// in range.
func scatterRK[K sortWord](src []K, dst unsafe.Pointer, off *[radixSize]int, sh, bits uint, fm, xm K) {
	for _, v := range src {
		k := v ^ (-(v>>(bits-1))&fm | xm)
		d := uint(k>>sh) & radixMask
		o := off[d]
		*(*K)(unsafe.Add(dst, uintptr(o)*unsafe.Sizeof(k))) = k
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
