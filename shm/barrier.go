package shm

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/sharc-go/sharc/internal/atomics"
)

// BarrierSize is the number of bytes a Barrier occupies in a region, at an
// offset that is a multiple of 8.
const BarrierSize = 128

// barrierSlots is how many processes a barrier tracks for liveness.
const barrierSlots = (BarrierSize - 32) / 4

// livenessPoll is how often a parked party checks that every process that
// joined the barrier is still alive: a dead one breaks the barrier within
// about this long.
const livenessPoll = 100 * time.Millisecond

// barrierMagic marks initialized barrier memory, so that OpenBarrier on the
// wrong offset fails instead of misbehaving.
const barrierMagic = 0x53484252 // "SHBR"

// brokenBit is set in the generation word when the barrier breaks; a change
// of the word is what wakes every waiter, so breaking must change it too.
const brokenBit = 1 << 31

// A Barrier holds a fixed number of parties, in one or several processes,
// until all of them have called Wait; then it releases them all and is ready
// for the next round. It lives inside a region:
//
//	offset  0  magic    uint32
//	offset  4  parties  uint32
//	offset  8  arrived  uint32  parties waiting in this round
//	offset 16  gen      Cell    round number; bit 31 set when broken
//	offset 32  pids     [24]uint32  processes that joined; 0 = free slot
//
// A party that gives up (its context ends) breaks the barrier, so the others
// return ErrBroken promptly instead of waiting for a party that will never
// come. Every process that makes or opens the barrier joins it (its pid
// takes a slot) until it closes the region; while parked, a party checks
// every 100 ms that the processes that joined are alive, and breaks the
// barrier when one has died, so a SIGKILLed party cannot hang the
// survivors even when they gave no deadline. The first 24 processes to
// join are tracked; a process beyond that, or one whose pid the system has
// already reused, is not detected.
type Barrier struct {
	r       *Region
	parties uint32
	arrived *uint32
	gen     *atomics.Cell
	pids    *[barrierSlots]uint32
}

// NewBarrier initializes a barrier for parties parties at offset off of r
// and returns it. Exactly one party creates it; the others call OpenBarrier.
func NewBarrier(r *Region, off int, parties int) (*Barrier, error) {
	if parties < 1 || parties > atomics.MaxWaiters {
		return nil, fmt.Errorf("shm: NewBarrier: parties = %d, want 1..%d", parties, atomics.MaxWaiters)
	}
	b, err := barrierAt(r, off)
	if err != nil {
		return nil, err
	}
	base := unsafe.Pointer(&r.data[off])
	atomic.StoreUint32((*uint32)(unsafe.Add(base, 4)), uint32(parties))
	atomic.StoreUint32(b.arrived, 0)
	b.gen.Store(0)
	for i := range b.pids {
		atomic.StoreUint32(&b.pids[i], 0)
	}
	atomic.StoreUint32((*uint32)(base), barrierMagic)
	b.parties = uint32(parties)
	b.join()
	return b, nil
}

// OpenBarrier returns the barrier that NewBarrier initialized at offset off
// of r, possibly in another process.
func OpenBarrier(r *Region, off int) (*Barrier, error) {
	b, err := barrierAt(r, off)
	if err != nil {
		return nil, err
	}
	base := unsafe.Pointer(&r.data[off])
	if atomic.LoadUint32((*uint32)(base)) != barrierMagic {
		return nil, fmt.Errorf("shm: OpenBarrier: no barrier at offset %d", off)
	}
	b.parties = atomic.LoadUint32((*uint32)(unsafe.Add(base, 4)))
	b.join()
	return b, nil
}

func barrierAt(r *Region, off int) (*Barrier, error) {
	if _, err := r.span("barrier", off, 1, BarrierSize, 8); err != nil {
		return nil, fmt.Errorf("shm: barrier at offset %d: %w", off, err)
	}
	if r.readOnly {
		return nil, fmt.Errorf("shm: barrier at offset %d: %w", off, ErrReadOnly)
	}
	r.pin(off, BarrierSize)
	base := unsafe.Pointer(&r.data[off])
	return &Barrier{
		r:       r,
		arrived: (*uint32)(unsafe.Add(base, 8)),
		gen:     atomics.CellAt(unsafe.Add(base, 16)),
		pids:    (*[barrierSlots]uint32)(unsafe.Add(base, 32)),
	}, nil
}

