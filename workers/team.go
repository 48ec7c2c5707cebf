package workers

import (
	"context"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/sharc-go/sharc/internal/atomics"
	"github.com/sharc-go/sharc/internal/placement"
)

// A Team is a fixed set of persistent workers that run fork-join loops.
//
// For hands the chunks of a loop out through an atomic counter; the calling
// goroutine takes chunks too, so a team of n runs n chunks at once with n-1
// goroutines of its own. Between loops the workers spin briefly, then park
// (internal/atomics), so back-to-back loops pay no wake-up system call. A
// run of loops so short that the caller finishes them before a worker
// arrives is left to the caller: the worker looks for the next loop less
// often, up to a few microseconds apart, until a loop needs it.
//
// A Team is safe for concurrent use. Loops are run one at a time: a For that
// finds the team busy (another goroutine's loop, or a For nested inside a
// body) runs on its caller alone, which keeps nesting deadlock-free.
type Team struct {
	// The layout puts gen's group and done each at the start of a cache
	// line: the Team is over 512 bytes, so the allocator gives it a size
	// class aligned to 64 bytes and an 8-byte header before it, and that
	// header with the fields and pads before gen (or before done) adds up
	// to a multiple of 64 bytes (TestTeamLayout checks it). When gen's
	// group straddled two lines, an empty fork-join took about a fifth
	// longer.

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
	// alone counts the loops in a row whose chunks the caller ran all of
	// itself; aloneSeen is seen, and aloneSince the time (nanotime; 0:
	// not read yet), when that streak last found a worker looking
	// (ranAlone). On mu's line, which only the caller touches: a field
	// written every loop near gen's line made an empty fork-join about
	// 5% slower, the workers' misses on gen fetching its line too.
	alone, aloneSeen uint32
	aloneSince       int64
	_                [atomics.CacheLineSize - 16]byte

	// The current loop, written by its owner before it bumps gen and read
	// by the workers after they see the bump: one cache line, so a worker
	// picks all of it up with one miss.
	gen  atomics.Cell // loop epoch; bumped once per loop; workers wait on it
	left atomic.Int64 // chunks not yet handed out; goes below 0 when exhausted
	job  job
	// wokeAt is when a loop first found a woken worker absent, one that
	// has not taken a chunk since it was woken (nanotime; -1: woken, not
	// yet found absent; 0: none), and yieldedAt when the caller last
	// yielded its CPU for it (letWokenRun). Both under mu, written only
	// around a wake-up; they and yield (placement.Yield, replaced in
	// tests) take room the pad below would, so that the Team's size,
	// which decides what the allocator puts beside it, stays as it was
	// (a Team 24 bytes longer made BenchmarkForkJoinBarrier 1.09 times
	// slower).
	wokeAt, yieldedAt int64
	yield             func()
	_                 [atomics.CacheLineSize + 8 - 24]byte // done starts a line (TestTeamLayout)
	done              atomics.Cell                         // chunks finished, over the team's life (wraps)
	// seen is the last loop epoch a worker found after every chunk of it
	// was taken: a sign, for ranAlone, that the workers still run. On
	// done's line, which the workers write anyway.
	seen   atomic.Uint32
	_      [atomics.CacheLineSize - 4]byte
	panicV atomic.Pointer[PanicError]
	// callerCPU is the CPU For's caller ran on when it last woke a
	// parked worker (-1: unknown).
	callerCPU atomic.Int32
	// place is whether woken workers move off their caller's CPU: the
	// team has no more workers than the process has CPUs to run them, so
	// each can have one of its own.
	place bool
	// cpu and leave are placement.CPU and placement.Leave, replaced in
	// tests.
	cpu   func() int
	leave func(int) bool
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
	return newTeam(n, n <= min(runtime.NumCPU(), runtime.GOMAXPROCS(0)), placement.CPU, placement.Leave)
}

