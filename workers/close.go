package workers

import (
	"context"
	"slices"
)

func (p *Pool) closeLocked() {
	if p.closed {
		return
	}
	p.closed = true
	p.sweepHooksLocked()
	p.notifyLocked()
	p.releaseIdleLocked(len(p.idle))
}

// Close stops accepting tasks, lets queued and running tasks finish, and
// waits for every worker to exit. If ctx ends first, Close stops the pool as
// CloseNow does (queued tasks dropped, running ones cancelled) and returns
// ctx.Err() without waiting for tasks that ignore their cancelled context;
// they finish in the background. proc.Pool's Close behaves the same.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closeLocked()
	p.mu.Unlock()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		p.stop()
		return ctx.Err()
	}
}

// CloseNow stops accepting tasks, drops the queued ones (their errors match
// ErrClosed, ErrNotRun and context.Canceled), cancels the contexts of running
// ones, and waits for every worker to exit.
func (p *Pool) CloseNow() {
	p.stop()
	<-p.done
}

// stop is CloseNow without the wait.
func (p *Pool) stop() {
	p.mu.Lock()
	p.closeLocked()
	var dropped []entry
	for e, ok := p.popLocked(); ok; e, ok = p.popLocked() {
		dropped = append(dropped, e)
	}
	p.mu.Unlock()
	p.killed.Store(true)
	p.kill()
	// A worker arms its task's cancel and then checks killed, so each
	// running task is cancelled here or by its worker.
	p.mu.Lock()
	running := slices.Clone(p.all)
	p.mu.Unlock()
	for _, w := range running {
		w.killMu.Lock()
		if w.cancel != nil {
			w.cancel()
		}
		w.killMu.Unlock()
	}
	for i := range dropped {
		p.stats.cancelled.Add(1)
		dropped[i].complete(errClosedCanceled)
	}
}