// join records this process among the barrier's processes, once, and makes
// the region's Close take it out again.
func (b *Barrier) join() {
	me := uint32(os.Getpid())
	for i := range b.pids {
		if atomic.LoadUint32(&b.pids[i]) == me {
			return
		}
	}
	for i := range b.pids {
		if atomic.CompareAndSwapUint32(&b.pids[i], 0, me) {
			b.r.onClose(func() { atomic.CompareAndSwapUint32(&b.pids[i], me, 0) })
			return
		}
	}
}

// deadParty returns the pid of a process that joined the barrier and has
// died, or 0.
func (b *Barrier) deadParty() int {
	me := uint32(os.Getpid())
	for i := range b.pids {
		pid := atomic.LoadUint32(&b.pids[i])
		if pid != 0 && pid != me && !processAlive(int(pid)) {
			return int(pid)
		}
	}
	return 0
}

// Parties returns the number of parties the barrier holds.
func (b *Barrier) Parties() int { return int(b.parties) }

// Wait blocks until every party has called Wait in this round, or ctx ends.
// If ctx ends first, Wait breaks the barrier and returns an error matching
// both ErrBroken and ctx's error; the other parties return ErrBroken. It
// returns ErrClosed if the region is closed.
func (b *Barrier) Wait(ctx context.Context) error {
	err := b.wait(ctx)
	if err != nil && b.r.closed.Load() {
		// The region closed under us: what we read may be the zero
		// pages Close leaves behind.
		err = ErrClosed
	}
	runtime.KeepAlive(b) // the memory stays mapped while b is reachable
	return err
}

func (b *Barrier) wait(ctx context.Context) error {
	if b.r.closed.Load() {
		return ErrClosed
	}
	g := b.gen.Load()
	if g&brokenBit != 0 {
		return ErrBroken
	}
	if atomic.AddUint32(b.arrived, 1) == b.parties {
		// The last party opens the next round: reset the count before
		// the generation moves, so no early arrival of the next round is
		// counted in this one.
		atomic.StoreUint32(b.arrived, 0)
		if !atomic.CompareAndSwapUint32(b.gen.Word(), g, (g+1)&^brokenBit) {
			return ErrBroken // broken while we were arriving
		}
		b.r.table.Notify(b.gen, atomics.MaxWaiters)
		return nil
	}
	for {
		res, err := b.r.table.Wait(ctx, b.gen, g, livenessPoll)
		now := b.gen.Load()
		switch {
		case now&brokenBit != 0:
			return ErrBroken
		case now != g:
			return nil
		case err == atomics.ErrClosed:
			return ErrClosed
		case err != nil:
			b.Break()
			return fmt.Errorf("%w: %w", ErrBroken, err)
		case res == atomics.TimedOut:
			if pid := b.deadParty(); pid != 0 {
				b.Break()
				return fmt.Errorf("%w: party process %d died", ErrBroken, pid)
			}
		}
	}
}

// Break breaks the barrier: every party waiting now or later returns
// ErrBroken until Reset. It does nothing once the region is closed.
func (b *Barrier) Break() {
	if b.r.closed.Load() {
		return
	}
	atomic.OrUint32(b.gen.Word(), brokenBit)
	b.r.table.Notify(b.gen, atomics.MaxWaiters)
	runtime.KeepAlive(b)
}

// Broken reports whether the barrier is broken; a barrier of a closed
// region is.
func (b *Barrier) Broken() bool {
	if b.r.closed.Load() {
		return true
	}
	broken := b.gen.Load()&brokenBit != 0
	runtime.KeepAlive(b)
	return broken
}

// Reset repairs a broken barrier for a new round. Call it only when no party
// is waiting. It does nothing once the region is closed.
func (b *Barrier) Reset() {
	if b.r.closed.Load() {
		return
	}
	atomic.StoreUint32(b.arrived, 0)
	for {
		g := b.gen.Load()
		if atomic.CompareAndSwapUint32(b.gen.Word(), g, (g+1)&^brokenBit) {
			break
		}
	}
	runtime.KeepAlive(b)
}
