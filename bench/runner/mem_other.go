//go:build !unix

package main

// mapFloats allocates n float64s; the heap may hand the same memory to
// the next call.
func mapFloats(n int) ([]float64, func(), error) {
	return make([]float64, n), func() {}, nil
}
