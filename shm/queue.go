package shm

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"sync/atomic"
	"unsafe"
)

// Errors of a Queue, matchable with errors.Is.
var (
	// ErrCorrupt is returned when a queue's shared header or a message
	// header holds values no correct peer writes: a bad magic or version, an
	// index out of range, a length over the queue's limit. The queue is
	// unusable from then on.
	ErrCorrupt = errors.New("shm: queue is corrupt")
	// ErrPeerDied is returned by a queue operation that waits for a peer
	// process which has died: the consumer of a full queue, or the producer
	// of an empty one. Messages committed before the death are still
	// delivered first.
	ErrPeerDied = errors.New("shm: queue peer process died")
	// ErrQueueClosed is returned by Receive once the producer has closed
	// the queue and every message is consumed, by Send once the consumer
	// has closed it, and by every operation after Close.
	ErrQueueClosed = errors.New("shm: queue closed")
	// ErrInUse is returned when a second live process tries to produce into
	// (or consume from) a queue that already has a producer (consumer).
	ErrInUse = errors.New("shm: queue side in use by another process")
)

// Queue layout constants; docs/design/queue.md describes the layout byte
// for byte for implementations in other languages.
const (
	queueMagic   = 0x51524853 // "SHRQ" in memory order
	queueVersion = 1

	// QueueHeaderSize is the size of a queue's header; the ring follows
	// it. QueueSize(capacity) = QueueHeaderSize + capacity.
	QueueHeaderSize = 3 * queueLine
	// QueueAlign is the alignment a queue's offset in its region must
	// have: the header's three cache lines must not share a line with
	// anything else.
	QueueAlign = queueLine

	queueLine = 128

	// Line 0: configuration (written once) and the two parties.
	qMagic     = 0
	qVersion   = 4
	qCapacity  = 8
	qMaxMsg    = 12
	qProdPid   = 16
	qConsPid   = 20
	qProdClose = 24
	qConsClose = 28
	// Line 1: written by the producer.
	qHead       = queueLine     // uint64: bytes ever committed
	qDataSeq    = queueLine + 8 // futex word the consumer sleeps on
	qConsParked = queueLine + 12
	// Line 2: written by the consumer.
	qTail       = 2 * queueLine   // uint64: bytes ever released
	qSpaceSeq   = 2*queueLine + 8 // futex word the producer sleeps on
	qProdParked = 2*queueLine + 12

	// A record is an 8-byte header (length, then its complement) and the
	// message, padded to a multiple of 8. A header whose length is
	// padMarker fills the ring up to its end: the next record starts at
	// the ring's start.
	recHeader = 8
	padMarker = 0xFFFFFFFF

	minQueueCapacity = 256
	maxQueueCapacity = 1 << 30
)

// QueueSize returns the bytes a queue with a ring of capacity bytes occupies
// in a region.
func QueueSize(capacity int) int { return QueueHeaderSize + capacity }

// MaxQueueMessage returns the largest message a queue with a ring of
// capacity bytes can hold: a record of the largest size must fit twice, so
// that one always fits after the padding at the ring's end.
func MaxQueueMessage(capacity int) int { return capacity/2 - recHeader }

func recordSize(n int) uint64 { return uint64(recHeader + (n+7)&^7) }

