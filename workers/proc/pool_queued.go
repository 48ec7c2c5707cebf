//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Calls through a child's queues are pipelined: up to Options.MaxInFlight
// calls sit in the call queue while the child runs the one before, and
// their answers come back in the result queue. One caller at a time reads
// the result queue (the reader); an answer to another call is handed to
// that call's caller, who is parked on its wake channel, and the reader
// goes on until its own answer comes, then passes the role to a caller
// still waiting. When every caller still waiting has gone (cancelled), a
// background reader drains the answers nobody wants, so the child's load
// falls back and an abandoned call that runs past the grace period gets
// its child killed.

// pcall is a call sent (or about to be sent) to a child through its
// queues. The fields below wake are guarded by the child's mu.
type pcall struct {
	seq     uint64
	fn      string
	arg     []byte
	regions []RegionArg
	weight  int
	wake    chan struct{} // capacity 1: something below changed

	queued    bool   // it holds a place in the pool's queue (see acquire)
	resent    bool   // sent again after a miss
	msg       uint64 // its message's number in the call queue; 0: not sent yet
	answered  bool   // out and err hold the answer
	out       []byte
	err       error
	retry     bool        // the child died before it took the call: it never ran
	miss      bool        // the child asks for every region's fd again
	abandoned bool        // the caller has gone: the answer is discarded
	timer     *time.Timer // the grace period of an abandoned call at the head
}

// pcalls recycles the records of answered calls (and their wake channels),
// so that a call allocates nothing but its answer. A record goes back only
// once its caller has its answer: an abandoned call's record may still be
// read by the reader or its grace timer, and is left to the collector.
var pcalls = sync.Pool{New: func() any { return &pcall{wake: make(chan struct{}, 1)} }}

// newPcall returns a cleared record with an empty wake channel.
func newPcall() *pcall {
	pc := pcalls.Get().(*pcall)
	select {
	case <-pc.wake: // a signal left from its previous call
	default:
	}
	*pc = pcall{wake: pc.wake}
	return pc
}

func (pc *pcall) signal() {
	select {
	case pc.wake <- struct{}{}:
	default:
	}
}

// runQueued runs one call on c through its queues; see runOn.
func (p *Pool) runQueued(ctx context.Context, c *child, weight int, queued bool, fn string, arg []byte, regions []RegionArg) ([]byte, bool, error) {
	pc := newPcall()
	pc.fn, pc.arg, pc.regions, pc.weight, pc.queued = fn, arg, regions, weight, queued
	// A call that transfers a region cannot be sent again after a miss in
	// the child's cache (the region is gone here by then), so it sends
	// every region with its fd at once.
	allFds := false
	for _, ra := range regions {
		allFds = allFds || ra.transfer
	}
	c.smu.Lock()
	c.mu.Lock()
	if c.gone {
		p.unqueue(pc)
		c.mu.Unlock()
		c.smu.Unlock()
		return nil, false, fmt.Errorf("%w before %s was sent", ErrWorkerDied, fn)
	}
	c.seq++
	pc.seq = c.seq
	c.pend[pc.seq] = pc
	if !c.reading {
		c.reading, c.reader = true, pc
	}
	c.mu.Unlock()
	var err error
	if c.alive.Err() == nil {
		// A child that died while idle is not sent the call: the reader
		// finds it dead, and the call, never taken, goes to another child.
		err = c.sendCall(pc.seq, fn, arg, regions, allFds)
		if err == nil {
			c.sent++
			c.mu.Lock()
			pc.msg = c.sent
			c.mu.Unlock()
		}
	}
	c.smu.Unlock()
	if err != nil {
		if errors.Is(err, errRegion) || errors.Is(err, unix.EMSGSIZE) {
			// Nothing was sent: the call fails here and c goes on.
			c.mu.Lock()
			if !pc.answered {
				delete(c.pend, pc.seq)
				p.unqueue(pc)
				if c.reader == pc {
					p.passRole(c)
				}
			}
			c.mu.Unlock()
			if !pc.answered {
				p.putBack(c, weight)
				if errors.Is(err, unix.EMSGSIZE) {
					return nil, false, fmt.Errorf("proc: call to %s of %d bytes does not fit the socket buffer (net.core.wmem_max): %w", fn, len(arg), err)
				}
				return nil, false, err
			}
		} else {
			// The call queue or the socket failed: the child is killed,
			// and the reader reports every call in flight.
			p.breakChild(c, fmt.Errorf("sending %s: %w", fn, err))
		}
	} else {
		closeTransferred(regions)
	}
	return p.await(ctx, c, pc)
}