// newTeam is NewTeam with its placement spelled out: whether woken workers
// move off their caller's CPU, and how to tell the CPU and move.
func newTeam(n int, place bool, cpu func() int, leave func(int) bool) *Team {
	t := &Team{n: n, table: atomics.NewTable(false), place: place, cpu: cpu, leave: leave, yield: placement.Yield}
	t.callerCPU.Store(-1)
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

// work is a worker goroutine. A body that calls runtime.Goexit ends the
// goroutine from inside claim; the deferred function then counts the
// chunks it had claimed, so the loop still ends, and starts a replacement.
func (t *Team) work(seen uint32) {
	var claimed uint32 // chunks of the current loop claimed and not yet counted
	returned := false
	defer func() {
		if !returned {
			t.wg.Add(1) // before the count lets the loop, and then Close, go on
			t.countDone(claimed)
			go t.work(seen)
		}
		t.wg.Done()
	}()
	// Loop bodies run here: a fault in memory a body reads (a shared
	// region truncated by another process) becomes a panic that For hands
	// to its caller, instead of killing the process. Each worker goroutine
	// sets this for itself; it affects nothing else.
	debug.SetPanicOnFault(true)
	t.loop(&seen, &claimed)
	returned = true
}

func (t *Team) loop(seenp *uint32, claimed *uint32) {
	seen := *seenp
	budget := teamSpinInitial
	var p pace
	var placed int64 // nanotime when this worker last moved off its caller's CPU
	for {
		g := seen
		if p.gap == 0 {
			g = t.gen.Load()
		}
		woke := false
		if g == seen {
			var caught bool
			g, caught = spinWhile(&t.gen, seen, budget, p.gap)
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
					woke = true
				}
				p = pace{} // loops are far apart: none is tiny
			}
		}
		if woke && t.place && !t.closed.Load() {
			t.moveOff(&placed)
		}
		seen = g
		*seenp = g
		// Claim before looking at closed: Close publishes no chunks.
		if t.claim(claimed); *claimed > 0 {
			t.countDone(*claimed)
			*claimed = 0
			p.claimed()
		} else {
			// Woken too late to get a chunk: the caller is still in the
			// loop or just left it, and back-to-back loops come sooner
			// than a wake-up. Spin the full budget for the next one, or a
			// late worker misses every loop, halving its budget each time.
			budget = teamSpinMax
			p.missed(g, nanotime())
			t.seen.Store(g)
		}
		if t.closed.Load() {
			return
		}
	}
}

// moveOff moves a worker that has just woken off its caller's CPU if it
// shares it (workers/placement.go). Only a wake-up is checked: a worker
// that spins between loops is not put on its caller's CPU, one that
// parked often is.
func (t *Team) moveOff(placed *int64) {
	if cpu := t.cpu(); mustMove(cpu, t.callerCPU.Load(), nanotime(), placed) {
		t.leave(cpu)
	}
}

// countDone counts k chunks a worker finished. Only workers count in done,
// so the caller never pulls the line back just to add its own share.
func (t *Team) countDone(k uint32) {
	if k > 0 {
		atomic.AddUint32(t.done.Word(), k)
		t.table.Notify(&t.done, 1) // one load unless the caller parked
	}
}

// claim runs chunks of the current loop until none are left, adding each
// to *k as it claims it (so that a body that calls runtime.Goexit leaves
// the count right).
func (t *Team) claim(k *uint32) {
	var j job
	first := true
	for {
		r := t.left.Add(-1)
		if r < 0 {
			break
		}
		if first {
			// The first claim pins the loop: it cannot end, and its
			// fields cannot change, before this claim is counted.
			j = t.job
			first = false
		}
		*k++
		// The chunk index times grain is at most n-1, and hi is taken as
		// lo plus what is left, so nothing overflows near MaxInt.
		lo := int(j.chunks-1-r) * j.grain
		t.call(j.body, lo, lo+min(j.grain, j.n-lo))
		if r == 0 {
			break // that was the last chunk: no need to ask again
		}
	}
}

// call runs body(lo, hi), recording a panic, or a runtime.Goexit, as the
// loop's first.
func (t *Team) call(body func(lo, hi int), lo, hi int) {
	returned := false
	defer func() {
		if !returned {
			t.panicV.CompareAndSwap(nil, panicError(recover()))
		}
	}()
	body(lo, hi)
	returned = true
}

