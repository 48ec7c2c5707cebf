//go:build linux

package proc

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/placement"
	"github.com/sharc-go/sharc/shm"
)

// Calls and results travel through two shm.Queues in a region the parent
// creates for each child and hands it at start (fd 5): calls from the
// parent to the child, results (and streamed items) back. A waiting side
// spins for a few µs, then sleeps on the queue's futex word, so a round
// trip between two running processes makes no system call and an idle
// child costs no CPU.
//
// The socket stays for what only it can do: a call that carries file
// descriptors (a region the child has not mapped yet), or a message larger
// than a queue's limit, goes through the socket as a packet, and a
// one-byte marker in the queue says where it went, so the order of calls
// and results is the queue's. Cancels keep their own socket; a child's
// death is noticed by waiting for the process itself.
const (
	queueRing  = 128 << 10 // bytes of each ring: messages up to 64 KiB - 8
	queueFd    = 5         // the region of the queues, in the child
	queuesEnv  = "SHARC_PROC_QUEUES"
	kindSocket = 's' // a queue message saying "the next message is on the socket"
)

// queues is one side's view of a child's pair of queues.
type queues struct {
	r       *shm.Region
	calls   *shm.Queue // parent → child
	results *shm.Queue // child → parent
	// took counts the messages the child has taken from the call queue,
	// and is bumped before it runs the call: after the child's death, a
	// call whose message is past it provably never ran.
	took *uint64
	// cancels holds the seqs of cancelled calls, each in slot seq %
	// cancelSlots. The parent stores one and then loads took; the child
	// bumps took and then, before it runs a call, loads its slot: one of
	// the two sees the other, so a call the parent finds untaken never
	// runs.
	cancels *[cancelSlots]uint64
	// caller holds the CPU the parent ran on when it sent its last call
	// (placement.CPU), for the child's look whether it shares that CPU.
	caller *int32
}

// Where took and the cancel slots live in the region, behind both queues.
// A call still queued has fewer than MaxInFlight calls after it, so its
// slot is its own while it waits (maxInFlight < cancelSlots).
const cancelSlots = 64

var (
	takenOff   = 2 * shm.QueueSize(queueRing)
	cancelsOff = takenOff + shm.QueueAlign
	callerOff  = cancelsOff + cancelSlots*8
	queuesSize = callerOff + shm.QueueAlign
)

// taken returns how many messages the child has taken from the call queue.
func (q *queues) taken() uint64 { return atomic.LoadUint64(q.took) }

// cancel marks the call seq cancelled for the child's check before it runs.
func (q *queues) cancel(seq uint64) { atomic.StoreUint64(&q.cancels[seq%cancelSlots], seq) }

// cancelled reports whether the parent cancelled the call seq.
func (q *queues) cancelled(seq uint64) bool {
	return atomic.LoadUint64(&q.cancels[seq%cancelSlots]) == seq
}

// layout returns the queues' view of r's control words.
func layout(r *shm.Region) *queues {
	b := r.Bytes()
	return &queues{r: r, took: (*uint64)(unsafe.Pointer(&b[takenOff])),
		cancels: (*[cancelSlots]uint64)(unsafe.Pointer(&b[cancelsOff])),
		caller:  (*int32)(unsafe.Pointer(&b[callerOff]))}
}

// childQueues holds a child's queues, for the tests that damage them.
var childQueues atomic.Pointer[queues]

// newQueues creates the region and lays out both queues in it.
func newQueues() (*queues, error) {
	r, err := shm.New(queuesSize)
	if err != nil {
		return nil, fmt.Errorf("proc: the region of a child's queues: %w", err)
	}
	q := layout(r)
	if q.calls, err = shm.NewQueue(r, 0, queueRing, 0); err == nil {
		q.results, err = shm.NewQueue(r, shm.QueueSize(queueRing), queueRing, 0)
	}
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("proc: a child's queues: %w", err)
	}
	// A call that woke its sleeping child is answered once the child's
	// CPU runs again: the caller spins through that wake-up instead of
	// sleeping and needing one of its own.
	q.results.RepliesTo(q.calls)
	return q, nil
}

