package proc

import (
	"context"
	"fmt"

	"github.com/sharc-go/sharc/shm"
)

// A Chunk is the part of a shared region one call of Map works on: the
// elements [Lo, Hi) of the region seen as a slice (through shm.View in the
// child), the Index-th chunk from the start.
type Chunk struct {
	Index, Lo, Hi int64
}

// Map splits n elements of region into chunks of grain elements (the last
// one shorter), calls task on each chunk in the children of p with region
// shared, and returns the results in chunk order. Chunk i covers elements
// [i·grain, min((i+1)·grain, n)). As many calls are in flight as p has
// children; the first failure cancels the rest (Map returns it, with the
// results gathered so far). Map panics if n < 0 or grain < 1.
func Map[R any](ctx context.Context, p *Pool, task Typed[Chunk, R], region *shm.Region, n, grain int) ([]R, error) {
	if n < 0 || grain < 1 {
		panic(fmt.Sprintf("proc.Map: n = %d and grain = %d (want n >= 0, grain >= 1)", n, grain))
	}
	chunks := (n + grain - 1) / grain
	out := make([]R, chunks)
	g := NewGroup(ctx, p, GroupOptions{})
	for i := range chunks {
		c := Chunk{Index: int64(i), Lo: int64(i * grain), Hi: int64(min((i+1)*grain, n))}
		g.Go(func(ctx context.Context) error {
			r, err := task.Call(ctx, p, c, Share(region))
			out[i] = r
			return err
		})
	}
	return out, g.Wait()
}
