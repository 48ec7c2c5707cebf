package shm

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrDetached reports the use of a Buffer whose memory was transferred to
// another handle (or released).
var ErrDetached = errors.New("shm: buffer is detached")

// Buffer is an owned typed buffer whose ownership moves with Transfer, like a
// transferable ArrayBuffer in JavaScript. After Transfer the old handle is
// detached: Len reports 0, Detached reports true, and Data, Clone and
// Transfer panic with an error matching ErrDetached.
//
// Detaching protects the handle, not the memory: a slice obtained from Data
// before the transfer still points at the same elements, and Go cannot revoke
// it. Use NewGuardedBuffer while hunting such stale slices: it makes them
// fault on access.
//
// The methods of a Buffer are safe for concurrent use; the elements are not
// synchronized. Sending a *Buffer over a channel after Transfer is the
// idiomatic way to hand the memory to another goroutine:
//
//	ch <- buf.Transfer()
type Buffer[T Number] struct {
	mem atomic.Pointer[memory[T]]
}

// memory is what a Buffer owns. It moves, by pointer, from handle to handle,
// so Transfer never touches the elements.
type memory[T Number] struct {
	data []T
	// move, when set, is called by Transfer to hand the elements to the new
	// owner; guarded buffers use it to remap the pages and revoke the old
	// address. It returns the new owner's slice.
	move func(old []T) ([]T, error)
	// release, when set, frees the memory (munmap, region bookkeeping).
	release func()
}

// NewBuffer returns a buffer of n zeroed elements on the Go heap.
// It panics if n is negative.
func NewBuffer[T Number](n int) *Buffer[T] {
	if n < 0 {
		panic(fmt.Sprintf("shm: NewBuffer: negative length %d", n))
	}
	return wrap(&memory[T]{data: make([]T, n)})
}

func wrap[T Number](m *memory[T]) *Buffer[T] {
	b := new(Buffer[T])
	b.mem.Store(m)
	return b
}

// detached builds the panic value for method op on a detached buffer.
func detached(op string) error { return fmt.Errorf("shm: Buffer.%s: %w", op, ErrDetached) }

// Data returns the elements. It panics with an error matching ErrDetached if
// the buffer is detached.
func (b *Buffer[T]) Data() []T {
	m := b.mem.Load()
	if m == nil {
		panic(detached("Data"))
	}
	return m.data
}

// Len returns the number of elements, or 0 if the buffer is detached.
func (b *Buffer[T]) Len() int {
	if m := b.mem.Load(); m != nil {
		return len(m.data)
	}
	return 0
}

// Detached reports whether the buffer's memory was transferred away or
// released.
func (b *Buffer[T]) Detached() bool { return b.mem.Load() == nil }

// Transfer returns a new handle that owns the buffer's memory and detaches b.
// It moves no elements, so it costs the same whatever the size. If several
// goroutines transfer the same handle at once, exactly one succeeds and the
// others panic with an error matching ErrDetached; use Detach to get
// that error instead.
func (b *Buffer[T]) Transfer() *Buffer[T] {
	nb, err := b.Detach()
	if err != nil {
		panic(err)
	}
	return nb
}

// Detach is Transfer that returns an error matching ErrDetached, instead of
// panicking, when b is already detached (possibly by a concurrent Transfer):
// it detaches b and returns the new owner of its memory.
// For a guarded buffer it can also fail with the error of the remapping; b
// is then detached and its memory released.
func (b *Buffer[T]) Detach() (*Buffer[T], error) {
	m := b.mem.Swap(nil) // the single point of ownership: one winner
	if m == nil {
		return nil, detached("Transfer")
	}
	if m.move != nil {
		data, err := m.move(m.data)
		if err != nil {
			if m.release != nil {
				m.release()
			}
			return nil, fmt.Errorf("shm: Buffer.Transfer: %w", err)
		}
		m = &memory[T]{data: data, move: m.move, release: m.release}
	}
	return wrap(m), nil
}

// Clone returns a new heap buffer holding a copy of the elements: the
// copying baseline (structured clone, in JavaScript terms). It panics with an
// error matching ErrDetached if b is detached.
func (b *Buffer[T]) Clone() *Buffer[T] {
	m := b.mem.Load()
	if m == nil {
		panic(detached("Clone"))
	}
	// append to nil skips the zeroing that make+copy would pay for.
	c := append([]T(nil), m.data...)
	return wrap(&memory[T]{data: c[:len(c):len(c)]})
}

// Release detaches b and frees its memory now instead of leaving it to the
// garbage collector; it is required for guarded buffers, whose pages are not
// on the Go heap. Releasing a detached buffer returns an error matching
// ErrDetached.
func (b *Buffer[T]) Release() error {
	m := b.mem.Swap(nil)
	if m == nil {
		return detached("Release")
	}
	if m.release != nil {
		m.release()
	}
	return nil
}

// adopt returns a buffer owning data, with release (may be nil) run by
// Release. It is how other memory, such as a View of a Region, becomes a
// Buffer.
func adopt[T Number](data []T, release func()) *Buffer[T] {
	return wrap(&memory[T]{data: data, release: release})
}

// BufferOf returns a buffer that owns n elements of r from byte offset off,
// so the same handle type serves heap and shared memory. It fails as View
// does. The region must outlive the buffer; Release does not close it.
func BufferOf[T Number](r *Region, off, n int) (*Buffer[T], error) {
	data, err := View[T](r, off, n)
	if err != nil {
		return nil, err
	}
	return adopt(data, nil), nil
}
