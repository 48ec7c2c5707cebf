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

// errWordClosed is what a word's operation panics with once its region is
// closed: the memory behind it is gone. A ready-made value keeps the check
// cheap enough for every operation to be inlined.
var errWordClosed = fmt.Errorf("shm: word used after Close: %w", ErrClosed)

// ptr returns the word's address, panicking if the region is closed.
func (w *word32) ptr() *uint32 {
	if w.r.closed.Load() {
		panic(errWordClosed)
	}
	return w.p
}

func (w *word32) wait(ctx context.Context, expected uint32, timeout time.Duration) (WaitResult, error) {
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

func (w *word32) notify(n int) int {
	w.ptr()
	k := w.r.table.NotifyWord(w.c, n)
	runtime.KeepAlive(w.r)
	return k
}

// The atomic operations of Int32 and Uint32, on the unsigned bits. Each
// keeps the region reachable until the operation is done: the memory
// behind the pointer lives only as long as the region does.

func (w *word32) load() uint32 {
	v := atomic.LoadUint32(w.ptr())
	runtime.KeepAlive(w.r)
	return v
}

func (w *word32) store(v uint32) {
	atomic.StoreUint32(w.ptr(), v)
	runtime.KeepAlive(w.r)
}

func (w *word32) add(delta uint32) uint32 {
	v := atomic.AddUint32(w.ptr(), delta)
	runtime.KeepAlive(w.r)
	return v
}

func (w *word32) and(mask uint32) (old uint32) {
	v := atomic.AndUint32(w.ptr(), mask)
	runtime.KeepAlive(w.r)
	return v
}

func (w *word32) or(mask uint32) (old uint32) {
	v := atomic.OrUint32(w.ptr(), mask)
	runtime.KeepAlive(w.r)
	return v
}

// xor loops on CompareAndSwap: sync/atomic has no XOR.
func (w *word32) xor(mask uint32) (old uint32) {
	p := w.ptr()
	for {
		o := atomic.LoadUint32(p)
		if atomic.CompareAndSwapUint32(p, o, o^mask) {
			runtime.KeepAlive(w.r)
			return o
		}
	}
}

func (w *word32) swap(v uint32) (old uint32) {
	old = atomic.SwapUint32(w.ptr(), v)
	runtime.KeepAlive(w.r)
	return old
}

func (w *word32) compareAndSwap(old, new uint32) bool {
	ok := atomic.CompareAndSwapUint32(w.ptr(), old, new)
	runtime.KeepAlive(w.r)
	return ok
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
func (x *Int32) Load() int32 { return int32(x.w.load()) }

// Store atomically stores v in the word.
func (x *Int32) Store(v int32) { x.w.store(uint32(v)) }

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Int32) Add(delta int32) int32 { return int32(x.w.add(uint32(delta))) }

// Sub atomically subtracts delta and returns the new value.
func (x *Int32) Sub(delta int32) int32 { return int32(x.w.add(-uint32(delta))) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Int32) And(mask int32) (old int32) { return int32(x.w.and(uint32(mask))) }

// Or atomically ORs mask into the word and returns the old value.
func (x *Int32) Or(mask int32) (old int32) { return int32(x.w.or(uint32(mask))) }

// Xor atomically XORs mask into the word and returns the old value.
func (x *Int32) Xor(mask int32) (old int32) { return int32(x.w.xor(uint32(mask))) }

// Swap atomically stores v and returns the old value.
func (x *Int32) Swap(v int32) (old int32) { return int32(x.w.swap(uint32(v))) }

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Int32) CompareAndSwap(old, new int32) bool {
	return x.w.compareAndSwap(uint32(old), uint32(new))
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
func (x *Uint32) Load() uint32 { return x.w.load() }

// Store atomically stores v in the word.
func (x *Uint32) Store(v uint32) { x.w.store(v) }

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Uint32) Add(delta uint32) uint32 { return x.w.add(delta) }

// Sub atomically subtracts delta and returns the new value.
func (x *Uint32) Sub(delta uint32) uint32 { return x.w.add(-delta) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Uint32) And(mask uint32) (old uint32) { return x.w.and(mask) }

// Or atomically ORs mask into the word and returns the old value.
func (x *Uint32) Or(mask uint32) (old uint32) { return x.w.or(mask) }

// Xor atomically XORs mask into the word and returns the old value.
func (x *Uint32) Xor(mask uint32) (old uint32) { return x.w.xor(mask) }