// A Queue is a bounded queue of byte messages inside a region, between one
// producer and one consumer that may live in different processes (Go or any
// language that follows the layout: see the python/ folder). Messages are
// copied into a ring once and handed out without allocation; Reserve and
// Commit let a producer write in place, Borrow and Release let a consumer
// read in place.
//
// A waiting side spins briefly, then sleeps on a futex in the queue's header;
// the other side wakes it with one system call, and makes none when nobody
// sleeps. Every wait ends: with the context, when the peer closes the queue,
// or with ErrPeerDied within about 100 ms of the peer process's death (each
// side registers its pid in the header at its first operation).
//
// One goroutine at a time may produce and one goroutine at a time may
// consume through a Queue; Close may be called from any goroutine. The
// region must stay mapped until no operation is in progress.
type Queue struct {
	r      *Region
	base   unsafe.Pointer
	data   unsafe.Pointer // the ring
	cap    uint64
	maxMsg int
	pid    uint32

	// Producer state: the head as this side wrote it, the tail as last
	// seen, and the reservation in progress.
	head, tailSeen uint64
	resAt, resLen  int    // ring offset and length of the reserved message, resLen < 0: none
	resNext        uint64 // head after committing the reservation
	producing      bool   // registered as producer
	sendSpin       spinBudget

	// Consumer state, mirrored.
	tail, headSeen uint64
	relNext        uint64 // tail after releasing the borrowed message
	borrowed       bool
	consuming      bool
	recvSpin       spinBudget

	closed    atomic.Bool
	peerCheck atomic.Int64 // SetPeerCheck's interval in ns; 0: queueSlice
	rawSleep  atomic.Int64 // SetRawSleep's span in ns; 0: none

	// wokeAt is when (queueClock) a commit last woke a sleeping
	// consumer; requests is the queue whose messages q's answer
	// (RepliesTo). A consumer waiting on q reads requests' wokeAt.
	wokeAt   atomic.Int64
	requests atomic.Pointer[Queue]
}

// NewQueue lays out an empty queue with a ring of capacity bytes at offset
// off of r and returns it. capacity must be a power of two from 256 to 1 GiB
// and maxMsg from 1 to MaxQueueMessage(capacity) (0 picks that maximum); off
// must be a multiple of QueueAlign with QueueSize(capacity) bytes behind it.
// Exactly one party creates the queue; the other calls OpenQueue.
func NewQueue(r *Region, off, capacity, maxMsg int) (*Queue, error) {
	if capacity < minQueueCapacity || capacity > maxQueueCapacity || bits.OnesCount(uint(capacity)) != 1 {
		return nil, fmt.Errorf("shm: NewQueue: capacity %d is not a power of two from %d to %d: %w",
			capacity, minQueueCapacity, maxQueueCapacity, ErrBadSize)
	}
	if maxMsg == 0 {
		maxMsg = MaxQueueMessage(capacity)
	}
	if maxMsg < 1 || maxMsg > MaxQueueMessage(capacity) {
		return nil, fmt.Errorf("shm: NewQueue: maxMsg %d is not from 1 to %d for capacity %d: %w",
			maxMsg, MaxQueueMessage(capacity), capacity, ErrBadSize)
	}
	if err := queueSpan(r, off, capacity); err != nil {
		return nil, fmt.Errorf("shm: NewQueue: %w", err)
	}
	base := unsafe.Pointer(&r.data[off])
	clear(r.data[off : off+QueueHeaderSize])
	atomic.StoreUint32(u32(base, qVersion), queueVersion)
	atomic.StoreUint32(u32(base, qCapacity), uint32(capacity))
	atomic.StoreUint32(u32(base, qMaxMsg), uint32(maxMsg))
	// The magic goes last: an opener never sees a half-made header.
	atomic.StoreUint32(u32(base, qMagic), queueMagic)
	return newQueue(r, base, capacity, maxMsg), nil
}

// OpenQueue returns the queue that NewQueue (in this or another process, or
// another language) laid out at offset off of r. It returns an error
// matching ErrCorrupt if the header there is not a valid queue.
func OpenQueue(r *Region, off int) (*Queue, error) {
	if err := queueSpan(r, off, 0); err != nil {
		return nil, fmt.Errorf("shm: OpenQueue: %w", err)
	}
	base := unsafe.Pointer(&r.data[off])
	magic := atomic.LoadUint32(u32(base, qMagic))
	version := atomic.LoadUint32(u32(base, qVersion))
	capacity := int(atomic.LoadUint32(u32(base, qCapacity)))
	maxMsg := int(atomic.LoadUint32(u32(base, qMaxMsg)))
	switch {
	case magic != queueMagic:
		return nil, fmt.Errorf("shm: OpenQueue at offset %d: magic %#x, want %#x: %w", off, magic, queueMagic, ErrCorrupt)
	case version != queueVersion:
		return nil, fmt.Errorf("shm: OpenQueue at offset %d: version %d, want %d: %w", off, version, queueVersion, ErrCorrupt)
	case capacity < minQueueCapacity || capacity > maxQueueCapacity || bits.OnesCount(uint(capacity)) != 1,
		maxMsg < 1 || maxMsg > MaxQueueMessage(capacity):
		return nil, fmt.Errorf("shm: OpenQueue at offset %d: capacity %d, maxMsg %d: %w", off, capacity, maxMsg, ErrCorrupt)
	}
	if err := queueSpan(r, off, capacity); err != nil {
		return nil, fmt.Errorf("shm: OpenQueue at offset %d: capacity %d: %w: %w", off, capacity, ErrCorrupt, err)
	}
	return newQueue(r, base, capacity, maxMsg), nil
}