// openQueues maps the region of fd and opens the queues the parent laid out.
func openQueues(fd int) (*queues, error) {
	r, err := shm.OpenFile(os.NewFile(uintptr(fd), "sharc-queues"))
	if err != nil {
		return nil, err
	}
	if r.Len() < queuesSize {
		r.Close()
		return nil, fmt.Errorf("proc: the region of the queues has %d bytes, not %d", r.Len(), queuesSize)
	}
	q := layout(r)
	if q.calls, err = shm.OpenQueue(r, 0); err == nil {
		q.results, err = shm.OpenQueue(r, shm.QueueSize(queueRing))
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return q, nil
}

func (q *queues) close() {
	q.calls.Close()
	q.results.Close()
	q.r.Close()
}

// file returns a duplicate of the region's fd for the child.
func (q *queues) file() (*os.File, error) {
	fd, err := unix.Dup(q.r.Fd())
	if err != nil {
		return nil, fmt.Errorf("proc: dup: %w", err)
	}
	return os.NewFile(uintptr(fd), "sharc-queues"), nil
}

var socketMarker = []byte{kindSocket}

// send writes a call's packet into the child's call queue, or through the
// socket with a marker in the queue when it carries fds or is too large.
func (c *child) sendQueued(pkt, oob []byte) error {
	q := c.q.calls
	atomic.StoreInt32(c.q.caller, int32(placement.CPU()))
	if len(oob) == 0 && len(pkt) <= q.MaxMessage() {
		return q.Send(c.alive, pkt)
	}
	if _, _, err := c.conn.WriteMsgUnix(pkt, oob, nil); err != nil {
		return err
	}
	return q.Send(c.alive, socketMarker)
}

// recvQueued reads the next result from the child's result queue (or, after
// a marker, from the socket) into c's buffer. It waits until ctx ends.
func (c *child) recvQueued(ctx context.Context) (seq uint64, status byte, payload []byte, err error) {
	q := c.q.results
	b, err := q.Borrow(ctx)
	if err != nil {
		return 0, 0, nil, err
	}
	if len(b) == 1 && b[0] == kindSocket {
		q.Release()
		// The child wrote the packet before the marker: it is there, unless
		// the child lies, and then ctx still ends the read.
		if ctx.Done() != nil {
			stop := context.AfterFunc(ctx, func() { c.conn.SetReadDeadline(aLongTimeAgo) })
			defer func() {
				if !stop() {
					c.conn.SetReadDeadline(noDeadline)
				}
			}()
		}
		return c.recvResult()
	}
	n := copy(c.rbuf, b)
	q.Release()
	return parseResult(c.rbuf[:n])
}

// recvCall is the child's read of the next call: from the call queue, or
// from the socket after a marker.
func (s *server) recvCall(buf, oob []byte, fds []int) (int, []int, error) {
	if s.q == nil {
		return recvPacketFd(sockFd, buf, oob, fds, s.raw)
	}
	q := s.q.calls
	b, err := q.Borrow(context.Background())
	if err != nil {
		return 0, fds[:0], err
	}
	if len(b) == 1 && b[0] == kindSocket {
		q.Release()
		n, fds, err := recvPacketFd(sockFd, buf, oob, fds, false)
		atomic.AddUint64(s.q.took, 1)
		return n, fds, err
	}
	n := copy(buf, b)
	q.Release()
	atomic.AddUint64(s.q.took, 1)
	s.place()
	return n, fds[:0], nil
}

// sendQueued writes a result into the result queue, or through the socket
// with a marker when it is too large for the queue. A queue that fails
// (damaged, the parent gone) ends the child: nobody could read its answers.
func (s *server) sendQueued(b []byte) {
	q := s.q.results
	var err error
	if len(b) <= q.MaxMessage() {
		err = q.Send(context.Background(), b)
	} else {
		s.sendSocket(b)
		err = q.Send(context.Background(), socketMarker)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, childFailure+"result queue:", err)
		os.Exit(2)
	}
}

// childFailure starts the last words of a child that cannot go on; the
// parent quotes the line in its ErrWorkerDied.
const childFailure = "sharc child: "

// place moves the child off its caller's CPU when it took a call there
// (see package placement). Two processes on one CPU take turns on it, and
// a call costs tens of microseconds instead of one or two; the kernel puts
// a woken thread next to its waker when both sleep through each round trip,
// and seldom parts them once both are busy again. The child looks on the
// calls after which both sides of the queues probe (every probeRound-th),
// since moving helps only if both then spin, and at most once per
// placeEvery.
func (s *server) place() {
	if cpu := placement.CPU(); s.mustLeave(cpu, time.Now()) {
		placement.Leave(cpu)
	}
}

// mustLeave reports whether a child that has just taken a call on cpu
// (-1: unknown) should move off it, and if so notes the move at now.
func (s *server) mustLeave(cpu int, now time.Time) bool {
	if cpu < 0 || atomic.LoadUint64(s.q.took)%probeRound != 0 ||
		int32(cpu) != atomic.LoadInt32(s.q.caller) || now.Sub(s.placed) < placeEvery {
		return false
	}
	s.placed = now
	return true
}

const (
	// probeRound is how often both sides of a queue spin long to find
	// each other running (docs/design/queue.md#spinning): after the
	// probeRound-th call, the child's wait for the next call is one.
	probeRound = 64
	placeEvery = 2 * time.Millisecond
)
