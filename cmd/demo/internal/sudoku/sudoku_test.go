package sudoku

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	classic         = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	classicSolution = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
)

// Hard puzzles with a unique solution, from the sudoku literature.
var hard = []struct{ name, puzzle string }{
	{"Inkala 2012", "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."},
	{"Easter Monster", "1.......2.9.4...5...6...7...5.9.3.......7.......85..4.7.....6...3...9.8...2.....1"},
	{"tarek 071223170000", "..1..4.......6.3.5...9.....8.....7.3.......285...7.6..3...8...6..92......4...1..."},
	{"17 clues", "...8.1..........435............7.8........1...2..3....6......75..34........2..6.."},
}

func givensKept(t *testing.T, puzzle string, sol Grid) {
	t.Helper()
	for i := range 81 {
		if c := puzzle[i]; c >= '1' && c <= '9' {
			require.Equal(t, c-'0', sol[i], "given at cell %d changed", i)
		}
	}
}

func TestSolveClassic(t *testing.T) {
	r, err := SolveString(context.Background(), classic)
	require.NoError(t, err)
	assert.Equal(t, classicSolution, r.Solution.String())
	assert.True(t, r.Unique)
	assert.True(t, Valid(r.Solution))
}

func TestSolveHard(t *testing.T) {
	for _, tc := range hard {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r, err := SolveString(context.Background(), tc.puzzle)
			elapsed := time.Since(start)
			require.NoError(t, err)
			require.True(t, Valid(r.Solution), r.Solution.String())
			givensKept(t, tc.puzzle, r.Solution)
			assert.True(t, r.Unique)
			t.Logf("%s: %v, %d nodes", tc.name, elapsed, r.Nodes)
			// Generous bound: the race detector and a shared machine slow it down.
			assert.Less(t, elapsed, 2*time.Second)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, puzzle string
		want         error
		msg          string
	}{
		{"empty", "", ErrLength, "got 0"},
		{"short", classic[:80], ErrLength, "got 80"},
		{"long", classic + ".", ErrLength, "got 82"},
		{"letter", "x" + classic[1:], ErrBadChar, "cell 1 (row 1, column 1)"},
		{"space", classic[:40] + " " + classic[41:], ErrBadChar, "row 5, column 5"},
		{"row clash", "55" + classic[2:], ErrContradiction, "row 1, column 2"},
		{"column clash", classic[:9] + "5" + classic[10:], ErrContradiction, "row 2, column 1"},
		{"box clash", classic[:10] + "3" + classic[11:], ErrContradiction, "row 2, column 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.puzzle)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
			_, err = SolveString(context.Background(), tc.puzzle)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestParseAcceptsZeroAndDot(t *testing.T) {
	a, err := Parse(classic)
	require.NoError(t, err)
	b, err := Parse(strings.ReplaceAll(classic, ".", "0"))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, classic, a.String())
}

func TestUnsolvable(t *testing.T) {
	// Row 1 needs a 9 in column 9, but column 9 already has one: the givens
	// do not clash, yet there is no solution.
	p := []byte(strings.Repeat(".", 81))
	copy(p, "12345678.")
	p[9*4+8] = '9'
	_, err := Parse(string(p))
	require.NoError(t, err)
	_, err = SolveString(context.Background(), string(p))
	require.ErrorIs(t, err, ErrUnsolvable)

	// A deeper one: the classic puzzle with a given swapped so that only
	// search finds the contradiction.
	bad := []byte(classic)
	bad[2] = '2' // no clash, but the unique solution has a 4 here
	_, err = Parse(string(bad))
	require.NoError(t, err)
	_, err = SolveString(context.Background(), string(bad))
	require.ErrorIs(t, err, ErrUnsolvable)
}

func TestNotUnique(t *testing.T) {
	r, err := SolveString(context.Background(), strings.Repeat(".", 81))
	require.NoError(t, err)
	assert.False(t, r.Unique)
	assert.True(t, Valid(r.Solution))

	// Remove givens from the classic puzzle until it has several solutions.
	p := []byte(classic)
	for i := range p {
		p[i] = '.'
		if i > 20 {
			break
		}
	}
	r, err = SolveString(context.Background(), string(p))
	require.NoError(t, err)
	assert.False(t, r.Unique)
	givensKept(t, string(p), r.Solution)
}

func TestSolveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Easter Monster needs several hundred nodes; the search checks ctx every 256.
	_, err := SolveString(ctx, hard[1].puzzle)
	require.ErrorIs(t, err, context.Canceled)
}

func TestValid(t *testing.T) {
	g, err := Parse(classicSolution)
	require.NoError(t, err)
	assert.True(t, Valid(g))
	g[0], g[1] = g[1], g[0]
	assert.False(t, Valid(g))
	g[0] = 0
	assert.False(t, Valid(g))
}

// TestRandomMasks removes random cells from known solutions: the puzzle must
// stay solvable, the givens kept, and a unique answer must be the original.
func TestRandomMasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sols := []string{classicSolution}
	for _, h := range hard[:3] {
		r, err := SolveString(context.Background(), h.puzzle)
		require.NoError(t, err)
		sols = append(sols, r.Solution.String())
	}
	for n := range 300 {
		sol := sols[n%len(sols)]
		p := []byte(sol)
		keep := 17 + rng.IntN(50)
		for _, i := range rng.Perm(81)[keep:] {
			p[i] = '.'
		}
		checkMasked(t, sol, string(p))
	}
}

