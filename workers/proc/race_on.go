//go:build race

package proc

// raceMemoryFactor scales a child's hard memory limit: the race detector
// maps private, writable shadow memory several times the size of the heap,
// and RLIMIT_DATA counts it.
const raceMemoryFactor = 8
