package sudoku

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// Errors returned by Parse and Solve; match them with errors.Is.
var (
	// ErrLength means the puzzle is not 81 cells long.
	ErrLength = errors.New("sudoku: puzzle must have 81 cells")
	// ErrBadChar means a cell is neither a digit 1-9 nor an empty mark ('.' or '0').
	ErrBadChar = errors.New("sudoku: bad character")
	// ErrContradiction means two givens clash in a row, column or box.
	ErrContradiction = errors.New("sudoku: contradictory givens")
	// ErrUnsolvable means the givens are consistent but admit no solution.
	ErrUnsolvable = errors.New("sudoku: no solution")
	// ErrTooHard means the search visited its budget of nodes without
	// settling the puzzle (see DefaultBudget).
	ErrTooHard = errors.New("sudoku: too hard: search budget exhausted")
)

// DefaultBudget is the number of search nodes Solve may visit. The hardest
// known puzzles with a unique solution need under a thousand with this
// solver's propagation (Inkala's 2012 puzzle 321, Easter Monster 678), while
// an unsolvable grid built to defeat it, such as Norvig's
// ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4.........",
// would run for seconds; 100 000 nodes take about 0.2 s on one core.
const DefaultBudget = 100_000

// CellError is a Parse or Solve error about one cell; it matches
// ErrBadChar or ErrContradiction with errors.Is.
type CellError struct {
	Err  error // ErrBadChar or ErrContradiction
	Cell int   // 1..81, row by row
	msg  string
}

func (e *CellError) Error() string { return e.msg }
func (e *CellError) Unwrap() error { return e.Err }

// Row and Column return the cell's row and column, 1..9.
func (e *CellError) Row() int    { return (e.Cell-1)/9 + 1 }
func (e *CellError) Column() int { return (e.Cell-1)%9 + 1 }

// Grid holds 81 cells in row-major order; 0 is an empty cell, 1-9 a digit.
type Grid [81]uint8

// String renders g as 81 characters, '.' for an empty cell.
func (g Grid) String() string {
	var b [81]byte
	for i, v := range g {
		if v == 0 {
			b[i] = '.'
		} else {
			b[i] = '0' + v
		}
	}
	return string(b[:])
}

// Parse reads a puzzle of 81 characters: digits 1-9 for givens, '.' or '0'
// for empty cells. It reports a wrong length (in characters), a bad
// character (with its cell, 1-based) and givens that contradict each other.
func Parse(s string) (Grid, error) {
	var g Grid
	if !utf8.ValidString(s) {
		return g, fmt.Errorf("%w: the puzzle is not valid UTF-8", ErrBadChar)
	}
	if n := utf8.RuneCountInString(s); n != 81 {
		return g, fmt.Errorf("%w, got %d", ErrLength, n)
	}
	i := 0
	for _, c := range s {
		switch {
		case c == '.' || c == '0':
		case c >= '1' && c <= '9':
			g[i] = uint8(c - '0')
		default:
			return g, &CellError{Err: ErrBadChar, Cell: i + 1,
				msg: fmt.Sprintf("%v %q at cell %d (row %d, column %d)", ErrBadChar, c, i+1, i/9+1, i%9+1)}
		}
		i++
	}
	if _, err := load(&g); err != nil {
		return g, err
	}
	return g, nil
}

// Result is a solved puzzle.
type Result struct {
	Solution Grid
	// Unique is false when the puzzle has more than one solution; Solution
	// is then one of them.
	Unique bool
	// Nodes counts the search nodes visited, including those spent looking
	// for a second solution.
	Nodes int
}

// Solve solves g within DefaultBudget search nodes. It returns
// ErrContradiction if the givens clash, ErrUnsolvable if there is no
// solution, ErrTooHard if the budget ran out first, and ctx.Err() if ctx
// ends first (checked every few hundred search nodes).
func Solve(ctx context.Context, g Grid) (Result, error) {
	return SolveBudget(ctx, g, DefaultBudget)
}

// SolveBudget is Solve with a budget of at most maxNodes search nodes
// (at least 1). The Result's Nodes says how many it used; on ErrTooHard it
// used them all.
func SolveBudget(ctx context.Context, g Grid, maxNodes int) (Result, error) {
	if maxNodes < 1 {
		panic(fmt.Sprintf("sudoku.SolveBudget: maxNodes = %d, want >= 1", maxNodes))
	}
	st, err := load(&g)
	if err != nil {
		return Result{}, err
	}
	s := searcher{ctx: ctx, budget: maxNodes, limit: 2}
	s.search(st)
	if s.err != nil {
		return Result{Nodes: s.nodes}, s.err
	}
	if s.found == 0 {
		return Result{}, ErrUnsolvable
	}
	return Result{Solution: s.first, Unique: s.found == 1, Nodes: s.nodes}, nil
}

// SolveString parses and solves a puzzle in the format Parse accepts.
func SolveString(ctx context.Context, puzzle string) (Result, error) {
	g, err := Parse(puzzle)
	if err != nil {
		return Result{}, err
	}
	return Solve(ctx, g)
}

