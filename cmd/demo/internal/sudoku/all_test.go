package sudoku

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countNaive counts the solutions of g by plain backtracking, with no
// propagation: a reference for All.
func countNaive(g *Grid, seen map[Grid]bool) {
	for i := range 81 {
		if g[i] != 0 {
			continue
		}
		for d := uint8(1); d <= 9; d++ {
			g[i] = d
			if fits(g, i) {
				countNaive(g, seen)
			}
		}
		g[i] = 0
		return
	}
	seen[*g] = true
}

func fits(g *Grid, i int) bool {
	r, c := i/9, i%9
	for j := range 81 {
		if j != i && g[j] == g[i] && (j/9 == r || j%9 == c || boxOf[j] == boxOf[i]) {
			return false
		}
	}
	return true
}

func TestAllMatchesNaiveCount(t *testing.T) {
	// The classic solution with its first three rows and a few more cells
	// emptied has a handful of solutions.
	p := []byte(classicSolution)
	for i := range 27 {
		p[i] = '.'
	}
	for _, i := range []int{30, 41, 52, 63, 74} {
		p[i] = '.'
	}
	g, err := Parse(string(p))
	require.NoError(t, err)
	want := map[Grid]bool{}
	ref := g
	countNaive(&ref, want)
	require.Greater(t, len(want), 1, "the test puzzle must have several solutions")

	got := map[Grid]bool{}
	var first Grid
	found, nodes, err := All(context.Background(), g, 1000, DefaultBudget, func(s Grid) bool {
		if len(got) == 0 {
			first = s
		}
		require.False(t, got[s], "solution %s yielded twice", s)
		got[s] = true
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, len(want), found)
	assert.Equal(t, want, got)
	assert.Positive(t, nodes)
	r, err := Solve(context.Background(), g)
	require.NoError(t, err)
	assert.Equal(t, r.Solution, first, "All's first solution is Solve's")
}

func TestAllStops(t *testing.T) {
	empty, err := Parse(strings.Repeat(".", 81))
	require.NoError(t, err)
	tests := []struct {
		name            string
		limit, maxNodes int
		stopAt          int // yield returns false at this solution; 0: never
		wantFound       int
		wantErr         error
	}{
		{"limit", 25, DefaultBudget, 0, 25, nil},
		{"consumer stops", 1000, DefaultBudget, 7, 7, nil},
		{"budget", 1_000_000, 500, 0, -1, ErrTooHard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			found, nodes, err := All(context.Background(), empty, tc.limit, tc.maxNodes, func(s Grid) bool {
				n++
				require.True(t, Valid(s))
				return n != tc.stopAt
			})
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, n, found)
			if tc.wantFound >= 0 {
				assert.Equal(t, tc.wantFound, found)
			}
			assert.LessOrEqual(t, nodes, tc.maxNodes)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = All(ctx, empty, 1_000_000, 1_000_000, func(Grid) bool { return true })
	require.ErrorIs(t, err, context.Canceled)

	bad := []byte(classic)
	bad[2] = '2'
	g, err := Parse(string(bad))
	require.NoError(t, err)
	found, _, err := All(context.Background(), g, 10, DefaultBudget, func(Grid) bool { return true })
	require.ErrorIs(t, err, ErrUnsolvable)
	assert.Zero(t, found)

	assert.PanicsWithValue(t, "sudoku.All: limit = 0, maxNodes = 5, want both >= 1", func() {
		_, _, _ = All(context.Background(), empty, 0, 5, nil)
	})
}
