//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// awaitQueued waits for the answer to the call seq sent to c through its
// queues; see runOn. The wait ends with the answer, with ctx, or with the
// child's exit, whichever comes first.
func (p *Pool) awaitQueued(ctx context.Context, c *child, seq uint64, fn string, arg []byte, regions []RegionArg) (out []byte, sent bool, err error) {
	wctx := c.alive
	if ctx.Done() != nil {
		var cancel context.CancelFunc
		wctx, cancel = context.WithCancel(ctx)
		stop := context.AfterFunc(c.alive, cancel)
		defer func() {
			stop()
			cancel()
		}()
	}
	for {
		rseq, status, payload, err := c.recvQueued(wctx)
		if err != nil {
			err, taken := p.queueFailed(ctx, c, seq, fn, regions, err)
			return nil, taken, err
		}
		if rseq != seq {
			continue // a late answer to a call cancelled earlier
		}
		switch status {
		case statusItem:
			deliverItem(ctx, payload)
			continue
		case statusMiss:
			// The child lost a cached mapping (a task closed it): send
			// every region's fd again.
			if err := c.sendCall(seq, fn, arg, regions, true); err != nil {
				return nil, true, p.retire(c, true, fmt.Errorf("%w: sending %s: %v", ErrWorkerDied, fn, err))
			}
			continue
		}
		out, err = answer(fn, status, payload)
		p.release(c)
		return out, true, err
	}
}

// queueFailed handles a wait for an answer that ended without one: the
// caller's ctx ended (the child is reclaimed in the background), the child
// died, or its queue is broken (the child is killed). taken is false for
// a child that died before it took the call from the queue: the call never
// ran, and it goes to another child.
func (p *Pool) queueFailed(ctx context.Context, c *child, seq uint64, fn string, regions []RegionArg, err error) (_ error, taken bool) {
	if c.alive.Err() == nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		p.bg.Add(1)
		go p.reclaimQueued(c, seq)
		return ctx.Err(), true
	}
	if c.alive.Err() == nil {
		// Alive, but its queue says something no healthy child writes.
		return p.retire(c, true, fmt.Errorf("%w: %s: its result queue failed: %w", ErrWorkerDied, fn, err)), true
	}
	taken = c.q.calls.Len() == 0
	for _, ra := range regions {
		taken = taken || ra.transfer // a transferred region is gone here: no second try
	}
	return p.retire(c, true, fmt.Errorf("%w while running %s", ErrWorkerDied, fn)), taken
}

// reclaimQueued is reclaim for a child with queues.
func (p *Pool) reclaimQueued(c *child, seq uint64) {
	defer p.bg.Done()
	c.ctl.Write(binary.LittleEndian.AppendUint64(nil, seq))
	ctx, cancel := context.WithTimeout(c.alive, p.opts.Grace)
	defer cancel()
	for {
		rseq, status, _, err := c.recvQueued(ctx)
		switch {
		case err != nil && c.alive.Err() == nil && errors.Is(err, context.DeadlineExceeded):
			p.killed.Add(1)
			c.stop(true)
			p.replace()
			return
		case err != nil:
			p.retire(c, true, nil)
			return
		case rseq == seq && status != statusItem:
			p.idle <- c
			return
		}
	}
}
