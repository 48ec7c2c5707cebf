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
	g := NewGroup(ctx, p, GroupOptions{})
	loop := func(ctx context.Context) error {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(xs) {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			v, err := fn(ctx, xs[i])
			if err != nil {
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
// each call runs on a goroutine of its own.
func ForEach[T any](ctx context.Context, p *Pool, seq iter.Seq[T], fn func(ctx context.Context, x T) error) error {
	g := NewGroup(ctx, p, GroupOptions{})
	gctx := g.Context()
	for x := range seq {
		if gctx.Err() != nil {
			break
		}
		g.Go(func(ctx context.Context) error { return fn(ctx, x) })
	}
	return g.Wait()
}
