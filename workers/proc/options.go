package proc

import (
	"time"
)

// Options configures a Pool. Zero fields take the defaults noted.
type Options struct {
	Workers  int // child processes; default GOMAXPROCS
	MaxQueue int // calls waiting for a child; default 4 × Workers
	// GOMAXPROCS is each child's GOMAXPROCS; default 1. A one-P child
	// waits for the next call in a raw blocking read that keeps its only P
	// for up to 5 ms, so goroutines a task leaves behind wait that long
	// (or until the next call) before they run again.
	GOMAXPROCS int
	// MemoryLimit is each child's GOMEMLIMIT in bytes (0: none). It also
	// caps the child's private memory hard (RLIMIT_DATA, a quarter above
	// it plus 32 MiB; shared regions do not count): a task that allocates
	// past it kills its child, and the call fails with ErrWorkerDied
	// saying "fatal error: runtime: out of memory".
	MemoryLimit int64
	Nice        int           // added to each child's nice value (0..19)
	Grace       time.Duration // how long a cancelled task may run on before its child is killed; default 1 s
}
