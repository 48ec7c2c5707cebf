// Package sudoku solves 9×9 sudoku puzzles by bitmask constraint propagation
// (naked and hidden singles) and backtracking on the cell with the fewest
// candidates. The hardest known puzzles solve in about a millisecond or less.
//
// Solve also reports whether the solution is unique, by searching on for a
// second solution after the first.
package sudoku
