//go:build race

package kernels

// raceOn trims the largest sort tests under the race detector.
const raceOn = true
