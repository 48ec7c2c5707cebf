package shm

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/sharc-go/sharc/internal/atomics"
)

// WordSize is the number of bytes a waitable 32-bit word (Int32, Uint32)
// occupies in a region: the value itself at the word's offset, then the
// bookkeeping that lets Notify skip the system call when nobody waits and
// keeps each waiting process's registrations apart, so that a process that
// dies while waiting cannot upset the counts. Word offsets must be
// multiples of 8; lay words out WordSize bytes apart.
const WordSize = atomics.WordSize

// WaitResult says why a Wait returned, like the strings Atomics.wait returns.
type WaitResult int

// The three outcomes of Wait.
const (
	Woken    WaitResult = iota // a Notify woke the waiter ("ok")
	NotEqual                   // the word did not hold the expected value ("not-equal")
	TimedOut                   // the timeout passed or the context ended ("timed-out")
)

// The outcomes are converted from the wait table's: they must agree (a
// difference makes one of these constants negative, which does not compile).
const (
	_ = uint(Woken-WaitResult(atomics.Woken)) + uint(WaitResult(atomics.Woken)-Woken)
	_ = uint(NotEqual-WaitResult(atomics.NotEqual)) + uint(WaitResult(atomics.NotEqual)-NotEqual)
	_ = uint(TimedOut-WaitResult(atomics.TimedOut)) + uint(WaitResult(atomics.TimedOut)-TimedOut)
)

// String returns the name JavaScript's Atomics.wait gives the outcome:
// "ok", "not-equal" or "timed-out".
func (r WaitResult) String() string { return atomics.Result(r).String() }

// ErrTooManyWaiters is returned by Wait when the word already holds as many
// waiters as it can: 14 processes at once, 2047 waiters in each.
var ErrTooManyWaiters = fmt.Errorf("shm: too many waiters on one word (at most %d processes, %d waiters each)",
	atomics.MaxWordProcesses, atomics.MaxWordWaiters)

// word32 is the shared body of Int32 and Uint32.
type word32 struct {
	r *Region
	c *atomics.Word
	p *uint32
}

func (r *Region) word32(kind string, off int) (word32, error) {
	if _, err := r.span(kind+" word", off, 1, WordSize, 8); err != nil {
		return word32{}, fmt.Errorf("shm: %s at offset %d: %w", kind, off, err)
	}
	if r.readOnly {
		return word32{}, fmt.Errorf("shm: %s at offset %d: %w", kind, off, ErrReadOnly)
	}
	r.pin(off, WordSize)
	c := atomics.WordAt(unsafe.Pointer(&r.data[off]))
	return word32{r: r, c: c, p: c.Value()}, nil
}

// ptr returns the word's address, panicking if the region is closed: the
// memory behind it is gone.
func (w word32) ptr() *uint32 {
	if w.r.closed.Load() {
		panic(fmt.Errorf("shm: word used after Close: %w", ErrClosed))
	}
	return w.p
}

func (w word32) wait(ctx context.Context, expected uint32, timeout time.Duration) (WaitResult, error) {
	if w.r.closed.Load() {
		return TimedOut, ErrClosed
	}
	res, err := w.r.table.WaitWord(ctx, w.c, expected, timeout)
	switch err {
	case atomics.ErrClosed:
		err = ErrClosed
	case atomics.ErrTooManyWaiters:
		err = ErrTooManyWaiters
	}
	return WaitResult(res), err
}

func (w word32) notify(n int) int {
	w.ptr()
	k := w.r.table.NotifyWord(w.c, n)
	runtime.KeepAlive(w.r)
	return k
}

// Int32 is a signed 32-bit word inside a region that goroutines and
// processes can update atomically and wait on: Atomics.* on an Int32Array.
// Operations panic with an error matching ErrClosed once the region is closed.
type Int32 struct{ w word32 }

// Int32 returns the waitable word at offset off, which must be a multiple of
// 8 with WordSize bytes behind it.
func (r *Region) Int32(off int) (*Int32, error) {
	w, err := r.word32("Int32", off)
	if err != nil {
		return nil, err
	}
	return &Int32{w}, nil
}

