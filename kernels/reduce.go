package kernels

import (
	"math"

	"github.com/sharc-go/sharc/workers"
)

// Sum returns the sum of the elements of x, computed on the default team.
//
// For floats the result is reproducible: x is cut into fixed blocks of 4096
// elements, each block is summed with a fixed pattern of partial sums (16
// interleaved ones for float64, 32 for float32, as the SIMD registers hold
// them, then a fixed combination), and the block sums are combined pairwise
// in a fixed tree, so the same input gives bit-for-bit the same result
// whatever the number of workers and whichever body (AVX-512, AVX2 or Go)
// runs. The rounding error is bounded by about
// (4096/16 + 4 + log2(len(x)/4096))·ε·Σ|x[i]| for float64 (4096/32 + 5 + …
// for float32), against (len(x)-1)·ε·Σ|x[i]| for a left-to-right loop.
// Integer sums wrap around like Go's +.
func Sum[T Number](x []T) T { return SumOn(nil, x) }

// SumOn is Sum on team t (nil: the default team).
func SumOn[T Number](t *workers.Team, x []T) T { return sumOn(cpuBodies, t, x) }

func sumOn[T Number](bt *bodies, t *workers.Team, x []T) T {
	if len(x) < bt.split.serialBelow {
		return serialBlocks(len(x), func(lo, hi int) T { return sumBody(bt, x[lo:hi]) })
	}
	return blocked(bt.split, t, len(x), func(lo, hi int) T { return sumBody(bt, x[lo:hi]) })
}

// Dot returns Σ x[i]·y[i], reproducible as Sum is. It panics if the lengths
// differ.
func Dot[T Number](x, y []T) T { return DotOn(nil, x, y) }

// DotOn is Dot on team t (nil: the default team).
func DotOn[T Number](t *workers.Team, x, y []T) T { return dotOn(cpuBodies, t, x, y) }

func dotOn[T Number](bt *bodies, t *workers.Team, x, y []T) T {
	checkLen("Dot", len(x), len(y))
	if sp := bt.split.streams(2); len(x) < sp.serialBelow {
		return serialBlocks(len(x), func(lo, hi int) T { return dotBody(bt, x[lo:hi], y[lo:hi]) })
	}
	return blocked(bt.split.streams(2), t, len(x), func(lo, hi int) T { return dotBody(bt, x[lo:hi], y[lo:hi]) })
}

// Norm2 returns the Euclidean norm sqrt(Σ x[i]²), reproducible as Sum is.
// It does not rescale: it overflows to +Inf when Σ x[i]² exceeds the range
// of T (|x[i]| around 1e154 for float64).
func Norm2[T Float](x []T) T { return Norm2On(nil, x) }

// Norm2On is Norm2 on team t (nil: the default team).
func Norm2On[T Float](t *workers.Team, x []T) T { return norm2On(cpuBodies, t, x) }

func norm2On[T Float](bt *bodies, t *workers.Team, x []T) T {
	return T(math.Sqrt(float64(dotOn(bt, t, x, x))))
}

// blocked reduces [0, n) block by block with f and adds the block results
// in a fixed pairwise tree; sp says which blocks run where.
func blocked[T Number](sp split, t *workers.Team, n int, f func(lo, hi int) T) T {
	if n <= block {
		return f(0, n)
	}
	nb := (n + block - 1) / block
	parts := make([]T, nb)
	body := func(blo, bhi int) {
		for b := blo; b < bhi; b++ {
			parts[b] = f(b*block, min((b+1)*block, n))
		}
	}
	forChunks(sp, t, n, nb, sp.grain/block, body)
	return pairwise(parts)
}

// serialBlocks is blocked on the caller alone, for the inputs that stay
// there (n < serialBelow): the same blocks and tree, so the same bits, but
// nothing allocated. blocked's block sums and its body (which reach the
// team's workers) live on the heap, and so does the closure of a kernel
// that hands f to it: three allocations, a tenth of Sum's time on 2^14
// float64. The callers pass serialBlocks a closure literal of its own,
// which stays on their stack.
func serialBlocks[T Number](n int, f func(lo, hi int) T) T {
	if n <= block {
		return f(0, n)
	}
	var buf [32]T // serialBelow/block: every default-split input here fits
	parts := buf[:0]
	if nb := (n + block - 1) / block; nb > len(buf) {
		parts = make([]T, 0, nb)
	}
	for lo := 0; lo < n; lo += block {
		parts = append(parts, f(lo, min(lo+block, n)))
	}
	return pairwise(parts)
}