// callRecover runs body(lo, hi) and returns its panic, if any. A
// runtime.Goexit goes on (it cannot be stopped), leaving nothing to undo.
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
// Every range starts at a multiple of grain and all but the last are
// exactly grain long, so lo/grain numbers the chunk: a body can keep a
// partial result per chunk in a slice of (n+grain-1)/grain slots.
//
// If a body panics, the other chunks still run, and For then panics in the
// caller with a *PanicError holding the first panic's value and stack; the
// team stays usable. A body that calls runtime.Goexit (t.FailNow does)
// counts as a panic with ErrGoexit when it ran on a worker, whose goroutine
// is replaced; on the caller's goroutine the Goexit goes on, after the
// chunks already started have finished and the rest are skipped. A fault
// inside a body on a worker (reading a truncated shared region) is a panic
// too, which shm.Guard in the caller turns into an error.
func (t *Team) For(n, grain int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain <= 0 {
		grain = max(1, n/t.n+min(n%t.n, 1))
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
	// The caller takes chunk 0 before it publishes the loop, so that its
	// first chunk costs no atomic add on the line the workers are reading.
	t.left.Store(chunks - 1) // publishes job
	if t.place && t.gen.Waiters() > 0 {
		// A worker will wake: tell it where the caller is (moveOff).
		t.callerCPU.Store(int32(t.cpu()))
	}
	g := t.gen.Load() + 1
	t.gen.Store(g)
	// One atomic load when every worker is spinning.
	if t.table.Notify(&t.gen, int(min(chunks-1, int64(t.n-1)))) > 0 && t.wokeAt == 0 {
		t.wokeAt = -1 // woken; timed from when a loop first finds it absent
	}
	mine := uint32(1)
	returned := false
	defer func() {
		if !returned {
			t.abandonLocked(chunks, mine)
		}
	}()
	t.call(body, 0, min(grain, n))
	if t.wokeAt != 0 && t.left.Load() >= 0 {
		t.letWokenRun(nanotime())
	}
	if chunks > 1 {
		t.claim(&mine)
	}
	returned = true
	if int64(mine) < chunks {
		t.alone = 0
		if t.wokeAt != 0 {
			t.wokeAt = 0 // a worker took part: it is running
		}
	} else if chunks > 1 && t.place && t.wokeAt == 0 {
		// The caller ran every chunk: ranAlone on the 1st, 2nd, 4th ...
		// loop of a streak, and every aloneCheck-th after.
		if t.alone++; t.alone&(t.alone-1) == 0 || t.alone%aloneCheck == 0 {
			t.ranAlone(nanotime)
		}
	}
	// done reaches target when the workers have counted every chunk
	// that the caller did not run.
	return t.finishLocked(t.counted + uint32(chunks) - mine)
}

// finishLocked waits for the workers' share of the loop and returns its
// first panic.
func (t *Team) finishLocked(target uint32) *PanicError {
	// When the workers ran none of the loop, done is still counted:
	// not reading it spares the caller a miss on the line when a worker
	// has just written seen there.
	if target != t.counted && t.done.Load() != target {
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

// abandonLocked ends a loop whose body called runtime.Goexit on the
// caller's goroutine: the chunks nobody claimed yet are skipped, those the
// workers run are waited for, and the team is unlocked for the next loop
// while the Goexit goes on.
func (t *Team) abandonLocked(chunks int64, mine uint32) {
	unclaimed := max(t.left.Swap(-1), 0)
	t.finishLocked(t.counted + uint32(chunks) - mine - uint32(unclaimed))
	t.mu.Unlock()
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

// serial runs a loop on the caller, chunk by chunk, with For's panic rule.
func serial(n, grain int, body func(lo, hi int)) {
	var first *PanicError
	for lo := 0; lo < n; {
		hi := lo + min(grain, n-lo) // lo+grain may overflow near MaxInt
		if p := callRecover(body, lo, hi); p != nil && first == nil {
			first = p
		}
		lo = hi
	}
	if first != nil {
		panic(first)
	}
}