// Load atomically loads the word.
func (x *Int32) Load() int32 {
	v := int32(atomic.LoadUint32(x.w.ptr()))
	runtime.KeepAlive(x)
	return v
}

// Store atomically stores v in the word.
func (x *Int32) Store(v int32) {
	atomic.StoreUint32(x.w.ptr(), uint32(v))
	runtime.KeepAlive(x)
}

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Int32) Add(delta int32) int32 {
	v := int32(atomic.AddUint32(x.w.ptr(), uint32(delta)))
	runtime.KeepAlive(x)
	return v
}

// Sub atomically subtracts delta and returns the new value.
func (x *Int32) Sub(delta int32) int32 { return x.Add(-delta) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Int32) And(mask int32) (old int32) {
	v := int32(atomic.AndUint32(x.w.ptr(), uint32(mask)))
	runtime.KeepAlive(x)
	return v
}

// Or atomically ORs mask into the word and returns the old value.
func (x *Int32) Or(mask int32) (old int32) {
	v := int32(atomic.OrUint32(x.w.ptr(), uint32(mask)))
	runtime.KeepAlive(x)
	return v
}

// Xor atomically XORs mask into the word and returns the old value.
func (x *Int32) Xor(mask int32) (old int32) {
	p := x.w.ptr()
	for {
		o := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, o, o^uint32(mask)) {
			runtime.KeepAlive(x)
			return int32(o)
		}
	}
}

// Swap atomically stores v and returns the old value.
func (x *Int32) Swap(v int32) (old int32) {
	old = int32(atomic.SwapUint32(x.w.ptr(), uint32(v)))
	runtime.KeepAlive(x)
	return old
}

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Int32) CompareAndSwap(old, new int32) bool {
	ok := atomic.CompareAndSwapUint32(x.w.ptr(), uint32(old), uint32(new))
	runtime.KeepAlive(x)
	return ok
}

// Wait blocks while the word holds expected, until a Notify wakes it
// (Woken) or timeout passes (TimedOut; timeout < 0 means no limit). It
// returns NotEqual at once if the word holds another value, and ErrClosed if
// the region is closed meanwhile. Goroutines of one process park in the Go
// scheduler; one thread per word sleeps in the kernel for all of them. Up to
// 14 processes can wait on one word at once (2047 waiters each); beyond
// that Wait fails with an error matching ErrTooManyWaiters.
func (x *Int32) Wait(expected int32, timeout time.Duration) (WaitResult, error) {
	return x.w.wait(nil, uint32(expected), timeout)
}

// WaitContext is Wait bounded by ctx instead of a timeout; when ctx ends it
// returns TimedOut and ctx's error.
func (x *Int32) WaitContext(ctx context.Context, expected int32) (WaitResult, error) {
	return x.w.wait(ctx, uint32(expected), -1)
}

// Notify wakes up to n waiters, in this or any other process, and returns
// how many it woke: exactly that many live waiters wake. A waiter whose
// process has died is not counted: before handing a wake-up to another
// process, Notify checks that it is alive (on Linux one poll(2) on a pidfd)
// and otherwise frees its registrations. With nobody waiting Notify costs
// one atomic load; it makes a futex system call only if a process it wakes
// has a thread asleep on the word.
func (x *Int32) Notify(n int) int { return x.w.notify(n) }

// NotifyAll wakes every waiter and returns how many it woke.
func (x *Int32) NotifyAll() int { return x.w.notify(atomics.MaxWaiters) }

// Uint32 is an unsigned 32-bit word inside a region; see Int32.
type Uint32 struct{ w word32 }

// Uint32 returns the waitable word at offset off, which must be a multiple
// of 8 with WordSize bytes behind it.
func (r *Region) Uint32(off int) (*Uint32, error) {
	w, err := r.word32("Uint32", off)
	if err != nil {
		return nil, err
	}
	return &Uint32{w}, nil
}

// Load atomically loads the word.
func (x *Uint32) Load() uint32 {
	v := atomic.LoadUint32(x.w.ptr())
	runtime.KeepAlive(x)
	return v
}