// pairwise adds p in a balanced tree fixed by len(p) alone.
func pairwise[T Number](p []T) T {
	switch len(p) {
	case 0:
		return 0
	case 1:
		return p[0]
	}
	h := len(p) / 2
	return pairwise(p[:h]) + pairwise(p[h:])
}

// sumGeneric is the portable single-core Sum body: four interleaved partial
// sums s[i%4], combined as (s0+s1)+(s2+s3), then the tail left to right.
func sumGeneric[T Number](x []T) T {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i]
		s1 += x[i+1]
		s2 += x[i+2]
		s3 += x[i+3]
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(x); i++ {
		s += x[i]
	}
	return s
}

// dotGeneric is the portable single-core Dot body, with sumGeneric's order.
func dotGeneric[T Number](x, y []T) T {
	y = y[:len(x)]
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	s := (s0 + s1) + (s2 + s3)
	for ; i < len(x); i++ {
		s += x[i] * y[i]
	}
	return s
}

// Min returns the smallest element of x, as the builtin min orders them: a
// NaN anywhere gives NaN, and -0 is smaller than +0. It panics if x is empty.
func Min[T Number](x []T) T { return MinOn(nil, x) }

// MinOn is Min on team t (nil: the default team).
func MinOn[T Number](t *workers.Team, x []T) T { return minOn(cpuBodies, t, x) }

func minOn[T Number](bt *bodies, t *workers.Team, x []T) T { return extremeOn(bt, t, x, smallest) }

// Max returns the largest element of x, as the builtin max orders them: a
// NaN anywhere gives NaN, and +0 is larger than -0. It panics if x is empty.
func Max[T Number](x []T) T { return MaxOn(nil, x) }

// MaxOn is Max on team t (nil: the default team).
func MaxOn[T Number](t *workers.Team, x []T) T { return maxOn(cpuBodies, t, x) }

func maxOn[T Number](bt *bodies, t *workers.Team, x []T) T { return extremeOn(bt, t, x, largest) }

// An end says which end of the order Min and ArgMin (smallest) or Max and
// ArgMax (largest) look for; one code path serves both.
type end bool

const (
	smallest end = false
	largest  end = true
)

// kernel returns the public name of e's kernel, Min or Max, with prefix.
func (e end) kernel(prefix string) string {
	if e == largest {
		return "kernels." + prefix + "Max"
	}
	return "kernels." + prefix + "Min"
}

// nearest returns the builtin min or max of a and b, as e says.
func nearest[T Number](e end, a, b T) T {
	if e == largest {
		return max(a, b)
	}
	return min(a, b)
}

// beats reports whether a is strictly nearer e's end than b.
func beats[T Number](e end, a, b T) bool {
	if e == largest {
		return a > b
	}
	return a < b
}

func extremeOn[T Number](bt *bodies, t *workers.Team, x []T, e end) T {
	if len(x) == 0 {
		panic(e.kernel("") + ": empty slice")
	}
	return fold(bt.split, t, x, func(x []T) T { return extremeBody(bt, x, e) }, func(a, b T) T { return nearest(e, a, b) })
}

// fold reduces each chunk of x with body and combines the chunk results
// with f (associative and commutative).
func fold[T Number](sp split, t *workers.Team, x []T, body func([]T) T, f func(a, b T) T) T {
	n, g := len(x), sp.grain
	nc := (n + g - 1) / g
	parts := make([]T, nc)
	stream(sp, t, n, func(lo, hi int) {
		for c := lo / g; c*g < hi; c++ {
			parts[c] = body(x[c*g : min((c+1)*g, n)])
		}
	})
	s := parts[0]
	for _, v := range parts[1:] {
		s = f(s, v)
	}
	return s
}

// extremeBody is the single-core Min or Max body (len(x) > 0): the AVX2
// body for float32 and float64 where the CPU has it, else minGeneric or
// maxGeneric.
func extremeBody[T Number](bt *bodies, x []T, e end) T {
	raceRead(x)
	if v, ok := asF64(x); ok {
		f := bt.minF64
		if e == largest {
			f = bt.maxF64
		}
		return T(f(v))
	}
	if v, ok := asF32(x); ok {
		f := bt.minF32
		if e == largest {
			f = bt.maxF32
		}
		return T(f(v))
	}
	if e == largest {
		return maxGeneric(x)
	}
	return minGeneric(x)
}

func minBody[T Number](bt *bodies, x []T) T { return extremeBody(bt, x, smallest) }
func maxBody[T Number](bt *bodies, x []T) T { return extremeBody(bt, x, largest) }

