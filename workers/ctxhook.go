package workers

import (
	"context"
)

// ctxHook is the cancel hook of the queued tasks that share one Done
// channel. One hook per channel, not per task, keeps a cancellable submit
// context from costing a registration with it (a lock and a map entry in
// the context, contended by every submitter) per task.
type ctxHook struct {
	stop   func() bool
	queued int // live queued tasks with this Done channel
}

func (p *Pool) hookLocked(ctx context.Context, done <-chan struct{}) {
	h := p.hooks[done]
	if h != nil && h.queued == 0 {
		p.idleHooks--
	}
	if h == nil {
		if p.hooks == nil {
			p.hooks = make(map[<-chan struct{}]*ctxHook)
		}
		h = new(ctxHook)
		// The hook runs on its own goroutine, so taking p.mu there is safe.
		h.stop = context.AfterFunc(ctx, func() { p.cancelQueued(done) })
		p.hooks[done] = h
	}
	h.queued++
}

// unhookLocked drops a task that left the queue alive from its hook. A
// hook left with no tasks stays registered (idle), because a context that
// had tasks queued is likely to queue more: a producer's queue often
// empties between its submits. Idle hooks are swept when there are more
// than maxIdleHooks, and at close.
func (p *Pool) unhookLocked(done <-chan struct{}) {
	h := p.hooks[done]
	if h == nil {
		return // the hook fired; cancelQueued will find the task gone
	}
	if h.queued--; h.queued == 0 {
		p.idleHooks++
		if p.idleHooks > maxIdleHooks || p.closed {
			p.sweepHooksLocked()
		}
	}
}

// maxIdleHooks bounds the cancel hooks kept for contexts with no task
// queued.
const maxIdleHooks = 16

// sweepHooksLocked unregisters the idle hooks. (stop takes the context's
// lock, never p.mu, so calling it here cannot deadlock.)
func (p *Pool) sweepHooksLocked() {
	for done, h := range p.hooks {
		if h.queued == 0 {
			delete(p.hooks, done)
			h.stop()
		}
	}
	p.idleHooks = 0
}

// cancelQueued removes the queued tasks whose context's Done channel is
// done, after it was closed. Their slots in the ring become tombstones.
func (p *Pool) cancelQueued(done <-chan struct{}) {
	var gone []entry
	p.mu.Lock()
	// The hook counts its live queued tasks, so an idle hook (a context
	// that ends after its tasks ran: a request's, typically) scans nothing.
	// Without an entry there is nothing queued under done either: tasks
	// are queued only through hookLocked, and a swept hook had none.
	want := 0
	if h := p.hooks[done]; h != nil {
		want = h.queued
		if h.queued == 0 {
			p.idleHooks--
		}
		delete(p.hooks, done)
	}
	for i := 0; len(gone) < want && i < p.rlen; i++ {
		e := &p.ring[(p.rhead+i)&(len(p.ring)-1)]
		if !e.dead && e.done == done {
			e.dead = true
			p.dequeuedLocked()
			gone = append(gone, *e)
		}
	}
	p.mu.Unlock()
	p.stats.cancelled.Add(uint64(len(gone)))
	for i := range gone {
		gone[i].complete(notRun(gone[i].ctx.Err()))
	}
}