// Store atomically stores v in the word.
func (x *Uint32) Store(v uint32) {
	atomic.StoreUint32(x.w.ptr(), v)
	runtime.KeepAlive(x)
}

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Uint32) Add(delta uint32) uint32 {
	v := atomic.AddUint32(x.w.ptr(), delta)
	runtime.KeepAlive(x)
	return v
}

// Sub atomically subtracts delta and returns the new value.
func (x *Uint32) Sub(delta uint32) uint32 {
	v := atomic.AddUint32(x.w.ptr(), -delta)
	runtime.KeepAlive(x)
	return v
}

// And atomically ANDs mask into the word and returns the old value.
func (x *Uint32) And(mask uint32) (old uint32) {
	v := atomic.AndUint32(x.w.ptr(), mask)
	runtime.KeepAlive(x)
	return v
}

// Or atomically ORs mask into the word and returns the old value.
func (x *Uint32) Or(mask uint32) (old uint32) {
	v := atomic.OrUint32(x.w.ptr(), mask)
	runtime.KeepAlive(x)
	return v
}

// Xor atomically XORs mask into the word and returns the old value.
func (x *Uint32) Xor(mask uint32) (old uint32) {
	p := x.w.ptr()
	for {
		o := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, o, o^mask) {
			runtime.KeepAlive(x)
			return o
		}
	}
}

// Swap atomically stores v and returns the old value.
func (x *Uint32) Swap(v uint32) (old uint32) {
	old = atomic.SwapUint32(x.w.ptr(), v)
	runtime.KeepAlive(x)
	return old
}

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Uint32) CompareAndSwap(old, new uint32) bool {
	ok := atomic.CompareAndSwapUint32(x.w.ptr(), old, new)
	runtime.KeepAlive(x)
	return ok
}

// Wait is Int32.Wait for an unsigned word.
func (x *Uint32) Wait(expected uint32, timeout time.Duration) (WaitResult, error) {
	return x.w.wait(nil, expected, timeout)
}

// WaitContext is Int32.WaitContext for an unsigned word.
func (x *Uint32) WaitContext(ctx context.Context, expected uint32) (WaitResult, error) {
	return x.w.wait(ctx, expected, -1)
}

// Notify wakes up to n waiters and returns how many it woke.
func (x *Uint32) Notify(n int) int { return x.w.notify(n) }

// NotifyAll wakes every waiter and returns how many it woke.
func (x *Uint32) NotifyAll() int { return x.w.notify(atomics.MaxWaiters) }

// word64 is the shared body of Int64 and Uint64: plain 8-byte words with no
// waiting, because the futex word is 32 bits and emulating a 64-bit wait on
// it loses wake-ups.
type word64 struct {
	r *Region
	p *uint64
}

func (r *Region) word64(kind string, off int) (word64, error) {
	if _, err := r.span(kind+" word", off, 1, 8, 8); err != nil {
		return word64{}, fmt.Errorf("shm: %s at offset %d: %w", kind, off, err)
	}
	if r.readOnly {
		return word64{}, fmt.Errorf("shm: %s at offset %d: %w", kind, off, ErrReadOnly)
	}
	r.pin(off, 8)
	return word64{r: r, p: (*uint64)(unsafe.Pointer(&r.data[off]))}, nil
}

func (w word64) ptr() *uint64 {
	if w.r.closed.Load() {
		panic(fmt.Errorf("shm: word used after Close: %w", ErrClosed))
	}
	return w.p
}

// Int64 is a signed 64-bit word inside a region, updated atomically. It
// occupies 8 bytes at an offset that is a multiple of 8. It cannot be waited
// on; wait on an Int32 that the writer bumps after the Int64.
type Int64 struct{ w word64 }

// Int64 returns the 64-bit word at offset off, a multiple of 8.
func (r *Region) Int64(off int) (*Int64, error) {
	w, err := r.word64("Int64", off)
	if err != nil {
		return nil, err
	}
	return &Int64{w}, nil
}

// Load atomically loads the word.
func (x *Int64) Load() int64 {
	v := int64(atomic.LoadUint64(x.w.ptr()))
	runtime.KeepAlive(x)
	return v
}

