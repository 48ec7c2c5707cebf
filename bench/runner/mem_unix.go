//go:build unix

package main

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapFloats maps n float64s of fresh anonymous memory, as malloc does for
// a large vector, and returns them with the function that unmaps them.
func mapFloats(n int) ([]float64, func(), error) {
	b, err := unix.Mmap(-1, 0, n*8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, nil, fmt.Errorf("mapping %d float64s: %w", n, err)
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), n), func() { _ = unix.Munmap(b) }, nil
}
