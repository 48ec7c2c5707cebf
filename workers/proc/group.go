package proc

import (
	"context"

	"github.com/sharc-go/sharc/workers"
)

// GroupOptions configures a Group; it is workers.GroupOptions, with one
// difference: a Limit of 0 means the pool's number of children.
type GroupOptions = workers.GroupOptions

// A Group runs related calls on a Pool and waits for them together, with
// the shape and semantics of workers.Group: members run with a context
// derived from the group's, the first failure cancels it (unless
// KeepGoing), so members waiting for a slot are dropped without running and
// running calls are cancelled in their children; a member whose child dies
// fails with ErrWorkerDied. A member is a function on the parent's side,
// usually one or more calls; a panic in it fails it with a
// *workers.PanicError.
//
// Members run on goroutines of their own, at most Limit at once (the pool's
// number of children by default), so a big group neither floods the pool's
// queue nor holds more goroutines than it can use.
type Group struct {
	g *workers.Group
	p *Pool
}

// NewGroup returns a group of calls on p.
func NewGroup(ctx context.Context, p *Pool, opts GroupOptions) *Group {
	if opts.Limit == 0 {
		opts.Limit = p.Stats().Workers
	}
	return &Group{g: workers.NewGroup(ctx, nil, opts), p: p}
}

// Context returns the group's context (see workers.Group.Context).
func (g *Group) Context() context.Context { return g.g.Context() }

// SetLimit sets the limit of members in flight; n <= 0 removes it. It
// panics once a member has been started.
func (g *Group) SetLimit(n int) { g.g.SetLimit(n) }

// Go starts fn as a member, waiting for a slot under the group's limit.
func (g *Group) Go(fn func(ctx context.Context) error) { g.g.Go(fn) }

// TryGo is Go that reports false, and does not start fn, when the group is
// at its limit.
func (g *Group) TryGo(fn func(ctx context.Context) error) bool { return g.g.TryGo(fn) }

// Call starts a member that calls the task registered as fn with arg and
// regions and discards its result: the form for tasks that leave their
// results in shared regions.
func (g *Group) Call(fn string, arg []byte, regions ...RegionArg) {
	g.g.Go(func(ctx context.Context) error {
		_, err := g.p.Call(ctx, fn, arg, regions...)
		return err
	})
}

// Wait waits for every member and returns the first failure (all of them,
// joined, with JoinErrors), or nil (see workers.Group.Wait).
func (g *Group) Wait() error { return g.g.Wait() }
