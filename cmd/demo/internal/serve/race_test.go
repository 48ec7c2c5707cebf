//go:build race

package serve

// raceEnabled slows the solver about thirtyfold: tests shrink budgets.
const raceEnabled = true
