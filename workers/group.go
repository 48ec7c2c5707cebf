package workers

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// GroupOptions configures a Group or a ResultGroup. The zero value sets no
// limit of the group's own, cancels the group at the first failure and
// makes Wait return that failure.
type GroupOptions struct {
	// Limit bounds the members in flight (queued in the pool or running)
	// at once, so that one group cannot flood a pool that others share.
	// Go waits for a free slot and TryGo reports false. 0 means no bound
	// beyond the pool's own.
	Limit int
	// KeepGoing lets the other members run on after one fails: the group's
	// context is then cancelled only by its parent.
	KeepGoing bool
	// JoinErrors makes Wait return every member's failure, joined with
	// errors.Join in the order they happened, instead of the first one.
	// Members that fail only because an earlier failure cancelled the group
	// (with context.Canceled) or that were dropped before running are not
	// listed again.
	JoinErrors bool
}

// group is what Group and ResultGroup share: membership counting, the
// limit, the derived context and the error record.
type group struct {
	pool       *Pool // nil: members run on goroutines of their own
	ctx        context.Context
	cancel     context.CancelCauseFunc
	sem        chan struct{} // one token per member in flight; nil: no limit
	keepGoing  bool
	joinErrors bool
	wg         sync.WaitGroup
	launched   atomic.Bool // a member was started: the limit is fixed from here

	mu     sync.Mutex
	err    error   // the first failure
	errs   []error // every failure, with JoinErrors
	failed bool    // a member failed and cancelled the group
}

func (g *group) init(ctx context.Context, p *Pool, opts GroupOptions) {
	g.pool = p
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.keepGoing, g.joinErrors = opts.KeepGoing, opts.JoinErrors
	if opts.Limit > 0 {
		g.sem = make(chan struct{}, opts.Limit)
	}
}

func (g *group) setLimit(n int) {
	if g.launched.Load() {
		panic("workers: SetLimit called after the group's first Go")
	}
	g.sem = nil
	if n > 0 {
		g.sem = make(chan struct{}, n)
	}
}

// acquire takes a slot under the limit; with block false it fails at once
// when none is free. It reports false, having recorded the member as
// dropped, when the group's context ended first.
func (g *group) acquire(block bool) (ok, dropped bool) {
	if !g.launched.Load() {
		g.launched.Store(true)
	}
	if g.sem == nil {
		return true, false
	}
	select {
	case g.sem <- struct{}{}:
		return true, false
	default:
	}
	if !block {
		return false, false
	}
	select {
	case g.sem <- struct{}{}:
		return true, false
	case <-g.ctx.Done():
		g.record(g.ctx.Err(), false)
		return false, true
	}
}

// A memberRunner is a member as the pool runs it: a task with a handle,
// whose complete is called exactly once, whether it ran or was dropped
// while queued. One allocation per member, and the pool counts its
// failures.
type memberRunner interface {
	runner
	state() *memberState
}

// memberState is what every member keeps besides its function.
type memberState struct {
	g      *group
	ran    bool // its function was called
	normal bool // its function returned
	ended  bool // done was called for it
}

func (m *memberState) state() *memberState    { return m }
func (m *memberState) timeout() time.Duration { return 0 }

func (m *memberState) complete(err error) {
	if !m.ended {
		m.ended = true
		m.g.done(err, m.ran)
	}
}

// guard is deferred by a member's call: it turns a panic into a
// *PanicError, and records a runtime.Goexit (as a *PanicError of
// ErrGoexit) at once, since on a goroutine of the group's own nothing else
// would.
func (m *memberState) guard(err *error) {
	if m.normal {
		return
	}
	v := recover()
	*err = panicError(v)
	if v == nil {
		m.complete(*err)
	}
}

// member is a Group's member.
type member struct {
	memberState
	fn func(ctx context.Context) error
}

func (m *member) call(ctx context.Context) (err error) {
	m.ran = true
	defer m.guard(&err)
	err = m.fn(ctx)
	m.normal = true
	return err
}