// await waits for pc's answer, reading the result queue while pc's caller
// holds the reader's role.
func (p *Pool) await(ctx context.Context, c *child, pc *pcall) (out []byte, sent bool, err error) {
	for {
		c.mu.Lock()
		switch {
		case pc.answered:
			out, sent, err = pc.out, !pc.retry, pc.err
			c.mu.Unlock()
			// Nobody holds pc any more: the reader let go of it when it
			// answered, under c.mu.
			*pc = pcall{wake: pc.wake}
			pcalls.Put(pc)
			return out, sent, err
		case pc.miss:
			pc.miss = false
			c.mu.Unlock()
			p.resend(c, pc)
			continue
		case c.reader == pc:
			c.mu.Unlock()
			if p.read(ctx, c, pc) {
				continue
			}
		default:
			c.mu.Unlock()
			select {
			case <-pc.wake:
				continue
			case <-ctx.Done():
			}
		}
		// ctx ended before the answer came.
		if abandoned, notRan := p.abandon(c, pc); notRan {
			return nil, false, notRun(ctx.Err())
		} else if abandoned {
			return nil, true, ctx.Err()
		}
	}
}

// read reads results for the calls in flight on c and hands them out, as
// the caller of me (or, with me nil, in the background), until me is
// answered, the role passes on, or ctx ends (then it returns false).
func (p *Pool) read(ctx context.Context, c *child, me *pcall) bool {
	wctx := c.alive
	if ctx != nil && ctx.Done() != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithCancel(ctx)
		stop := context.AfterFunc(c.alive, cancel)
		defer func() {
			stop()
			cancel()
		}()
	}
	draining := false
	for {
		rseq, status, payload, err := c.recvQueued(wctx)
		if err != nil {
			if ctx != nil && ctx.Err() != nil && c.alive.Err() == nil && errors.Is(err, ctx.Err()) {
				return false
			}
			if c.alive.Err() != nil && !draining {
				// The child has exited, but the read may have ended
				// (on ctx) before the answers it committed first were
				// seen: those are read now, with a context that is done
				// (a read returns what is there and no more), so that a
				// call it answered is not reported as dying with it.
				draining, wctx = true, c.alive
				continue
			}
			p.lost(c, err)
			return true
		}
		c.mu.Lock()
		pc := c.pend[rseq]
		switch {
		case pc == nil: // an answer nobody waits for any more
			c.mu.Unlock()
			continue
		case status == statusItem:
			c.mu.Unlock()
			if pc == me {
				deliverItem(ctx, payload)
			}
			continue
		case status == statusMiss && !pc.abandoned:
			// The child lost a cached mapping (a task closed it): the
			// call goes again with every region's fd.
			if pc != me {
				pc.miss = true
				pc.signal()
				c.mu.Unlock()
				continue
			}
			c.mu.Unlock()
			p.resend(c, pc)
			continue
		}
		delete(c.pend, rseq)
		p.unqueue(pc)
		if pc.timer != nil {
			pc.timer.Stop()
		}
		if !pc.abandoned && status != statusMiss {
			pc.out, pc.err = answer(pc.fn, status, payload)
			pc.answered = true
			if pc != me {
				pc.signal()
			}
		}
		p.timeHead(c)
		done := pc == me || me == nil && p.passable(c)
		if done {
			p.passRole(c)
		}
		// pc is its caller's again once c.mu is let go.
		weight := pc.weight
		c.mu.Unlock()
		p.release(c, weight)
		if done {
			return true
		}
	}
}

// passable reports whether a caller waits on c, or nobody at all.
// c.mu is held.
func (p *Pool) passable(c *child) bool {
	for _, pc := range c.pend {
		if !pc.abandoned {
			return true
		}
	}
	return len(c.pend) == 0
}

// passRole gives the reader's role to the oldest call whose caller waits,
// or to a background reader if only abandoned calls remain, or to nobody.
// c.mu is held.
func (p *Pool) passRole(c *child) {
	var next *pcall
	for _, pc := range c.pend {
		if !pc.abandoned && (next == nil || pc.seq < next.seq) {
			next = pc
		}
	}
	switch {
	case next != nil:
		c.reader = next
		next.signal()
	case len(c.pend) > 0:
		c.reader = nil
		p.bg.Add(1)
		go func() {
			defer p.bg.Done()
			p.read(nil, c, nil)
		}()
	default:
		c.reading, c.reader = false, nil
	}
}

// timeHead starts the grace period of the oldest call in flight if its
// caller has gone: the child is running it (or is about to). c.mu is held.
func (p *Pool) timeHead(c *child) {
	var head *pcall
	for _, pc := range c.pend {
		if head == nil || pc.seq < head.seq {
			head = pc
		}
	}
	if head == nil || !head.abandoned || head.timer != nil {
		return
	}
	head.timer = time.AfterFunc(p.opts.Grace, func() {
		c.mu.Lock()
		overdue := !c.gone && c.pend[head.seq] == head
		if overdue {
			c.killing = true
		}
		c.mu.Unlock()
		if overdue {
			// The reader finds the child dead and reports the rest.
			p.killed.Add(1)
			c.cmd.Process.Kill()
		}
	})
}