func queueSpan(r *Region, off, capacity int) error {
	if _, err := r.span("queue", off, 1, QueueSize(capacity), QueueAlign); err != nil {
		return err
	}
	if r.readOnly {
		return ErrReadOnly
	}
	return nil
}

func newQueue(r *Region, base unsafe.Pointer, capacity, maxMsg int) *Queue {
	q := &Queue{
		r: r, base: base, data: unsafe.Add(base, QueueHeaderSize),
		cap: uint64(capacity), maxMsg: maxMsg, pid: uint32(os.Getpid()), resLen: -1,
	}
	q.sendSpin.init()
	q.recvSpin.init()
	return q
}

// Cap returns the size of the queue's ring in bytes.
func (q *Queue) Cap() int { return int(q.cap) }

// MaxMessage returns the largest message the queue accepts.
func (q *Queue) MaxMessage() int { return q.maxMsg }

// Len returns the bytes of committed, unreleased records in the ring, as
// seen at the moment of the call (headers and padding included).
func (q *Queue) Len() int {
	h := atomic.LoadUint64(q.u64(qHead))
	t := atomic.LoadUint64(q.u64(qTail))
	if h-t > q.cap {
		return 0
	}
	return int(h - t)
}

// Close marks the sides this process used as closed and wakes the peer: a
// consumer drains what was committed and then gets ErrQueueClosed, a
// producer gets ErrQueueClosed at once. Close does not unmap the region.
// Operations through q after Close return ErrQueueClosed. Close is
// idempotent.
func (q *Queue) Close() error {
	if q.closed.Swap(true) || q.r.closed.Load() {
		return nil
	}
	if q.producing {
		atomic.StoreUint32(q.u32(qProdClose), 1)
		q.wake(qDataSeq)
	}
	if q.consuming {
		atomic.StoreUint32(q.u32(qConsClose), 1)
		q.wake(qSpaceSeq)
	}
	return nil
}

func u32(base unsafe.Pointer, off int) *uint32 { return (*uint32)(unsafe.Add(base, off)) }

func (q *Queue) u32(off int) *uint32 { return (*uint32)(unsafe.Add(q.base, off)) }
func (q *Queue) u64(off int) *uint64 { return (*uint64)(unsafe.Add(q.base, off)) }

// ring returns n bytes of the ring from offset at.
func (q *Queue) ring(at, n int) []byte { return unsafe.Slice((*byte)(unsafe.Add(q.data, at)), n) }

func (q *Queue) recWords(at int) (length, check *uint32) {
	p := unsafe.Add(q.data, at)
	return (*uint32)(p), (*uint32)(unsafe.Add(p, 4))
}

// usable reports why q cannot be used now, or nil.
func (q *Queue) usable() error {
	if q.closed.Load() {
		return ErrQueueClosed
	}
	if q.r.closed.Load() {
		return ErrClosed
	}
	if atomic.LoadUint32(q.u32(qMagic)) != queueMagic {
		return fmt.Errorf("shm: queue magic overwritten: %w", ErrCorrupt)
	}
	return nil
}

// register records this process as the producer or consumer, once.
func (q *Queue) register(pidOff int) error {
	p := q.u32(pidOff)
	for {
		old := atomic.LoadUint32(p)
		if old == q.pid {
			return nil
		}
		if old != 0 && pidAlive(old) {
			role := "producer"
			if pidOff == qConsPid {
				role = "consumer"
			}
			return fmt.Errorf("shm: queue already has a %s, pid %d: %w", role, old, ErrInUse)
		}
		if atomic.CompareAndSwapUint32(p, old, q.pid) {
			return nil
		}
	}
}