// launch runs a member that already holds its slot. With block false it
// reports false, giving the slot back, when the pool's queue is full.
func (g *group) launch(m memberRunner, block bool) bool {
	g.wg.Add(1)
	if g.pool == nil {
		if err := g.ctx.Err(); err != nil {
			m.complete(err)
			return true
		}
		go func() { m.complete(m.call(g.ctx)) }()
		return true
	}
	err := g.pool.submit(entry{r: m, ctx: g.ctx, handle: true}, block)
	if !block && errors.Is(err, ErrQueueFull) {
		g.release()
		g.wg.Done()
		return false
	}
	if err != nil {
		m.complete(err)
	}
	return true
}

func (g *group) release() {
	if g.sem != nil {
		<-g.sem
	}
}

// done ends one member: ran says whether its function ran (and returned
// err) or it was dropped before running (err says why).
func (g *group) done(err error, ran bool) {
	if err != nil {
		g.record(err, ran)
	}
	g.release()
	g.wg.Done()
}

func (g *group) record(err error, ran bool) {
	g.mu.Lock()
	first := g.err == nil
	if first {
		g.err = err
	}
	if g.joinErrors && (first || ran && !(g.failed && errors.Is(err, context.Canceled))) {
		g.errs = append(g.errs, err)
	}
	cancel := ran && !g.keepGoing && !g.failed
	if cancel {
		g.failed = true
	}
	g.mu.Unlock()
	if cancel {
		g.cancel(err)
	}
}

func (g *group) wait() error {
	g.wg.Wait()
	g.cancel(context.Canceled)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.joinErrors && len(g.errs) > 1 {
		return errors.Join(g.errs...)
	}
	return g.err
}

// A Group runs related tasks on a pool and waits for them together, like
// golang.org/x/sync/errgroup on a shared pool. Its members run with a
// context derived from the one the group was made with; by default the first
// member to fail cancels it, so members still queued are dropped without
// running and running ones see ctx.Done(). A panicking member fails with a
// *PanicError. Make one with NewGroup; a Group is not reused after Wait.
type Group struct{ g group }

// NewGroup returns a group whose members run on p, or each on a goroutine
// of its own when p is nil (errgroup's way, for members that mostly wait).
func NewGroup(ctx context.Context, p *Pool, opts GroupOptions) *Group {
	g := &Group{}
	g.g.init(ctx, p, opts)
	return g
}

// Context returns the group's context: the members' parent, cancelled at the
// first failure (unless KeepGoing), when the parent is, or when Wait returns.
func (g *Group) Context() context.Context { return g.g.ctx }

// SetLimit sets the limit of members in flight (GroupOptions.Limit); n <= 0
// removes it. It panics once a member has been started.
func (g *Group) SetLimit(n int) { g.g.setLimit(n) }

// Go starts fn as a member, waiting for a slot under the group's limit and
// for room in the pool's queue. If the group is cancelled first, fn never
// runs; if the pool is closed, the member fails with ErrClosed. Go may be
// called by members too, but a member waiting for a slot under the limit
// that only members hold can deadlock, as with errgroup.
func (g *Group) Go(fn func(ctx context.Context) error) {
	if ok, _ := g.g.acquire(true); ok {
		g.g.launch(&member{memberState{g: &g.g}, fn}, true)
	}
}

// TryGo is Go that does not wait: it reports false, and fn is not started,
// when the group is at its limit or the pool's queue is full.
func (g *Group) TryGo(fn func(ctx context.Context) error) bool {
	if ok, _ := g.g.acquire(false); !ok {
		return false
	}
	return g.g.launch(&member{memberState{g: &g.g}, fn}, false)
}

// Wait waits for every member and returns the first failure (all of them,
// joined, with JoinErrors), or nil. A member dropped before running because
// the parent context ended fails with that context's error. Wait cancels
// the group's context; calling it again returns the same error.
func (g *Group) Wait() error { return g.g.wait() }