// Store atomically stores v in the word.
func (x *Int64) Store(v int64) {
	atomic.StoreUint64(x.w.ptr(), uint64(v))
	runtime.KeepAlive(x)
}

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Int64) Add(delta int64) int64 {
	v := int64(atomic.AddUint64(x.w.ptr(), uint64(delta)))
	runtime.KeepAlive(x)
	return v
}

// Sub atomically subtracts delta and returns the new value.
func (x *Int64) Sub(delta int64) int64 { return x.Add(-delta) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Int64) And(mask int64) (old int64) {
	v := int64(atomic.AndUint64(x.w.ptr(), uint64(mask)))
	runtime.KeepAlive(x)
	return v
}

// Or atomically ORs mask into the word and returns the old value.
func (x *Int64) Or(mask int64) (old int64) {
	v := int64(atomic.OrUint64(x.w.ptr(), uint64(mask)))
	runtime.KeepAlive(x)
	return v
}

// Xor atomically XORs mask into the word and returns the old value.
func (x *Int64) Xor(mask int64) (old int64) {
	p := x.w.ptr()
	for {
		o := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, o, o^uint64(mask)) {
			runtime.KeepAlive(x)
			return int64(o)
		}
	}
}

// Swap atomically stores v and returns the old value.
func (x *Int64) Swap(v int64) (old int64) {
	old = int64(atomic.SwapUint64(x.w.ptr(), uint64(v)))
	runtime.KeepAlive(x)
	return old
}

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Int64) CompareAndSwap(old, new int64) bool {
	ok := atomic.CompareAndSwapUint64(x.w.ptr(), uint64(old), uint64(new))
	runtime.KeepAlive(x)
	return ok
}

// Uint64 is an unsigned 64-bit word inside a region; see Int64.
type Uint64 struct{ w word64 }

// Uint64 returns the 64-bit word at offset off, a multiple of 8.
func (r *Region) Uint64(off int) (*Uint64, error) {
	w, err := r.word64("Uint64", off)
	if err != nil {
		return nil, err
	}
	return &Uint64{w}, nil
}

// Load atomically loads the word.
func (x *Uint64) Load() uint64 {
	v := atomic.LoadUint64(x.w.ptr())
	runtime.KeepAlive(x)
	return v
}

// Store atomically stores v in the word.
func (x *Uint64) Store(v uint64) {
	atomic.StoreUint64(x.w.ptr(), v)
	runtime.KeepAlive(x)
}

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Uint64) Add(delta uint64) uint64 {
	v := atomic.AddUint64(x.w.ptr(), delta)
	runtime.KeepAlive(x)
	return v
}

// Sub atomically subtracts delta and returns the new value.
func (x *Uint64) Sub(delta uint64) uint64 {
	v := atomic.AddUint64(x.w.ptr(), -delta)
	runtime.KeepAlive(x)
	return v
}

// And atomically ANDs mask into the word and returns the old value.
func (x *Uint64) And(mask uint64) (old uint64) {
	v := atomic.AndUint64(x.w.ptr(), mask)
	runtime.KeepAlive(x)
	return v
}

// Or atomically ORs mask into the word and returns the old value.
func (x *Uint64) Or(mask uint64) (old uint64) {
	v := atomic.OrUint64(x.w.ptr(), mask)
	runtime.KeepAlive(x)
	return v
}

// Xor atomically XORs mask into the word and returns the old value.
func (x *Uint64) Xor(mask uint64) (old uint64) {
	p := x.w.ptr()
	for {
		o := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, o, o^mask) {
			runtime.KeepAlive(x)
			return o
		}
	}
}

// Swap atomically stores v and returns the old value.
func (x *Uint64) Swap(v uint64) (old uint64) {
	old = atomic.SwapUint64(x.w.ptr(), v)
	runtime.KeepAlive(x)
	return old
}

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Uint64) CompareAndSwap(old, new uint64) bool {
	ok := atomic.CompareAndSwapUint64(x.w.ptr(), old, new)
	runtime.KeepAlive(x)
	return ok
}
