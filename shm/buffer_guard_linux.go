package shm

import (
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// NewGuardedBuffer returns a debugging buffer of n zeroed elements, mapped
// outside the Go heap, that makes stale access fault loudly: each Transfer
// maps the same pages at a new address for the new owner and turns the old
// address to PROT_NONE, so a slice kept from before the transfer crashes the
// program with a segmentation fault at its first use instead of silently
// racing with the new owner. Transfer then costs two system calls (still
// independent of the size) and each transfer keeps an inaccessible address
// range reserved until Release, so use it while hunting bugs, not in
// production. Release the buffer when done.
func NewGuardedBuffer[T Number](n int) (*Buffer[T], error) {
	if n < 0 {
		panic(fmt.Sprintf("shm: NewGuardedBuffer: negative length %d", n))
	}
	var zero T
	size := n * int(unsafe.Sizeof(zero))
	if size == 0 {
		// Nothing to revoke: a zero-length slice cannot reach memory.
		return NewBuffer[T](0), nil
	}
	fd, err := unix.MemfdCreate("sharc-guarded-buffer", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("shm: NewGuardedBuffer: memfd_create: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("shm: NewGuardedBuffer: ftruncate: %w", err)
	}
	b, err := guardedOf[T](fd, 0, n, true)
	if err != nil {
		return nil, fmt.Errorf("shm: NewGuardedBuffer: %w", err)
	}
	return b, nil
}

// guardedOf returns a guarded buffer of n elements over the file fd from
// byte offset off (any offset aligned for T): the pages are mapped afresh
// for each owner, and each former owner's address is revoked. A Region
// backed by a memfd can hand out guarded buffers this way. If closeFD is
// set, Release closes fd.
func guardedOf[T Number](fd int, off int64, n int, closeFD bool) (*Buffer[T], error) {
	var zero T
	page := int64(unix.Getpagesize())
	start := off &^ (page - 1) // mmap offsets must be page-aligned
	g := &guard{fd: fd, off: start, skip: int(off - start), size: int(off-start) + n*int(unsafe.Sizeof(zero)), closeFD: closeFD}
	first, err := g.mapNew()
	if err != nil {
		g.release()
		return nil, err
	}
	view := func(b []byte) []T { return unsafe.Slice((*T)(unsafe.Pointer(&b[g.skip])), n) }
	return wrap(&memory[T]{
		data: view(first),
		move: func([]T) ([]T, error) {
			b, err := g.move()
			if err != nil {
				return nil, err
			}
			return view(b), nil
		},
		release: g.release,
	}), nil
}

// guard holds the mappings of one guarded buffer: the live one (last) and
// the revoked ones, kept PROT_NONE so their addresses are never reused while
// a stale slice may still point at them.
type guard struct {
	mu       sync.Mutex
	fd       int
	off      int64 // page-aligned file offset of the mapping
	skip     int   // bytes from the mapping's start to element 0
	size     int   // bytes mapped
	closeFD  bool
	mappings [][]byte
}

func (g *guard) mapNew() ([]byte, error) {
	b, err := unix.Mmap(g.fd, g.off, g.size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap: %w", err)
	}
	g.mu.Lock()
	g.mappings = append(g.mappings, b)
	g.mu.Unlock()
	return b, nil
}

func (g *guard) move() ([]byte, error) {
	g.mu.Lock()
	old := g.mappings[len(g.mappings)-1]
	g.mu.Unlock()
	b, err := g.mapNew()
	if err != nil {
		return nil, err
	}
	if err := unix.Mprotect(old, unix.PROT_NONE); err != nil {
		return nil, fmt.Errorf("mprotect: %w", err)
	}
	return b, nil
}

func (g *guard) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, b := range g.mappings {
		_ = unix.Munmap(b)
	}
	g.mappings = nil
	if g.closeFD && g.fd >= 0 {
		_ = unix.Close(g.fd)
		g.fd = -1
	}
}
