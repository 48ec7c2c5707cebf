package workers

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sharc-go/sharc/internal/atomics"
)

// Spin budgets. A worker that finishes a loop spins on the team's epoch
// before it parks, because loops often follow each other within
// microseconds (the passes of a sort, an iterative solver) and a park/wake
// pair costs tens of microseconds. The budget adapts per worker: it doubles
// when a spin catches the next loop and halves when it does not, so a team
// that is idle for long stops burning a core after at most teamSpinMax.
const (
	teamSpinMin     = 2 * time.Microsecond
	teamSpinMax     = 100 * time.Microsecond
	teamSpinInitial = 20 * time.Microsecond
	// teamCallerSpin bounds how long the caller of For spins waiting for
	// the workers' last chunks before it parks.
	teamCallerSpin = 50 * time.Microsecond
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
	// Read-mostly, so the workers keep these cached.
	n      int
	table  *atomics.Table
	closed atomic.Bool
	wg     sync.WaitGroup

	_  atomics.Pad
	mu sync.Mutex // held by the loop that owns the workers; written every loop
	// counted is done's value after the last loop, kept here (under mu)
	// so that a loop need not read done, a line the workers write.
	counted uint32

	_ atomics.Pad
	// The current loop, written by its owner before it bumps gen and read
	// by the workers after they see the bump: one cache line, so a worker
	// picks all of it up with one miss.
	gen    atomics.Cell // loop epoch; bumped once per loop; workers wait on it
	left   atomic.Int64 // chunks not yet handed out; goes below 0 when exhausted
	job    job
	_      atomics.Pad
	done   atomics.Cell // chunks finished, over the team's life (wraps)
	_      atomics.Pad
	panicV atomic.Pointer[PanicError]
}

// job describes one loop. Its fields are stable while any chunk of the loop
// is claimed and unfinished: a worker reads them only after it has claimed a
// chunk (left.Add returned >= 0), and the owner rewrites them only after every
// claimed chunk has been counted in done.
type job struct {
	body   func(lo, hi int)
	n      int
	grain  int
	chunks int64
}

// NewTeam returns a team of n workers, the caller of For included; n <= 0
// means runtime.GOMAXPROCS(0). Close releases the workers.
func NewTeam(n int) *Team {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	t := &Team{n: n, table: atomics.NewTable(false)}
	t.left.Store(-1)
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
	budget := teamSpinInitial
	for {
		g := t.gen.Load()
		if g == seen {
			var caught bool
			g, caught = spinWhile(&t.gen, seen, budget)
			if caught {
				budget = min(teamSpinMax, 2*budget)
			} else {
				budget = max(teamSpinMin, budget/2)
				for g == seen {
					// Wait spins a little more, then parks until For
					// or Close bumps gen.
					if _, err := t.table.Wait(context.Background(), &t.gen, seen, -1); err != nil {
						return // table closed
					}
					g = t.gen.Load()
				}
			}
		}
		seen = g
		// Claim before looking at closed: Close publishes no chunks.
		if k := t.claim(); k > 0 {
			// Only workers count in done, so the caller never pulls
			// the line back just to add its own share.
			atomic.AddUint32(t.done.Word(), k)
			t.table.Notify(&t.done, 1) // one load unless the caller parked
		}
		if t.closed.Load() {
			return
		}
	}
}

// spinWhile spins while c holds v, for at most budget. It returns c's value
// and whether it changed.
func spinWhile(c *atomics.Cell, v uint32, budget time.Duration) (uint32, bool) {
	var start time.Time
	for i := 1; ; i++ {
		if g := c.Load(); g != v {
			return g, true
		}
		if i%64 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) >= budget {
				return v, false
			}
			if i%1024 == 0 {
				// Let a goroutine that shares this P run: a team may
				// have more workers than GOMAXPROCS.
				runtime.Gosched()
			}
		}
		atomics.Pause()
	}
}

