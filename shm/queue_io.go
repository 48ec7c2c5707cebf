package shm

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
)

// Reserve waits until a message of n bytes fits in the ring and returns the
// n bytes where it goes, for the caller to fill before Commit. Nothing is
// visible to the consumer until Commit. A reservation must be committed
// before the next Reserve or Send.
//
// It returns an error matching ErrTooLarge if n exceeds MaxMessage, ctx's
// error if ctx ends first, ErrQueueClosed if the consumer closed the queue,
// ErrPeerDied if the consumer's process died with the ring full, and
// ErrCorrupt if the shared indices are impossible.
func (q *Queue) Reserve(ctx context.Context, n int) ([]byte, error) {
	if n < 0 || n > q.maxMsg {
		return nil, fmt.Errorf("shm: Queue.Reserve: message of %d bytes, limit %d: %w", n, q.maxMsg, ErrTooLarge)
	}
	if q.resLen >= 0 {
		panic("shm: Queue.Reserve: the previous reservation was not committed")
	}
	if err := q.startSend(); err != nil {
		return nil, err
	}
	rec := recordSize(n)
	at := q.head & (q.cap - 1)
	need := rec
	if q.cap-at < rec {
		need += q.cap - at // pad to the ring's end, start over at 0
	}
	if q.cap-(q.head-q.tailSeen) < need {
		if err := q.wait(ctx, true, need); err != nil {
			return nil, err
		}
	}
	if need > rec {
		l, c := q.recWords(int(at))
		atomic.StoreUint32(l, padMarker)
		atomic.StoreUint32(c, ^uint32(padMarker))
		at = 0
	}
	q.resAt, q.resLen, q.resNext = int(at), n, q.head+need
	return q.ring(int(at)+recHeader, n), nil
}

// Commit publishes the first n bytes of the reserved message (n at most the
// reserved length) and wakes the consumer if it sleeps. It panics without a
// reservation.
func (q *Queue) Commit(n int) {
	if q.resLen < 0 {
		panic("shm: Queue.Commit without Reserve")
	}
	if n < 0 || n > q.resLen {
		panic(fmt.Sprintf("shm: Queue.Commit(%d) of a reservation of %d bytes", n, q.resLen))
	}
	next := q.resNext - recordSize(q.resLen) + recordSize(n)
	l, c := q.recWords(q.resAt)
	atomic.StoreUint32(l, uint32(n))
	atomic.StoreUint32(c, ^uint32(n))
	q.resLen = -1
	q.head = next
	atomic.StoreUint64(q.u64(qHead), next)
	q.sendSpin.msgs++
	// Dekker with the consumer, which sets its parked flag before it
	// looks at the head a last time: one of the two sees the other.
	// The waker clears the flag, so that the commits that follow while the
	// consumer is still waking make no system call.
	if p := q.u32(qConsParked); atomic.LoadUint32(p) != 0 && atomic.SwapUint32(p, 0) != 0 {
		q.wake(qDataSeq)
		q.wokeAt.Store(queueClock())
	}
}

// Send copies msg into the queue as one message, waiting for room as
// Reserve does.
func (q *Queue) Send(ctx context.Context, msg []byte) error {
	b, err := q.Reserve(ctx, len(msg))
	if err != nil {
		return err
	}
	copy(b, msg)
	q.Commit(len(msg))
	return nil
}

// startSend checks the queue and this producer's view of it.
func (q *Queue) startSend() error {
	if err := q.usable(); err != nil {
		return err
	}
	if !q.producing {
		if err := q.register(qProdPid); err != nil {
			return err
		}
		// A producer may take over from one that died: start at the
		// shared head.
		q.head = atomic.LoadUint64(q.u64(qHead))
		q.tailSeen = atomic.LoadUint64(q.u64(qTail))
		if q.head&7 != 0 || q.head-q.tailSeen > q.cap {
			return fmt.Errorf("shm: queue head %d, tail %d: %w", q.head, q.tailSeen, ErrCorrupt)
		}
		q.producing = true
	}
	if h := atomic.LoadUint64(q.u64(qHead)); h != q.head {
		return fmt.Errorf("shm: queue head is %d, the producer wrote %d: %w", h, q.head, ErrCorrupt)
	}
	if atomic.LoadUint32(q.u32(qConsClose)) != 0 {
		return ErrQueueClosed
	}
	return nil
}

