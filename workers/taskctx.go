package workers

import (
	"context"
	"sync"
	"sync/atomic"
)

// taskCtx is the context a task runs with when it has no timeout and its
// submit context is not Background or TODO (those get a bgCtx). Deriving a cancelCtx for every task registers it with the
// submit context (a lock and a map entry there, which every worker
// contends for) and costs two allocations; most short tasks never call
// Done, so taskCtx derives one only when Done is first called and answers
// Err from the submit context and its own state until then. CloseNow
// reaches it the same way: Err looks at Pool.killed, and a derived context
// registers with the pool's kill context, so running a task costs no
// registration anywhere.
type taskCtx struct {
	context.Context // the submit context: Deadline and Value come from it
	p               *Pool
	mu              sync.Mutex
	ended           atomic.Bool // the task returned
	derived         atomic.Pointer[derivedCtx]
}

type derivedCtx struct {
	ctx      context.Context
	cancel   context.CancelFunc
	stopKill func() bool
}

func (c *taskCtx) derive() *derivedCtx {
	if d := c.derived.Load(); d != nil {
		return d
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.derived.Load()
	if d != nil {
		return d
	}
	ctx, cancel := context.WithCancel(c.Context)
	if c.ended.Load() {
		// Asked for after the task returned (by a goroutine it left
		// behind): born cancelled, and not registered with the pool.
		cancel()
		d = &derivedCtx{ctx, cancel, func() bool { return false }}
		c.derived.Store(d)
		return d
	}
	d = &derivedCtx{ctx, cancel, context.AfterFunc(c.p.killCtx, cancel)}
	c.derived.Store(d)
	// end stores ended before it loads derived, and we store derived
	// before we load ended: one of us sees the other and cancels. (The
	// kill hook would cancel too, but on a goroutine of its own.)
	if c.ended.Load() {
		cancel()
		d.stopKill()
	} else if c.p.killed.Load() {
		cancel()
	}
	return d
}

func (c *taskCtx) Done() <-chan struct{} { return c.derive().ctx.Done() }

// Value asks the derived context once there is one, or once c has ended
// on its own (deriving one then), so that context.Cause, which finds the
// cancelCtx to ask through Value, agrees with Err.
func (c *taskCtx) Value(key any) any {
	if c.derived.Load() != nil || c.ended.Load() || c.p.killed.Load() {
		return c.derive().ctx.Value(key)
	}
	return c.Context.Value(key)
}

func (c *taskCtx) Err() error {
	if d := c.derived.Load(); d != nil {
		return d.ctx.Err()
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	if c.ended.Load() || c.p.killed.Load() {
		return context.Canceled
	}
	return nil
}

// AfterFunc lets context.AfterFunc, WithCancel and friends register with
// the derived context directly instead of starting a goroutine to watch
// Done, as they must for a context type they do not know.
func (c *taskCtx) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.derive().ctx, f)
}

func (c *taskCtx) String() string { return "workers.taskCtx" }

// end cancels c once its task has returned.
func (c *taskCtx) end() {
	c.ended.Store(true)
	if d := c.derived.Load(); d != nil {
		d.cancel()
		d.stopKill()
	}
}
