package kernels

import "github.com/sharc-go/sharc/workers"

// Map sets dst[i] = f(x[i]) in parallel on the default team. It panics if
// the lengths differ.
func Map[T, U any](dst []U, x []T, f func(T) U) { MapOn(nil, dst, x, f) }

// MapOn is Map on team t (nil: the default team).
func MapOn[T, U any](t *workers.Team, dst []U, x []T, f func(T) U) {
	checkLen("Map", len(dst), len(x))
	teamOf(t).For(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = f(x[i])
		}
	})
}

// Reduce folds x with the associative f, starting each chunk from identity,
// and combines the chunk results left to right. The chunking is fixed by
// len(x) alone, so the result does not depend on the number of workers.
func Reduce[T any](x []T, identity T, f func(a, b T) T) T { return ReduceOn(nil, x, identity, f) }

// ReduceOn is Reduce on team t (nil: the default team).
func ReduceOn[T any](t *workers.Team, x []T, identity T, f func(a, b T) T) T {
	const chunk = 4096
	nc := (len(x) + chunk - 1) / chunk
	parts := make([]T, nc)
	teamOf(t).For(nc, 1, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			s := identity
			for _, v := range x[c*chunk : min((c+1)*chunk, len(x))] {
				s = f(s, v)
			}
			parts[c] = s
		}
	})
	s := identity
	for _, p := range parts {
		s = f(s, p)
	}
	return s
}