// Swap atomically stores v and returns the old value.
func (x *Uint32) Swap(v uint32) (old uint32) { return x.w.swap(v) }

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Uint32) CompareAndSwap(old, new uint32) bool { return x.w.compareAndSwap(old, new) }

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

// ptr returns the word's address, panicking if the region is closed.
func (w *word64) ptr() *uint64 {
	if w.r.closed.Load() {
		panic(errWordClosed)
	}
	return w.p
}

// The atomic operations of Int64 and Uint64, on the unsigned bits. Each
// keeps the region reachable until the operation is done: the memory
// behind the pointer lives only as long as the region does.

func (w *word64) load() uint64 {
	v := atomic.LoadUint64(w.ptr())
	runtime.KeepAlive(w.r)
	return v
}

func (w *word64) store(v uint64) {
	atomic.StoreUint64(w.ptr(), v)
	runtime.KeepAlive(w.r)
}

func (w *word64) add(delta uint64) uint64 {
	v := atomic.AddUint64(w.ptr(), delta)
	runtime.KeepAlive(w.r)
	return v
}

func (w *word64) and(mask uint64) (old uint64) {
	v := atomic.AndUint64(w.ptr(), mask)
	runtime.KeepAlive(w.r)
	return v
}

func (w *word64) or(mask uint64) (old uint64) {
	v := atomic.OrUint64(w.ptr(), mask)
	runtime.KeepAlive(w.r)
	return v
}

// xor loops on CompareAndSwap: sync/atomic has no XOR.
func (w *word64) xor(mask uint64) (old uint64) {
	p := w.ptr()
	for {
		o := atomic.LoadUint64(p)
		if atomic.CompareAndSwapUint64(p, o, o^mask) {
			runtime.KeepAlive(w.r)
			return o
		}
	}
}

func (w *word64) swap(v uint64) (old uint64) {
	old = atomic.SwapUint64(w.ptr(), v)
	runtime.KeepAlive(w.r)
	return old
}

func (w *word64) compareAndSwap(old, new uint64) bool {
	ok := atomic.CompareAndSwapUint64(w.ptr(), old, new)
	runtime.KeepAlive(w.r)
	return ok
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
func (x *Int64) Load() int64 { return int64(x.w.load()) }

// Store atomically stores v in the word.
func (x *Int64) Store(v int64) { x.w.store(uint64(v)) }

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Int64) Add(delta int64) int64 { return int64(x.w.add(uint64(delta))) }

// Sub atomically subtracts delta and returns the new value.
func (x *Int64) Sub(delta int64) int64 { return int64(x.w.add(-uint64(delta))) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Int64) And(mask int64) (old int64) { return int64(x.w.and(uint64(mask))) }

// Or atomically ORs mask into the word and returns the old value.
func (x *Int64) Or(mask int64) (old int64) { return int64(x.w.or(uint64(mask))) }

// Xor atomically XORs mask into the word and returns the old value.
func (x *Int64) Xor(mask int64) (old int64) { return int64(x.w.xor(uint64(mask))) }

// Swap atomically stores v and returns the old value.
func (x *Int64) Swap(v int64) (old int64) { return int64(x.w.swap(uint64(v))) }

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Int64) CompareAndSwap(old, new int64) bool {
	return x.w.compareAndSwap(uint64(old), uint64(new))
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
func (x *Uint64) Load() uint64 { return x.w.load() }

// Store atomically stores v in the word.
func (x *Uint64) Store(v uint64) { x.w.store(v) }

// Add atomically adds delta and returns the new value; it wraps like Go's +.
func (x *Uint64) Add(delta uint64) uint64 { return x.w.add(delta) }

// Sub atomically subtracts delta and returns the new value.
func (x *Uint64) Sub(delta uint64) uint64 { return x.w.add(-delta) }

// And atomically ANDs mask into the word and returns the old value.
func (x *Uint64) And(mask uint64) (old uint64) { return x.w.and(mask) }

// Or atomically ORs mask into the word and returns the old value.
func (x *Uint64) Or(mask uint64) (old uint64) { return x.w.or(mask) }

// Xor atomically XORs mask into the word and returns the old value.
func (x *Uint64) Xor(mask uint64) (old uint64) { return x.w.xor(mask) }

// Swap atomically stores v and returns the old value.
func (x *Uint64) Swap(v uint64) (old uint64) { return x.w.swap(v) }

// CompareAndSwap atomically stores new if the word holds old, and reports whether it did.
func (x *Uint64) CompareAndSwap(old, new uint64) bool { return x.w.compareAndSwap(old, new) }
