package atomics

import (
	"sync/atomic"
	"unsafe"
)

// CellSize is the number of bytes a Cell occupies; cells must be 8-byte
// aligned.
const CellSize = 16

// Cell is a 32-bit word that goroutines and processes can wait on, followed
// by the bookkeeping that lets Notify skip the system call when nobody waits.
// Its layout is fixed because it lives in memory that several processes map:
//
//	offset 0  value  uint32  the word itself, an ordinary little-endian uint32
//	offset 4  seq    uint32  bumped by each Notify that hands out wake-ups; the futex word
//	offset 8  state  uint64  waiters (bits 0-15), unclaimed wake-ups (16-31),
//	                         grant epoch (32-47), processes with a thread
//	                         asleep on seq (48-63)
//
// A waiter registers in state before it checks value, and a notifier converts
// registered waiters into wake-up tokens and bumps the epoch in the same
// atomic step; a waiter returns Woken only by claiming a token granted after
// it registered. So Notify(n) wakes at most n of the waiters present when it
// ran, a waiter that arrives later can't take a wake-up meant for an earlier
// one, a notify can't be lost between a waiter's check and its sleep, and a
// notifier that finds no registered waiter does nothing but one atomic load.
//
// A zero Cell is ready to use. A Cell must not be copied.
type Cell struct {
	value uint32
	seq   uint32
	state uint64
}

const (
	fieldBits   = 16
	fieldMask   = 1<<fieldBits - 1
	tokenShift  = fieldBits
	epochShift  = 2 * fieldBits
	parkedShift = 3 * fieldBits
	oneToken    = 1 << tokenShift
	oneEpoch    = 1 << epochShift
	oneParked   = 1 << parkedShift

	// MaxWaiters is how many waiters a cell can hold at once, across all
	// processes.
	MaxWaiters = fieldMask
)

// CellAt returns the cell at p, which must be 8-byte aligned and have
// CellSize bytes behind it.
func CellAt(p unsafe.Pointer) *Cell { return (*Cell)(p) }

// Word returns the address of the cell's value, for atomic operations on it.
func (c *Cell) Word() *uint32 { return &c.value }

// Load atomically loads the cell's value.
func (c *Cell) Load() uint32 { return atomic.LoadUint32(&c.value) }

// Store atomically stores v in the cell.
func (c *Cell) Store(v uint32) { atomic.StoreUint32(&c.value, v) }

// Waiters returns how many waiters are registered and not yet woken.
func (c *Cell) Waiters() int { return int(atomic.LoadUint64(&c.state) & fieldMask) }

func waitingOf(s uint64) uint64 { return s & fieldMask }
func tokensOf(s uint64) uint64  { return s >> tokenShift & fieldMask }
func epochOf(s uint64) uint64   { return s >> epochShift & fieldMask }
func parkedOf(s uint64) uint64  { return s >> parkedShift }

// register counts one more waiter and returns the epoch it registered in. It
// reports false if the cell is full.
func (c *Cell) register() (epoch uint64, ok bool) {
	for {
		s := atomic.LoadUint64(&c.state)
		if waitingOf(s)+tokensOf(s) >= MaxWaiters {
			return 0, false
		}
		if atomic.CompareAndSwapUint64(&c.state, s, s+1) {
			return epochOf(s), true
		}
	}
}

// withdraw removes a registration that gives up. A waiter that never slept
// (its value had already changed) prefers to drop its registration so a
// wake-up stays with a waiter that did sleep; a waiter that timed out prefers
// a token granted since it registered, because a notify may have chosen it.
// withdraw reports whether it claimed a token.
func (c *Cell) withdraw(epoch uint64, preferToken bool) (claimed bool) {
	for {
		s := atomic.LoadUint64(&c.state)
		eligible := tokensOf(s) > 0 && epochOf(s) != epoch
		var n uint64
		switch {
		case preferToken && eligible, waitingOf(s) == 0 && tokensOf(s) > 0:
			n, claimed = s-oneToken, true
		case waitingOf(s) > 0:
			n, claimed = s-1, false
		default:
			return false // only if another process scribbled over the cell
		}
		if atomic.CompareAndSwapUint64(&c.state, s, n) {
			return claimed
		}
	}
}

// claim takes one wake-up token granted after epoch, if there is one.
func (c *Cell) claim(epoch uint64) bool {
	for {
		s := atomic.LoadUint64(&c.state)
		if tokensOf(s) == 0 || epochOf(s) == epoch {
			return false
		}
		if atomic.CompareAndSwapUint64(&c.state, s, s-oneToken) {
			return true
		}
	}
}

// tokens returns the number of unclaimed wake-ups.
func (c *Cell) tokens() int { return int(tokensOf(atomic.LoadUint64(&c.state))) }

// grant turns up to n registered waiters into tokens and starts a new epoch.
// It returns how many it granted and how many processes had a thread asleep
// on seq at that moment.
func (c *Cell) grant(n int) (granted int, parked int) {
	for {
		s := atomic.LoadUint64(&c.state)
		w := waitingOf(s)
		if w == 0 {
			return 0, int(parkedOf(s))
		}
		k := min(uint64(n), w)
		next := s - k + k<<tokenShift
		// The epoch wraps within its field without carrying into parked.
		next = next&^(fieldMask<<epochShift) | (epochOf(s)+1)&fieldMask<<epochShift
		if atomic.CompareAndSwapUint64(&c.state, s, next) {
			return int(k), int(parkedOf(s))
		}
	}
}

func (c *Cell) addParked(delta int64) {
	atomic.AddUint64(&c.state, uint64(delta*oneParked))
}

func (c *Cell) futex() *uint32 { return &c.seq }