// minGeneric is the portable Min body: eight independent running minima,
// so that the builtin's compare-and-fix-up sequence of one element overlaps
// with the next seven (about 4× a single running minimum). The builtin min
// is associative and commutative, NaN and ±0 included, so the result is the
// left-to-right loop's.
func minGeneric[T Number](x []T) T {
	if len(x) < 8 {
		m := x[0]
		for _, v := range x[1:] {
			m = min(m, v)
		}
		return m
	}
	m0, m1, m2, m3, m4, m5, m6, m7 := x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
	i := 8
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		m0, m1, m2, m3 = min(m0, v[0]), min(m1, v[1]), min(m2, v[2]), min(m3, v[3])
		m4, m5, m6, m7 = min(m4, v[4]), min(m5, v[5]), min(m6, v[6]), min(m7, v[7])
	}
	m := min(min(min(m0, m1), min(m2, m3)), min(min(m4, m5), min(m6, m7)))
	for ; i < len(x); i++ {
		m = min(m, x[i])
	}
	return m
}

// maxGeneric is minGeneric for max. The loop is written out again because
// the builtin must appear literally for the compiler to make it branch-free:
// passed in as a type parameter (a method of an empty struct type) or a
// func value, it cost 1.7–2.7× the time of this loop.
func maxGeneric[T Number](x []T) T {
	if len(x) < 8 {
		m := x[0]
		for _, v := range x[1:] {
			m = max(m, v)
		}
		return m
	}
	m0, m1, m2, m3, m4, m5, m6, m7 := x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
	i := 8
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		m0, m1, m2, m3 = max(m0, v[0]), max(m1, v[1]), max(m2, v[2]), max(m3, v[3])
		m4, m5, m6, m7 = max(m4, v[4]), max(m5, v[5]), max(m6, v[6]), max(m7, v[7])
	}
	m := max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
	for ; i < len(x); i++ {
		m = max(m, x[i])
	}
	return m
}

// ArgMin returns the index of the first smallest element of x, or of the
// first NaN if x holds one; -0 and +0 count as equal. It panics if x is
// empty.
func ArgMin[T Number](x []T) int { return ArgMinOn(nil, x) }

// ArgMinOn is ArgMin on team t (nil: the default team).
func ArgMinOn[T Number](t *workers.Team, x []T) int { return argMinOn(cpuBodies, t, x) }

func argMinOn[T Number](bt *bodies, t *workers.Team, x []T) int { return argBest(bt, t, x, smallest) }

// ArgMax returns the index of the first largest element of x, or of the
// first NaN if x holds one; -0 and +0 count as equal. It panics if x is
// empty.
func ArgMax[T Number](x []T) int { return ArgMaxOn(nil, x) }

// ArgMaxOn is ArgMax on team t (nil: the default team).
func ArgMaxOn[T Number](t *workers.Team, x []T) int { return argMaxOn(cpuBodies, t, x) }

func argMaxOn[T Number](bt *bodies, t *workers.Team, x []T) int { return argBest(bt, t, x, largest) }

// argBest finds, chunk by chunk, the value nearest e's end with the fast
// body and then the first index holding it (the chunk is still in cache),
// and combines the chunks left to right.
func argBest[T Number](bt *bodies, t *workers.Team, x []T, e end) int {
	sp := bt.split
	n, g := len(x), sp.grain
	if n == 0 {
		panic(e.kernel("Arg") + ": empty slice")
	}
	body := func(x []T) T { return extremeBody(bt, x, e) }
	nc := (n + g - 1) / g
	parts := make([]int, nc)
	stream(sp, t, n, func(lo, hi int) {
		for c := lo / g; c*g < hi; c++ {
			lo := c * g
			parts[c] = lo + argScan(x[lo:min(lo+g, n)], body)
		}
	})
	best := parts[0]
	for _, i := range parts[1:] {
		if isNaN(x[best]) {
			break
		}
		if isNaN(x[i]) || beats(e, x[i], x[best]) {
			best = i
		}
	}
	return best
}

// argScan returns the index of the first element of x equal to body(x), or
// of the first NaN if body(x) is NaN (-0 == +0, so a zero best finds the
// first zero of either sign, as "first smallest" with ±0 equal wants).
func argScan[T Number](x []T, body func([]T) T) int {
	m := body(x)
	if m != m {
		for i, v := range x {
			if v != v {
				return i
			}
		}
	}
	for i, v := range x {
		if v == m {
			return i
		}
	}
	panic("kernels: argScan: best value not found") // unreachable
}

func isNaN[T Number](v T) bool { return v != v }
