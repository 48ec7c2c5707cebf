//go:build linux

package proc

import "context"

// Close stops accepting calls, lets queued and running calls finish, and
// stops the children. If ctx ends first, Close stops the pool as CloseNow
// does and returns ctx.Err(), as workers.Pool's Close does. After Close no
// child process remains.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.calls.Wait()
		p.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		p.stopAll(false)
		return nil
	case <-ctx.Done():
		p.CloseNow()
		return ctx.Err()
	}
}

// CloseNow kills the children at once; queued and running calls fail with an
// error matching ErrClosed and context.Canceled (and, for queued ones,
// workers.ErrNotRun). It returns when every child is reaped.
func (p *Pool) CloseNow() {
	p.mu.Lock()
	p.closed = true
	select {
	case <-p.kill:
	default:
		close(p.kill)
	}
	live := make([]*child, 0, len(p.live))
	for c := range p.live {
		live = append(live, c)
	}
	p.mu.Unlock()
	// Killing wakes every caller blocked on a child's answer.
	for _, c := range live {
		c.cmd.Process.Kill()
	}
	p.calls.Wait()
	p.bg.Wait()
	p.stopAll(true)
}

// stopAll stops every child; no call or background work remains.
func (p *Pool) stopAll(kill bool) {
	p.once.Do(func() {
		p.mu.Lock()
		live := make([]*child, 0, len(p.live))
		for c := range p.live {
			live = append(live, c)
		}
		p.mu.Unlock()
		for _, c := range live {
			c.stop(kill)
		}
		p.sched.clear()
	})
}
