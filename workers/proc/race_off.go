//go:build !race

package proc

const (
	raceMemoryFactor = 1
	raceChildEnv     = ""
)
