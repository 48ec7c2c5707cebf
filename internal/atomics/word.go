package atomics

import (
	"math/bits"
	"os"
	"sync/atomic"
	"unsafe"
)

// WordSize is the number of bytes a Word occupies; words must be 8-byte
// aligned.
const WordSize = 128

// wordSlots is how many processes can wait on one Word at once.
const wordSlots = (WordSize - 16) / 8

// A Word is a 32-bit value that goroutines and processes can wait on, like a
// Cell, whose waiters are kept per process, so that a process that dies
// while waiting (SIGKILL included) takes its registrations with it. Its
// layout is fixed because it lives in memory that several processes map:
//
//	offset  0  value    uint32  the word itself, an ordinary little-endian uint32
//	offset  4  seq      uint32  bumped by each Notify that hands out wake-ups; the futex word
//	offset  8  summary  uint64  bit i (0-13) set while slot i may be in use;
//	                            bits 14-63 a generation bumped by every set
//	offset 16  slots    [14]uint64  one per waiting process: waiters
//	                            (bits 0-10), unclaimed wake-ups (11-21),
//	                            grant epoch (22-31), threads asleep on seq
//	                            (32-39), owner pid (42-63); 0 = free
//
// A slot is a Cell's state with its owner's pid in the same 64-bit word, so
// one compare-and-swap both checks the owner and changes the counts, and
// one compare-and-swap takes a dead owner's counts away. A notifier that
// finds registrations in another process's slot checks that the process is
// alive first, and frees its slot if not. The summary lets a Notify that
// finds no slot in use return after one atomic load.
//
// A zero Word is ready to use. A Word must not be copied.
type Word struct {
	value   uint32
	seq     uint32
	summary uint64
	slots   [wordSlots]uint64
}

const (
	slotField    = 1<<11 - 1
	slotTokShift = 11
	slotEpShift  = 22
	slotEpMask   = 1<<10 - 1
	slotPkShift  = 32
	slotPkMask   = 1<<8 - 1
	slotPidShift = 42
	slotPidMask  = 1<<22 - 1
	slotOneTok   = 1 << slotTokShift
	slotOnePk    = 1 << slotPkShift

	sumSlots  = 1<<wordSlots - 1
	sumOneGen = 1 << wordSlots

	// MaxWordWaiters is how many goroutines or threads of one process can
	// wait on one Word at once.
	MaxWordWaiters = slotField
	// MaxWordProcesses is how many processes can wait on one Word at once.
	MaxWordProcesses = wordSlots
)

func slotWaiting(v uint64) uint64 { return v & slotField }
func slotTokens(v uint64) uint64  { return v >> slotTokShift & slotField }
func slotEpoch(v uint64) uint64   { return v >> slotEpShift & slotEpMask }
func slotParked(v uint64) uint64  { return v >> slotPkShift & slotPkMask }
func slotPid(v uint64) uint32     { return uint32(v >> slotPidShift) }

// ownerTag is how this process names itself in a slot: its pid, which on
// Linux always fits in 22 bits (PID_MAX_LIMIT is 2^22); elsewhere the low
// bits, never 0.
func ownerTag(pid int) uint32 {
	tag := uint32(pid) & slotPidMask
	if tag == 0 {
		tag = slotPidMask
	}
	return tag
}

var myTag = ownerTag(os.Getpid())

// WordAt returns the word at p, which must be 8-byte aligned and have
// WordSize bytes behind it.
func WordAt(p unsafe.Pointer) *Word { return (*Word)(p) }

// Value returns the address of the word's value, for atomic operations on it.
func (w *Word) Value() *uint32 { return &w.value }

// Waiters returns how many waiters are registered in live or dead slots and
// not yet woken.
func (w *Word) Waiters() int {
	n := 0
	for i := range w.slots {
		n += int(slotWaiting(atomic.LoadUint64(&w.slots[i])))
	}
	return n
}

// claimSlot takes a free slot for owner and marks it in the summary, or
// returns -1 if every slot is taken.
func (w *Word) claimSlot(owner uint32) int {
	for i := range w.slots {
		p := &w.slots[i]
		if atomic.LoadUint64(p) != 0 || !atomic.CompareAndSwapUint64(p, 0, uint64(owner)<<slotPidShift) {
			continue
		}
		// Set the bit with a new generation even if it is still set, so
		// that a sweeper that saw the slot free before we took it cannot
		// clear the bit now that it is ours.
		for {
			s := atomic.LoadUint64(&w.summary)
			if atomic.CompareAndSwapUint64(&w.summary, s, (s|1<<i)+sumOneGen) {
				return i
			}
		}
	}
	return -1
}