// claim runs chunks of the current loop until none are left and returns how
// many it ran.
func (t *Team) claim() uint32 {
	var (
		j job
		k uint32
	)
	for {
		r := t.left.Add(-1)
		if r < 0 {
			break
		}
		if k == 0 {
			// The first claim pins the loop: it cannot end, and its
			// fields cannot change, before this claim is counted.
			j = t.job
		}
		lo := int(j.chunks-1-r) * j.grain
		t.call(j.body, lo, min(lo+j.grain, j.n))
		k++
		if r == 0 {
			break // that was the last chunk: no need to ask again
		}
	}
	return k
}

// call runs body(lo, hi), recording a panic as the loop's first.
func (t *Team) call(body func(lo, hi int), lo, hi int) {
	if p := callRecover(body, lo, hi); p != nil {
		t.panicV.CompareAndSwap(nil, p)
	}
}

func callRecover(body func(lo, hi int), lo, hi int) (p *PanicError) {
	defer func() {
		if v := recover(); v != nil {
			p = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	body(lo, hi)
	return nil
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
	if t.closed.Load() {
		t.mu.Unlock()
		serial(n, grain, body)
		return
	}
	chunks := int64((n-1)/grain) + 1
	// done counts at most 2^30 chunks per loop; a longer loop runs as
	// several, which only a grain far below any sensible one reaches.
	const maxChunks = 1 << 30
	var first *PanicError
	for base := 0; ; base += maxChunks * grain {
		c, m, b := chunks, n, body
		if base > 0 {
			b = func(lo, hi int) { body(base+lo, base+hi) }
		}
		if c > maxChunks {
			c, m = maxChunks, maxChunks*grain
		}
		if p := t.forLocked(m, grain, c, b); first == nil {
			first = p
		}
		if chunks -= c; chunks == 0 {
			break
		}
		n -= m
	}
	t.mu.Unlock()
	if first != nil {
		panic(first)
	}
}

// forLocked runs one loop on the team, with t.mu held, and returns the first
// panic of its bodies.
func (t *Team) forLocked(n, grain int, chunks int64, body func(lo, hi int)) *PanicError {
	t.job = job{body: body, n: n, grain: grain, chunks: chunks}
	t.left.Store(chunks) // publishes job
	g := t.gen.Load() + 1
	t.gen.Store(g)
	// One atomic load when every worker is spinning.
	t.table.Notify(&t.gen, int(min(chunks-1, int64(t.n-1))))
	// done reaches target when the workers have counted every chunk
	// that the caller did not run.
	target := t.counted + uint32(chunks) - t.claim()
	if t.done.Load() != target {
		t.await(target)
	}
	t.counted = target
	p := t.panicV.Load()
	if p != nil {
		t.panicV.Store(nil)
	}
	t.job.body = nil // don't keep the closure alive
	return p
}

// await waits until done reaches target: spinning first, because the last
// chunks are usually short, then parked.
func (t *Team) await(target uint32) {
	if _, ok := spinWhileNot(&t.done, target, teamCallerSpin); ok {
		return
	}
	for {
		v := t.done.Load()
		if v == target {
			return
		}
		t.table.Wait(context.Background(), &t.done, v, -1)
	}
}

// spinWhileNot spins until c holds v, for at most budget.
func spinWhileNot(c *atomics.Cell, v uint32, budget time.Duration) (uint32, bool) {
	var start time.Time
	for i := 1; ; i++ {
		g := c.Load()
		if g == v {
			return g, true
		}
		if i%64 == 0 {
			if start.IsZero() {
				start = time.Now()
			} else if time.Since(start) >= budget {
				return g, false
			}
			if i%1024 == 0 {
				runtime.Gosched()
			}
		}
		atomics.Pause()
	}
}

// serial runs a loop on the caller, chunk by chunk, with For's panic rule.
func serial(n, grain int, body func(lo, hi int)) {
	var first *PanicError
	for lo := 0; lo < n; lo += grain {
		if p := callRecover(body, lo, min(lo+grain, n)); p != nil && first == nil {
			first = p
		}
	}
	if first != nil {
		panic(first)
	}
}