// abandon gives up pc after its caller's ctx ended, unless it was answered
// meanwhile (then it reports false), and reports whether the call provably
// never runs. The child is told to cancel the call; its answer, when it
// comes, is discarded. A call the child answered with a miss is sent once
// more, so that an answer (to the cancel) comes for it as for any other.
func (p *Pool) abandon(c *child, pc *pcall) (abandoned, notRan bool) {
	c.mu.Lock()
	if pc.answered {
		c.mu.Unlock()
		return false, false
	}
	pc.abandoned = true
	// Its caller has gone: its place in the pool's queue is free again
	// (the child's load still counts it until its answer comes).
	p.unqueue(pc)
	switch {
	case pc.msg == 0: // never sent: the child was dead
		notRan = true
	case !pc.resent && !c.gone:
		c.q.cancel(pc.seq)
		notRan = pc.msg > c.q.taken()
	}
	miss := pc.miss
	pc.miss = false
	if c.reader == pc {
		p.passRole(c)
	}
	p.timeHead(c)
	c.mu.Unlock()
	c.ctl.Write(binary.LittleEndian.AppendUint64(nil, pc.seq))
	if miss {
		p.resend(c, pc)
	}
	return true, notRan
}

// unqueue gives back pc's place in the pool's queue, if it holds one.
// c.mu is held.
func (p *Pool) unqueue(pc *pcall) {
	if pc.queued {
		pc.queued = false
		<-p.slots
		p.piped.Add(-1)
	}
}

// resend sends pc again with every region's fd, after a miss.
func (p *Pool) resend(c *child, pc *pcall) {
	c.smu.Lock()
	c.mu.Lock()
	gone := c.gone
	c.mu.Unlock()
	var err error
	if !gone {
		err = c.sendCall(pc.seq, pc.fn, pc.arg, pc.regions, true)
		if err == nil {
			c.sent++
			c.mu.Lock()
			pc.msg, pc.resent = c.sent, true
			c.mu.Unlock()
		}
	}
	c.smu.Unlock()
	if err != nil {
		p.breakChild(c, fmt.Errorf("sending %s: %w", pc.fn, err))
	}
}

// breakChild kills a child whose call queue or socket failed; the reader
// then reports every call in flight with cause.
func (p *Pool) breakChild(c *child, cause error) {
	c.mu.Lock()
	if c.cause == nil {
		c.cause = cause
	}
	c.mu.Unlock()
	c.cmd.Process.Kill()
}

// lost retires a child that died or whose result queue failed (err) and
// answers every call in flight on it: a call the child never took from
// its queue goes to another child (unless it transferred a region, which
// is gone here); any other fails with ErrWorkerDied, or with ErrClosed if
// the pool is being stopped. Only the reader calls it.
func (p *Pool) lost(c *child, err error) {
	if c.alive.Err() == nil {
		// Alive, but its result queue says something no healthy child
		// writes.
		c.mu.Lock()
		if c.cause == nil {
			c.cause = fmt.Errorf("its result queue failed: %w", err)
		}
		c.mu.Unlock()
		c.cmd.Process.Kill()
	}
	// Once every sender is out of the call queue, nobody touches the
	// queues but this reader, and stop unmaps them.
	c.smu.Lock()
	c.mu.Lock()
	c.gone = true
	c.mu.Unlock()
	c.smu.Unlock()
	how := c.stop(true)
	taken := c.took
	first := p.sched.drop(c)
	closed := false
	select {
	case <-p.kill:
		closed = true
	default:
	}
	c.mu.Lock()
	cause, killing := c.cause, c.killing
	for seq, pc := range c.pend {
		delete(c.pend, seq)
		p.unqueue(pc)
		if pc.timer != nil {
			pc.timer.Stop()
		}
		if pc.abandoned {
			continue
		}
		transfer := false
		for _, ra := range pc.regions {
			transfer = transfer || ra.transfer
		}
		untaken := pc.miss || pc.msg == 0 || pc.msg > taken
		switch {
		case closed && untaken:
			pc.err = errClosedNotRun
		case closed:
			pc.err = errClosedCanceled
		case untaken && !transfer:
			pc.retry = true
			pc.err = fmt.Errorf("%w before it took %s: %s", ErrWorkerDied, pc.fn, how)
		case cause != nil:
			pc.err = fmt.Errorf("%w: %s: %w: %s", ErrWorkerDied, pc.fn, cause, how)
		default:
			pc.err = fmt.Errorf("%w while running %s: %s", ErrWorkerDied, pc.fn, how)
		}
		pc.answered = true
		pc.signal()
	}
	c.reading, c.reader = false, nil
	c.mu.Unlock()
	if !closed && !killing {
		p.died.Add(1)
	}
	if first && !closed {
		p.replace()
	}
}