// Borrow waits for the next message and returns it in place, valid until
// Release, which must come before the next Borrow or Receive. With a ctx
// that is already done it still returns a message that is ready.
//
// It returns ctx's error if ctx ends first, ErrQueueClosed once the
// producer closed the queue and every message is consumed, ErrPeerDied
// once the producer's process died and every message it committed is
// consumed, and ErrCorrupt for an impossible index or message header.
func (q *Queue) Borrow(ctx context.Context) ([]byte, error) {
	if q.relNext != q.tail {
		panic("shm: Queue.Borrow: the previous message was not released")
	}
	if err := q.startRecv(); err != nil {
		return nil, err
	}
	if q.headSeen == q.tail {
		if err := q.wait(ctx, false, 0); err != nil {
			return nil, err
		}
	}
	avail := q.headSeen - q.tail
	at := q.tail & (q.cap - 1)
	skip := uint64(0)
	l, c := q.recWords(int(at))
	n, check := atomic.LoadUint32(l), atomic.LoadUint32(c)
	if n == padMarker && check == ^uint32(padMarker) {
		skip = q.cap - at
		if skip+recHeader > avail {
			return nil, q.corrupt("padding of %d bytes at %d with %d bytes committed", skip, at, avail)
		}
		at = 0
		l, c = q.recWords(0)
		n, check = atomic.LoadUint32(l), atomic.LoadUint32(c)
	}
	if check != ^n || int64(n) > int64(q.maxMsg) {
		return nil, q.corrupt("record header %#x/%#x at %d", n, check, at)
	}
	rec := recordSize(int(n))
	if skip+rec > avail {
		return nil, q.corrupt("record of %d bytes at %d with %d bytes committed", rec, at, avail-skip)
	}
	q.relNext = q.tail + skip + rec
	return q.ring(int(at)+recHeader, int(n)), nil
}

// Release gives the borrowed message's space back to the producer and wakes
// it if it sleeps. It panics if no message is borrowed.
func (q *Queue) Release() {
	if q.relNext == q.tail {
		panic("shm: Queue.Release without Borrow")
	}
	q.tail = q.relNext
	atomic.StoreUint64(q.u64(qTail), q.tail)
	q.recvSpin.msgs++
	// The producer sleeps until the tail reaches the value it left in its
	// parked word (bit 0 set).
	pw := q.u32(qProdParked)
	if p := atomic.LoadUint32(pw); p != 0 && int32(uint32(q.tail)-p&^1) >= 0 && atomic.CompareAndSwapUint32(pw, p, 0) {
		q.wake(qSpaceSeq)
	}
}

// Receive waits for the next message, copies it into buf and returns its
// length. If buf is too short it returns an error matching
// io.ErrShortBuffer and the message stays in the queue. Errors are those of
// Borrow.
func (q *Queue) Receive(ctx context.Context, buf []byte) (int, error) {
	b, err := q.Borrow(ctx)
	if err != nil {
		return 0, err
	}
	if len(b) > len(buf) {
		q.relNext = q.tail // not borrowed any more, not released either
		return 0, fmt.Errorf("shm: Queue.Receive: message of %d bytes, buffer of %d: %w", len(b), len(buf), io.ErrShortBuffer)
	}
	n := copy(buf, b)
	q.Release()
	return n, nil
}

// startRecv checks the queue and this consumer's view of it.
func (q *Queue) startRecv() error {
	if err := q.usable(); err != nil {
		return err
	}
	if !q.consuming {
		if err := q.register(qConsPid); err != nil {
			return err
		}
		q.tail = atomic.LoadUint64(q.u64(qTail))
		q.relNext = q.tail
		q.headSeen = q.tail
		if q.tail&7 != 0 {
			return q.corrupt("tail %d", q.tail)
		}
		q.consuming = true
	}
	if t := atomic.LoadUint64(q.u64(qTail)); t != q.tail {
		return q.corrupt("tail is %d, the consumer wrote %d", t, q.tail)
	}
	return nil
}

func (q *Queue) corrupt(format string, args ...any) error {
	return fmt.Errorf("shm: queue: "+format+": %w", append(args, ErrCorrupt)...)
}