// freeSlot empties slot i if owner still holds it, whatever its counts, and
// reports whether it did.
func (w *Word) freeSlot(i int, owner uint32) bool {
	p := &w.slots[i]
	for {
		v := atomic.LoadUint64(p)
		if v == 0 || slotPid(v) != owner {
			return false
		}
		if atomic.CompareAndSwapUint64(p, v, 0) {
			w.sweep(i)
			return true
		}
	}
}

// sweep clears slot i's summary bit if the slot is free. The bit can only be
// cleared with the generation the sweeper read before it saw the slot free,
// so a claim in between (which bumps the generation) keeps its bit.
func (w *Word) sweep(i int) {
	for {
		s := atomic.LoadUint64(&w.summary)
		if s&(1<<i) == 0 || atomic.LoadUint64(&w.slots[i]) != 0 {
			return
		}
		if atomic.CompareAndSwapUint64(&w.summary, s, s&^(1<<i)) {
			return
		}
	}
}

// slotsInUse returns the summary's slot bits.
func (w *Word) slotsInUse() uint64 { return atomic.LoadUint64(&w.summary) & sumSlots }

// A wordSlot is this process's slot in a word: the waitable that park and
// the sleeper use for a Word.
type wordSlot struct {
	w     *Word
	i     int
	owner uint32
}

func (s *wordSlot) p() *uint64 { return &s.w.slots[s.i] }

// register counts one more waiter and returns the slot's epoch.
func (s *wordSlot) register() (uint64, error) {
	p := s.p()
	for {
		v := atomic.LoadUint64(p)
		if slotPid(v) != s.owner {
			return 0, errSlotLost
		}
		if slotWaiting(v)+slotTokens(v) >= slotField {
			return 0, ErrTooManyWaiters
		}
		if atomic.CompareAndSwapUint64(p, v, v+1) {
			return slotEpoch(v), nil
		}
	}
}

// withdraw is Cell.withdraw for a slot.
func (s *wordSlot) withdraw(epoch uint64, preferToken bool) (claimed bool) {
	p := s.p()
	for {
		v := atomic.LoadUint64(p)
		if slotPid(v) != s.owner {
			return false
		}
		eligible := slotTokens(v) > 0 && slotEpoch(v) != epoch
		var n uint64
		switch {
		case preferToken && eligible, slotWaiting(v) == 0 && slotTokens(v) > 0:
			n, claimed = v-slotOneTok, true
		case slotWaiting(v) > 0:
			n, claimed = v-1, false
		default:
			return false
		}
		if atomic.CompareAndSwapUint64(p, v, n) {
			return claimed
		}
	}
}

// claim is Cell.claim for a slot.
func (s *wordSlot) claim(epoch uint64) bool {
	p := s.p()
	for {
		v := atomic.LoadUint64(p)
		if slotTokens(v) == 0 || slotEpoch(v) == epoch || slotPid(v) != s.owner {
			return false
		}
		if atomic.CompareAndSwapUint64(p, v, v-slotOneTok) {
			return true
		}
	}
}

func (s *wordSlot) tokens() int {
	v := atomic.LoadUint64(s.p())
	if slotPid(v) != s.owner {
		return 0
	}
	return int(slotTokens(v))
}

// addParked changes the slot's count of threads asleep on seq; it leaves a
// slot that is no longer ours alone rather than borrow from its pid.
func (s *wordSlot) addParked(delta int64) {
	p := s.p()
	for {
		v := atomic.LoadUint64(p)
		pk := int64(slotParked(v)) + delta
		if slotPid(v) != s.owner || pk < 0 || pk > slotPkMask {
			return
		}
		if atomic.CompareAndSwapUint64(p, v, v&^(slotPkMask<<slotPkShift)|uint64(pk)<<slotPkShift) {
			return
		}
	}
}

func (s *wordSlot) futex() *uint32 { return &s.w.seq }

// grantSlot turns up to n of slot i's registered waiters into tokens and
// starts a new epoch there, provided owner still holds the slot. It returns
// how many it granted and how many of the owner's threads were asleep on
// seq.
func (w *Word) grantSlot(i int, owner uint32, n int) (granted, parked int) {
	p := &w.slots[i]
	for {
		v := atomic.LoadUint64(p)
		k := min(uint64(n), slotWaiting(v))
		if slotPid(v) != owner || k == 0 {
			return 0, 0
		}
		next := v - k + k<<slotTokShift
		next = next&^(slotEpMask<<slotEpShift) | (slotEpoch(v)+1)&slotEpMask<<slotEpShift
		if atomic.CompareAndSwapUint64(p, v, next) {
			return int(k), int(slotParked(v))
		}
	}
}

// nextSlot returns the lowest slot index in bits.
func nextSlot(bits64 uint64) int { return bits.TrailingZeros64(bits64) }
