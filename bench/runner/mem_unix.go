//go:build unix

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
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

// spreadPages maps and touches a random number of pages, from none to 2
// MiB, and returns the function that unmaps them; calling it before
// mapSlice and the release after the slice's own makes the slice's
// physical pages differ from one call to the next. Without it, pages
// unmapped at the end of one round are the first the kernel hands out at
// the start of the next, so small vectors get the same physical pages in
// every round: a kernel on 512 KiB or so on one core runs up to a third
// slower on some of them (their lines crowd a few sets of the L2), and
// that one draw would then decide every pair of a pass.
func spreadPages() (func(), error) {
	_, release, err := touchPages(rand.IntN(2<<20/os.Getpagesize() + 1))
	return release, err
}

// touchPages maps n pages with mapSlice and writes to each, so that each
// has a physical page behind it.
func touchPages(n int) ([]byte, func(), error) {
	page := os.Getpagesize()
	b, release, err := mapSlice[byte](n * page)
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i < len(b); i += page {
		b[i] = 1
	}
	return b, release, nil
}
