package shm

import "unsafe"

// Number is the set of fixed-size numeric types a view can hold.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 |
		~uint8 | ~uint16 | ~uint32 | ~uint64 |
		~float32 | ~float64
}

// View returns n elements of type T that start offset bytes into r, as a
// slice over the region's memory: nothing is copied, and writes through the
// slice are seen by every goroutine and process that maps the region.
//
// It returns an error matching ErrNegative for a negative offset or n,
// ErrAlignment if offset is not a multiple of T's size, ErrRange if the span
// does not fit in the region, and ErrClosed if r is closed. The slice must
// not be used after r is closed.
func View[T Number](r *Region, offset, n int) ([]T, error) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if _, err := r.span(zero, offset, n, size, size); err != nil {
		return nil, err
	}
	if n == 0 {
		return []T{}, nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&r.data[offset])), n), nil
}
