package proc

import (
	"time"

	"github.com/sharc-go/sharc/workers"
)

// Unbounded, as Options.MaxQueue, lets the queue grow without limit. It is
// workers.Unbounded.
const Unbounded = workers.Unbounded

// Options.MaxInFlight's default and bound.
const (
	defaultInFlight = 2
	maxInFlight     = 32
)

// Options configures a Pool. Zero fields take the defaults noted. Workers,
// MaxQueue and Nice mean what they mean in workers.Options.
type Options struct {
	Workers int // child processes; default GOMAXPROCS
	// MaxQueue bounds the calls waiting for a child; Unbounded (< 0) lifts
	// the bound. 0 means auto, as in workers.Options: here 4 calls per
	// child, the floor of the auto size there. Calls waiting in a child's
	// call queue (MaxInFlight) count as queued.
	MaxQueue int
	// GOMAXPROCS is each child's GOMAXPROCS; default 1. With Socket, a
	// one-P child waits for the next call in a raw blocking read that keeps
	// its only P for up to 5 ms, so goroutines a task leaves behind wait
	// that long (or until the next call) before they run again.
	GOMAXPROCS int
	// MemoryLimit is each child's GOMEMLIMIT in bytes (0: none). It also
	// caps the child's private memory hard (RLIMIT_DATA, a quarter above
	// it plus 64 MiB; shared regions do not count): a task that allocates
	// past it kills its child, and the call fails with ErrWorkerDied
	// saying "fatal error: runtime: out of memory".
	MemoryLimit int64
	// Nice, 1..19, is added to each child's nice value, so the kernel runs
	// the parent's threads (a server's handlers) first.
	Nice  int
	Grace time.Duration // how long a cancelled task may run on before its child is killed; default 1 s

	// MaxTasksPerWorker and MaxRSS recycle children, the cure for a task
	// that leaks: a child that has run MaxTasksPerWorker calls, or whose
	// resident memory (shared regions included, from /proc/PID/statm) is
	// above MaxRSS bytes after a call, is retired once that call has been
	// answered and a fresh child takes its place. No call fails for it;
	// calls wait for a child meanwhile as they would for a busy one. The
	// RSS is read after a call at most once per millisecond per child.
	// 0 turns either off.
	MaxTasksPerWorker int
	MaxRSS            int64

	// MaxInFlight is how many calls a child holds at once, at most 32:
	// the one it runs and the ones waiting in its call queue behind it, so
	// that it goes from one call to the next without waiting for the
	// parent. A call goes to the child with the fewest in flight. Default
	// 2; 1 hands each child one call at a time, so that no call waits
	// behind another's long task while a child that finishes sooner could
	// have taken it. A streaming call (Stream) has its child to itself.
	// With Socket it is always 1.
	MaxInFlight int

	// Socket sends calls and results through each child's Unix socket
	// instead of the pair of shared-memory queues the pool gives every
	// child. A waiting side then sleeps in the kernel at once instead of
	// spinning first, so every call costs a kernel round trip (see
	// docs/benchmarks.md for the figures), and one call at a time goes to
	// a child: for comparison, or where spinning CPUs must be avoided at
	// all costs.
	Socket bool
}
