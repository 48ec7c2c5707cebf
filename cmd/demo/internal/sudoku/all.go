package sudoku

import (
	"context"
	"fmt"
)

// All calls yield with each solution of g, in the order the search finds
// them, until it has found limit of them, yield returns false, the search
// has visited maxNodes nodes (ErrTooHard) or ctx ends (ctx.Err()). It
// returns how many solutions it found and the nodes it visited; with no
// solution at all and the search complete, the error is ErrUnsolvable.
// The same search as Solve, so the first solution is Solve's.
func All(ctx context.Context, g Grid, limit, maxNodes int, yield func(Grid) bool) (found, nodes int, err error) {
	if limit < 1 || maxNodes < 1 {
		panic(fmt.Sprintf("sudoku.All: limit = %d, maxNodes = %d, want both >= 1", limit, maxNodes))
	}
	st, err := load(&g)
	if err != nil {
		return 0, 0, err
	}
	s := searcher{ctx: ctx, budget: maxNodes, limit: limit, each: yield}
	s.search(st)
	if s.err != nil {
		return s.found, s.nodes, s.err
	}
	if s.found == 0 {
		return 0, s.nodes, ErrUnsolvable
	}
	return s.found, s.nodes, nil
}
