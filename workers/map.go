package workers

import (
	"context"
	"iter"
	"runtime"
	"sync/atomic"
)

// Map calls fn on every element of xs on p and returns the results in the
// order of xs, like a parallel slices map. The first failure cancels the
// rest: elements not started yet are skipped, running calls see ctx.Done(),
// and Map returns that failure (a panic as a *PanicError) with the partial
// results. With p nil the calls run on goroutines of Map's own.
//
// Map does not submit one task per element: it starts as many tasks as the
// pool has workers (GOMAXPROCS when p is nil), and each takes the next
// element until none is left, so tiny calls cost little more than the call.
func Map[T, U any](ctx context.Context, p *Pool, xs []T, fn func(ctx context.Context, x T) (U, error)) ([]U, error) {
	out := make([]U, len(xs))
	if len(xs) == 0 {
		return out, ctx.Err()
	}
	var next atomic.Int64
	var stop atomic.Bool // a call failed: the others stop at their next element
	g := NewGroup(ctx, p, GroupOptions{})
	loop := func(ctx context.Context) error {
		for k := 0; ; k++ {
			i := int(next.Add(1) - 1)
			if i >= len(xs) || stop.Load() {
				return nil
			}
			// The context is asked every few elements: for tiny calls its
			// lock would cost more than the call.
			if k%16 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			v, err := fn(ctx, xs[i])
			if err != nil {
				stop.Store(true)
				return err
			}
			out[i] = v
		}
	}
	for range min(len(xs), mapTasks(p)) {
		g.Go(loop)
	}
	return out, g.Wait()
}

// mapTasks is how many tasks Map starts on p.
func mapTasks(p *Pool) int {
	if p == nil {
		return runtime.GOMAXPROCS(0)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.max
}

// ForEach calls fn on every value of seq on p, with the semantics of Map:
// the first failure cancels the rest and is returned; values not started
// yet are skipped, and seq is not read further. seq is read on the calling
// goroutine, each value becoming one task, so a sequence faster than the
// pool waits for room in the pool's queue rather than piling up. With p nil
// each call runs on a goroutine of its own, at most GOMAXPROCS at once.
func ForEach[T any](ctx context.Context, p *Pool, seq iter.Seq[T], fn func(ctx context.Context, x T) error) error {
	var opts GroupOptions
	if p == nil {
		opts.Limit = runtime.GOMAXPROCS(0)
	}
	g := NewGroup(ctx, p, opts)
	gctx := g.Context()
	for x := range seq {
		if gctx.Err() != nil {
			break
		}
		g.Go(func(ctx context.Context) error { return fn(ctx, x) })
	}
	return g.Wait()
}
