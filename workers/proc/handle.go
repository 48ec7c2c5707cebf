//go:build linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"sync/atomic"
	"weak"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/shm"
)

// child is one worker process and the parent's ends of its sockets. With
// queues, its sending side (seq, the cache, the call queue) is guarded by
// smu and its calls in flight by mu; through the socket, only the one
// caller the pool handed it to uses it.
type child struct {
	p    *Pool
	cmd  *exec.Cmd
	conn *net.UnixConn // calls and results
	ctl  *net.UnixConn // cancels
	err  error         // set on a placeholder for a child that failed to start

	// q holds the call and result queues (nil: calls go through conn).
	// alive is cancelled once the process has exited, which ends every
	// wait on the queues; exited is closed then.
	q      *queues
	alive  context.Context
	dead   context.CancelFunc
	exited chan struct{}

	rssAt atomic.Int64 // when (ns) its RSS was last read, for Options.MaxRSS

	// The pool's scheduler's fields, guarded by its mu: the weight of the
	// calls in flight, the calls handed to it, whether it takes no more
	// (due for recycling) and whether it was retired.
	load, assigned    int
	draining, retired bool

	// Pipelined calls through the queues (see pool_queued.go).
	smu     sync.Mutex // the sending side; taken before mu
	mu      sync.Mutex // what follows
	pend    map[uint64]*pcall
	reading bool   // someone reads the result queue:
	reader  *pcall // this call's caller, or (nil) a background reader
	sent    uint64 // messages written to the call queue (under smu)
	gone    bool   // the child is dead and reported
	took    uint64 // the call queue's messages it took, once stopped
	cause   error  // why the pool killed it, if it did for a failure
	killing bool   // the pool killed it after a grace period

	seq  uint64
	wbuf []byte
	rbuf []byte
	oob  []byte
	fds  []int // sent with a call: the regions' own fds, never closed here
	rfds []int // received with a result (none are expected)
	refs []regionRef

	// cache mirrors the child's cache of mapped regions: the parent
	// decides what the child keeps, so it can send a cached region by key
	// alone and tell the child to unmap regions closed here.
	cache map[regionKey]*cachedRegion
	tick  uint64
	drops []regionKey

	tail *tailWriter
	once sync.Once
	how  string
}

type cachedRegion struct {
	r    weak.Pointer[shm.Region]
	size int64
	used uint64
}

var errRegion = errors.New("proc: region")

// sendCall writes a call. With allFds, every region goes with its fd
// (after a miss in the child's cache).
func (c *child) sendCall(seq uint64, fn string, arg []byte, regions []RegionArg, allFds bool) error {
	// Check every region before touching the cache, so a bad region
	// leaves the parent's view of the child's cache as it was.
	var keys [maxFds]regionRef
	for i, ra := range regions {
		fd := ra.r.Fd()
		if fd < 0 {
			return fmt.Errorf("%w for %s: %w", errRegion, fn, shm.ErrClosed)
		}
		key, size, err := keyOf(fd)
		if err != nil {
			return fmt.Errorf("%w for %s: %w", errRegion, fn, err)
		}
		keys[i] = regionRef{key: key, size: size}
	}
	c.tick++
	c.refs = c.refs[:0]
	c.fds = c.fds[:0]
	c.drops = c.drops[:0]
	// Regions closed or collected here are unmapped in the child too.
	for k, e := range c.cache {
		if r := e.r.Value(); r == nil || r.Len() == 0 {
			c.drops = append(c.drops, k)
			delete(c.cache, k)
		}
	}
	for i, ra := range regions {
		ref := keys[i]
		key, size := ref.key, ref.size
		e, cached := c.cache[key]
		switch {
		case ra.transfer:
			// The child owns it after this call; its cached mapping,
			// if any, goes with the call.
			ref.flags = refFd | refTransfer
			delete(c.cache, key)
		case cached && e.size == size && !allFds:
			ref.flags = refCache
			e.r, e.used = weak.Make(ra.r), c.tick
		default:
			ref.flags = refFd
			if cached || c.makeRoom() {
				ref.flags |= refCache
				c.cache[key] = &cachedRegion{r: weak.Make(ra.r), size: size, used: c.tick}
			}
		}
		if ref.flags&refFd != 0 {
			c.fds = append(c.fds, ra.r.Fd())
		}
		c.refs = append(c.refs, ref)
	}
	c.wbuf = appendCall(c.wbuf[:0], &callMsg{seq: seq, fn: fn, arg: arg, refs: c.refs, drops: c.drops})
	var oob []byte
	if len(c.fds) > 0 {
		// The kernel duplicates the fds into the child while sending, so
		// the regions' own fds go as they are.
		oob = unix.UnixRights(c.fds...)
	}
	var err error
	if c.q != nil {
		err = c.sendQueued(c.wbuf, oob)
	} else {
		_, _, err = c.conn.WriteMsgUnix(c.wbuf, oob, nil)
	}
	if cap(c.wbuf) > 1<<16 {
		c.wbuf = nil
	}
	return err
}

// makeRoom evicts the least recently used cached region not used by the
// call being built, if the cache is full, and reports whether there is room.
func (c *child) makeRoom() bool {
	if len(c.cache) < maxCached {
		return true
	}
	var (
		lru  regionKey
		old  *cachedRegion
		have bool
	)
	for k, e := range c.cache {
		if e.used != c.tick && (!have || e.used < old.used) {
			lru, old, have = k, e, true
		}
	}
	if !have {
		return false
	}
	delete(c.cache, lru)
	c.drops = append(c.drops, lru)
	return true
}

func (c *child) recvResult() (seq uint64, status byte, payload []byte, err error) {
	n, fds, err := recvPacket(c.conn, c.rbuf, c.oob, c.rfds)
	c.rfds = fds
	closeFds(fds) // a child never sends any
	if err != nil {
		return 0, 0, nil, err
	}
	return parseResult(c.rbuf[:n])
}

// stop closes the sockets (a healthy child exits on EOF), kills the child if
// asked to, reaps it and returns how it ended.
func (c *child) stop(kill bool) string {
	c.once.Do(func() {
		if kill {
			c.cmd.Process.Kill()
		}
		c.conn.Close()
		c.ctl.Close() // with queues, the child's sign to exit
		err := c.cmd.Wait()
		if c.q != nil {
			<-c.exited
			c.took = c.q.taken()
			c.q.close()
		}
		c.how = exitText(c.cmd.ProcessState, err)
		if cause := c.tail.cause(); cause != "" {
			c.how += " (" + cause + ")"
		}
		c.p.mu.Lock()
		delete(c.p.live, c)
		c.p.mu.Unlock()
	})
	return c.how
}