// Valid reports whether g is a complete grid obeying every constraint.
func Valid(g Grid) bool {
	var rows, cols, boxes [9]uint16
	for i, v := range g {
		if v < 1 || v > 9 {
			return false
		}
		bit := uint16(1) << (v - 1)
		r, c, b := i/9, i%9, boxOf[i]
		if rows[r]&bit != 0 || cols[c]&bit != 0 || boxes[b]&bit != 0 {
			return false
		}
		rows[r] |= bit
		cols[c] |= bit
		boxes[b] |= bit
	}
	return true
}

const all = 0x1ff // candidates 1-9 as bits 0-8

var (
	boxOf [81]uint8
	units [27][9]uint8 // rows, then columns, then boxes
)

func init() {
	for i := range 81 {
		r, c := i/9, i%9
		b := (r/3)*3 + c/3
		boxOf[i] = uint8(b)
		units[r][c] = uint8(i)
		units[9+c][r] = uint8(i)
		units[18+b][(r%3)*3+c%3] = uint8(i)
	}
}

// state is a partial assignment: the cells and the digits used per unit.
// It is small enough to copy at each branch, which is cheaper than undoing.
type state struct {
	cells             Grid
	rows, cols, boxes [9]uint16
	empty             int
}

func (st *state) cand(i int) uint16 {
	return all &^ (st.rows[i/9] | st.cols[i%9] | st.boxes[boxOf[i]])
}

// place puts digit d (1-9) in cell i; it reports false on a clash.
func (st *state) place(i int, d uint8) bool {
	bit := uint16(1) << (d - 1)
	r, c, b := i/9, i%9, boxOf[i]
	if (st.rows[r]|st.cols[c]|st.boxes[b])&bit != 0 {
		return false
	}
	st.cells[i] = d
	st.rows[r] |= bit
	st.cols[c] |= bit
	st.boxes[b] |= bit
	st.empty--
	return true
}

func load(g *Grid) (state, error) {
	st := state{empty: 81}
	for i, v := range g {
		if v == 0 {
			continue
		}
		if v > 9 {
			return st, &CellError{Err: ErrBadChar, Cell: i + 1, msg: fmt.Sprintf("%v %d at cell %d", ErrBadChar, v, i+1)}
		}
		if !st.place(i, v) {
			return st, &CellError{Err: ErrContradiction, Cell: i + 1, msg: fmt.Sprintf("%v: %d at row %d, column %d repeats a digit of its row, column or box",
				ErrContradiction, v, i/9+1, i%9+1)}
		}
	}
	return st, nil
}

// propagate fills naked and hidden singles until none is left; it reports
// false when a cell or a digit has no place left.
func (st *state) propagate() bool {
	for changed := true; changed; {
		changed = false
		for i := range 81 {
			if st.cells[i] != 0 {
				continue
			}
			c := st.cand(i)
			switch bits.OnesCount16(c) {
			case 0:
				return false
			case 1:
				st.place(i, uint8(bits.TrailingZeros16(c))+1)
				changed = true
			}
		}
		for u := range units {
			var once, twice, placed uint16
			for _, i := range units[u] {
				if v := st.cells[i]; v != 0 {
					placed |= 1 << (v - 1)
					continue
				}
				c := st.cand(int(i))
				twice |= once & c
				once |= c
			}
			if (once|placed) != all || once&placed != 0 {
				return false
			}
			singles := once &^ twice
			if singles == 0 {
				continue
			}
			for _, i := range units[u] {
				if st.cells[i] != 0 {
					continue
				}
				h := st.cand(int(i)) & singles
				if h == 0 {
					continue
				}
				if bits.OnesCount16(h) > 1 {
					return false // one cell is the only home of two digits
				}
				if !st.place(int(i), uint8(bits.TrailingZeros16(h))+1) {
					return false
				}
				changed = true
			}
		}
	}
	return true
}

type searcher struct {
	ctx    context.Context
	budget int
	limit  int // stop after this many solutions
	nodes  int
	found  int
	first  Grid
	err    error
	// each, if set, gets every solution as it is found; returning false
	// stops the search.
	each    func(Grid) bool
	stopped bool
}

// search counts solutions below st, stopping at s.limit.
func (s *searcher) search(st state) {
	s.nodes++
	if s.nodes > s.budget && s.err == nil {
		s.nodes--
		s.err = ErrTooHard
	}
	if s.nodes&255 == 0 && s.ctx != nil && s.err == nil {
		if err := s.ctx.Err(); err != nil {
			s.err = err
		}
	}
	if s.done() {
		return
	}
	if !st.propagate() {
		return
	}
	if st.empty == 0 {
		if s.found == 0 {
			s.first = st.cells
		}
		s.found++
		if s.each != nil && !s.each(st.cells) {
			s.stopped = true
		}
		return
	}
	// Branch on the empty cell with the fewest candidates.
	best, bestN := -1, 10
	for i := range 81 {
		if st.cells[i] != 0 {
			continue
		}
		if n := bits.OnesCount16(st.cand(i)); n < bestN {
			best, bestN = i, n
			if n == 2 {
				break
			}
		}
	}
	for c := st.cand(best); c != 0; c &= c - 1 {
		next := st
		next.place(best, uint8(bits.TrailingZeros16(c))+1)
		s.search(next)
		if s.done() {
			return
		}
	}
}

// done reports whether the search must stop.
func (s *searcher) done() bool { return s.err != nil || s.found >= s.limit || s.stopped }