func checkMasked(t *testing.T, sol, puzzle string) {
	t.Helper()
	r, err := SolveString(context.Background(), puzzle)
	require.NoError(t, err, puzzle)
	require.True(t, Valid(r.Solution))
	givensKept(t, puzzle, r.Solution)
	if r.Unique {
		require.Equal(t, sol, r.Solution.String(), puzzle)
	}
}

func FuzzSolve(f *testing.F) {
	f.Add(classic, uint64(0))
	for _, h := range hard {
		f.Add(h.puzzle, uint64(1))
	}
	f.Add("abc", uint64(7))
	f.Fuzz(func(t *testing.T, s string, mask uint64) {
		// Arbitrary input: never panics, and any answer is consistent.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		r, err := SolveString(ctx, s)
		if err == nil {
			require.True(t, Valid(r.Solution))
			givensKept(t, s, r.Solution)
		}
		// A masked known solution is always solvable.
		p := []byte(classicSolution)
		rng := rand.New(rand.NewPCG(mask, uint64(len(s))))
		for _, i := range rng.Perm(81)[17+int(mask%60):] {
			p[i] = '.'
		}
		checkMasked(t, classicSolution, string(p))
	})
}

func BenchmarkSolveHard(b *testing.B) {
	for _, h := range hard {
		g, err := Parse(h.puzzle)
		require.NoError(b, err)
		b.Run(h.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Solve(context.Background(), g); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// norvigImpossible is Peter Norvig's unsolvable puzzle that takes naive
// searches seconds: its givens are consistent, but there is no solution.
const norvigImpossible = ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."

func TestBudget(t *testing.T) {
	budget := DefaultBudget
	if raceEnabled {
		budget /= 10
	}
	start := time.Now()
	r, err := SolveBudget(context.Background(), mustParse(t, norvigImpossible), budget)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, ErrTooHard)
	assert.Equal(t, "sudoku: too hard: search budget exhausted", err.Error())
	assert.Equal(t, budget, r.Nodes)
	t.Logf("budget spent in %v", elapsed)
	assert.Less(t, elapsed, 5*time.Second, "the budget bounds the work")

	// Every hard puzzle with a unique solution fits well inside it.
	for _, tc := range hard {
		r, err := SolveBudget(context.Background(), mustParse(t, tc.puzzle), DefaultBudget/20)
		require.NoError(t, err, tc.name)
		assert.True(t, r.Unique, tc.name)
	}
	_, err = SolveBudget(context.Background(), mustParse(t, hard[0].puzzle), 10)
	require.ErrorIs(t, err, ErrTooHard)
	assert.Panics(t, func() { _, _ = SolveBudget(context.Background(), Grid{}, 0) })
}

func mustParse(t *testing.T, s string) Grid {
	t.Helper()
	g, err := Parse(s)
	require.NoError(t, err)
	return g
}

// TestParseCountsCharacters checks that errors count characters, not
// bytes, print the character itself and name cells from 1.
func TestParseCountsCharacters(t *testing.T) {
	_, err := Parse("é" + classic[:80])
	require.ErrorIs(t, err, ErrBadChar)
	assert.Contains(t, err.Error(), `'é' at cell 1 (row 1, column 1)`)
	var ce *CellError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Cell)

	_, err = Parse("é" + classic)
	require.ErrorIs(t, err, ErrLength)
	assert.Contains(t, err.Error(), "got 82")
	_, err = Parse(classic[:80] + "\xff")
	require.ErrorIs(t, err, ErrBadChar)
	assert.Contains(t, err.Error(), "not valid UTF-8")

	_, err = Parse(classic[:80] + "5")
	require.ErrorIs(t, err, ErrContradiction)
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 81, ce.Cell)
	assert.Equal(t, 9, ce.Row())
	assert.Equal(t, 9, ce.Column())
}
