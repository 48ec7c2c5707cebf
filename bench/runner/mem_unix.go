//go:build unix

package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapSlice maps n elements of fresh anonymous memory, as malloc does for a
// large vector, and returns them with the function that unmaps them.
func mapSlice[T any](n int) ([]T, func(), error) {
	size := int(unsafe.Sizeof(*new(T)))
	b, err := unix.Mmap(-1, 0, max(n*size, 1), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, nil, fmt.Errorf("mapping %d elements of %d bytes: %w", n, size, err)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n), func() { _ = unix.Munmap(b) }, nil
}
