//go:build race

package sudoku

// raceEnabled slows the solver about thirtyfold: tests shrink budgets.
const raceEnabled = true
