package workers

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/sharc-go/sharc/internal/atomics"
)

// A Team is a fixed set of persistent workers that run fork-join loops.
//
// For hands the chunks of a loop out through an atomic counter; the calling
// goroutine takes chunks too, so a team of n runs n chunks at once with n-1
// goroutines of its own. Between loops the workers spin briefly, then park
// (internal/atomics), so back-to-back loops pay no wake-up system call.
//
// A Team is safe for concurrent use. Loops are run one at a time: a For that
// finds the team busy (another goroutine's loop, or a For nested inside a
// body) runs on its caller alone, which keeps nesting deadlock-free.
type Team struct {
	n      int
	mu     sync.Mutex // held by the loop that owns the workers
	table  *atomics.Table
	gen    atomics.Cell        // bumped once per loop; workers wait on it
	job    atomic.Pointer[job] // the current loop
	closed atomic.Bool
	wg     sync.WaitGroup
}

// job is one For call. A fresh job per call means a worker that wakes late
// can only find an exhausted counter, never a chunk of the next loop.
type job struct {
	body   func(lo, hi int)
	n      int
	grain  int
	chunks int64
	next   atomic.Int64 // next chunk to hand out
	done   atomic.Int64 // chunks finished
	fin    atomics.Cell // set to 1 when done == chunks
	panicV atomic.Pointer[PanicError]
}

// NewTeam returns a team of n workers, the caller of For included; n <= 0
// means runtime.GOMAXPROCS(0). Close releases the workers.
func NewTeam(n int) *Team {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	t := &Team{n: n, table: atomics.NewTable(false)}
	t.wg.Add(n - 1)
	for range n - 1 {
		go t.work(0) // gen is 0 now; a worker must not read it late and miss a bump
	}
	return t
}

var (
	defaultOnce sync.Once
	defaultTeam *Team
)

// DefaultTeam returns the process-wide team of GOMAXPROCS workers, created on
// first use. It is never closed.
func DefaultTeam() *Team {
	defaultOnce.Do(func() { defaultTeam = NewTeam(0) })
	return defaultTeam
}

// Workers returns the number of workers, the caller of For included.
func (t *Team) Workers() int { return t.n }

// Close stops the workers and waits for them to exit. A For after Close runs
// on its caller alone. Close is idempotent.
func (t *Team) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed.Swap(true) {
		return
	}
	t.gen.Store(t.gen.Load() + 1)
	t.table.Notify(&t.gen, t.n)
	t.wg.Wait()
	t.table.Close()
}

func (t *Team) work(seen uint32) {
	defer t.wg.Done()
	for {
		for t.gen.Load() == seen {
			// Wait spins briefly before it parks, so a loop that
			// follows closely wakes us without a system call.
			if _, err := t.table.Wait(context.Background(), &t.gen, seen, -1); err != nil {
				return // table closed
			}
		}
		if t.closed.Load() {
			return
		}
		seen = t.gen.Load()
		if j := t.job.Load(); j != nil {
			t.run(j)
		}
	}
}

// run takes chunks of j until none are left.
func (t *Team) run(j *job) {
	for {
		c := j.next.Add(1) - 1
		if c >= j.chunks {
			return
		}
		lo := int(c) * j.grain
		hi := min(lo+j.grain, j.n)
		j.call(lo, hi)
		if j.done.Add(1) == j.chunks {
			j.fin.Store(1)
			t.table.Notify(&j.fin, 1)
		}
	}
}

func (j *job) call(lo, hi int) {
	defer func() {
		if v := recover(); v != nil {
			j.panicV.CompareAndSwap(nil, &PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	j.body(lo, hi)
}

// For calls body(lo, hi) over disjoint ranges [lo, hi) that cover [0, n),
// each at most grain long (grain <= 0 means n split evenly across the
// workers), on the team's workers and the caller, and returns when all calls
// have returned. Inputs with n <= grain run on the caller alone.
//
// If a body panics, the other chunks still run, and For then panics in the
// caller with a *PanicError holding the first panic's value and stack; the
// team stays usable.
func (t *Team) For(n, grain int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain <= 0 {
		grain = max(1, (n+t.n-1)/t.n)
	}
	if n <= grain || t.n == 1 || t.closed.Load() || !t.mu.TryLock() {
		serial(n, grain, body)
		return
	}
	defer t.mu.Unlock()
	if t.closed.Load() {
		serial(n, grain, body)
		return
	}
	j := &job{body: body, n: n, grain: grain, chunks: int64((n + grain - 1) / grain)}
	t.job.Store(j)
	t.gen.Store(t.gen.Load() + 1)
	if j.chunks > 1 {
		t.table.Notify(&t.gen, int(min(j.chunks-1, int64(t.n-1))))
	}
	t.run(j)
	for j.done.Load() != j.chunks {
		t.table.Wait(context.Background(), &j.fin, 0, -1)
	}
	t.job.Store(nil)
	if p := j.panicV.Load(); p != nil {
		panic(p)
	}
}

// serial runs a loop on the caller, chunk by chunk, with For's panic rule.
func serial(n, grain int, body func(lo, hi int)) {
	j := &job{body: body, n: n, grain: grain}
	for lo := 0; lo < n; lo += grain {
		j.call(lo, min(lo+grain, n))
	}
	if p := j.panicV.Load(); p != nil {
		panic(p)
	}
}
