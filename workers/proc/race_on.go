//go:build race

package proc

// raceMemoryFactor scales a child's hard memory limit: the race detector
// maps private, writable shadow memory several times the size of the heap,
// and RLIMIT_DATA counts it.
const raceMemoryFactor = 8

// raceChildEnv spares a race-enabled child the detector's default one-second
// sleep at exit, which every Close would otherwise wait for.
const raceChildEnv = "GORACE=atexit_sleep_ms=0"
