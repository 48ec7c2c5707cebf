package proc

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/sharc-go/sharc/internal/hist"
	"github.com/sharc-go/sharc/shm"
)

var (
	// ErrWorkerDied is returned for a task whose child process died while
	// running it; the error text says how (exit code or signal).
	ErrWorkerDied = errors.New("proc: worker process died")
	// ErrClosed is returned for calls made after Close.
	ErrClosed = errors.New("proc: pool is closed")
	// ErrQueueFull is returned by TryCall when the queue is full.
	ErrQueueFull = errors.New("proc: queue is full")
)

// TaskError is a task's failure inside a healthy child: the Func returned an
// error or panicked (then Msg holds the panic value and the child's stack).
type TaskError struct {
	Fn    string
	Msg   string
	Panic bool
}

func (e *TaskError) Error() string { return "proc: task " + e.Fn + ": " + e.Msg }

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

// A RegionArg is a region sent with a call, shared or transferred.
type RegionArg struct {
	r        *shm.Region
	transfer bool
}

// Share sends r to the child; both sides keep it mapped and coordinate with
// in-region atomics and barriers. The child keeps the mapping for later calls
// (up to 64 regions a child, least recently used out first), so sending the
// same region again costs neither an fd nor an mmap; once r is closed here,
// the child unmaps it at its next call.
func Share(r *shm.Region) RegionArg { return RegionArg{r: r} }

// Transfer sends r to the child and closes (unmaps) it in the parent once
// sent, so a slice the parent kept faults instead of racing with the child.
// The child unmaps it after the task. Unmapping costs the parent time in
// proportion to the pages it touched (page-table teardown), not a copy.
func Transfer(r *shm.Region) RegionArg { return RegionArg{r: r, transfer: true} }

// Stats counts a pool's work.
type Stats struct {
	Workers   int     `json:"workers"`
	Queued    int     `json:"queued"`
	Completed int64   `json:"completed"`
	Failed    int64   `json:"failed"`
	Died      int64   `json:"died"`
	Killed    int64   `json:"killed"` // children killed after a cancel's grace period
	Restarts  int64   `json:"restarts"`
	Wait      Latency `json:"wait"` // call to a child taking it
	Run       Latency `json:"run"`  // a child taking it to the answer (the round trip)
}

// Latency summarizes a latency histogram in microseconds, like
// workers.Latency. Quantiles are the upper bound of their bucket (at most 25%
// above the true value) and never above Max.
type Latency = hist.Latency

// Func is a task function that runs in a child process. It gets the
// argument payload and the regions sent with the call, mapped in the child,
// and returns a result payload. ctx is cancelled when the parent cancels the
// call or its timeout passes; a Func that ignores it is killed after the
// pool's grace period.
type Func func(ctx context.Context, arg []byte, regions []*shm.Region) ([]byte, error)

// The registry is written by init code and by main before any child starts,
// and only read afterwards.
var (
	registryMu sync.RWMutex
	registry   = map[string]Func{}
)

// Register makes fn callable by name in child processes. Every program that
// uses a Pool registers the same functions in the parent and the children,
// normally from init or at the top of main, before RunChildIfRequested.
func Register(name string, fn Func) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("proc: Register called twice for " + strconv.Quote(name))
	}
	registry[name] = fn
}

func lookup(name string) (Func, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	fn, ok := registry[name]
	return fn, ok
}
