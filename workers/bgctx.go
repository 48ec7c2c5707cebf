package workers

import (
	"context"
	"sync"
	"time"
	"unsafe"
)

// bgCtx is the context a task runs with when it was submitted with
// context.Background() or context.TODO() and no timeout. It must end when
// the task returns, like every task context, yet most tiny tasks never look
// at it, and any memory or atomic operation per task shows at millions of
// tasks a second (48 bytes of taskCtx per task halved the throughput of
// empty tasks). So a task's bgCtx is one byte, a pointer to its id in a
// slab of bgIDs ids that its worker hands out, and whether the task has
// returned is read from the worker's count of finished tasks, which it
// keeps for Stats anyway. Nothing is registered anywhere until Done (or
// AfterFunc) is called; then a cancelCtx is derived for that task,
// registered with the pool's kill context while the task runs, and
// cancelled when it returns (or born cancelled if it already has).
//
// A *bgCtx must be a pointer so that storing it in a context.Context
// allocates nothing, and the id must find its slab from that pointer
// alone: each id byte holds its index, and the slab starts that many bytes
// (plus the offset of ids) before it.
type bgCtx byte

// bgIDs is the number of ids in a slab: one byte each, so a slab of 256
// ids costs about 1.3 bytes per task.
const bgIDs = 256

// bgSlab holds the ids of the tasks its worker numbered base to
// base+bgIDs-1 (by worker.ran); a task with another context leaves its id
// unused.
type bgSlab struct {
	p       *Pool
	w       *worker
	base    uint64
	mu      sync.Mutex
	derived map[uint8]*derivedCtx // ids whose context was asked for Done; guarded by mu
	ids     [bgIDs]bgCtx          // ids[i] == i
}

// newBgCtx returns the context of the worker's next task, submitted with
// Background or TODO.
func (w *worker) newBgCtx(p *Pool) *bgCtx {
	k := w.ran.Load() >> 1 // the task's number: w is the only one to add
	if w.bg == nil || k-w.bg.base >= bgIDs {
		s := &bgSlab{p: p, w: w, base: k}
		for i := range s.ids {
			s.ids[i] = bgCtx(i)
		}
		w.bg = s
	}
	return &w.bg.ids[k-w.bg.base]
}

func (c *bgCtx) slab() *bgSlab {
	// The id and its slab are one allocation; rule 3 of unsafe.Pointer
	// (arithmetic within the same object) covers this.
	off := int(*c) + int(unsafe.Offsetof(bgSlab{}.ids))
	return (*bgSlab)(unsafe.Add(unsafe.Pointer(c), -off))
}

// endDerived cancels the derived context of the worker's task number k,
// which has just returned. The worker calls it when it finds the derived
// bit set in ran: the bit is set only for the running task.
func (w *worker) endDerived(k uint64) {
	s := w.bg
	s.mu.Lock()
	d := s.derived[uint8(k-s.base)]
	s.mu.Unlock()
	d.cancel()
	d.stopKill()
}

func (c *bgCtx) derive() *derivedCtx {
	s := c.slab()
	i := uint8(*c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.derived[i]; d != nil {
		return d
	}
	if s.derived == nil {
		s.derived = make(map[uint8]*derivedCtx)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &derivedCtx{ctx, cancel, func() bool { return false }}
	s.derived[i] = d
	running := (s.base + uint64(i)) << 1
	if !s.w.ran.CompareAndSwap(running, running|1) {
		// Asked for after the task returned (by a goroutine it left
		// behind): born cancelled, and not registered with the pool.
		cancel()
		return d
	}
	// The task runs; its worker will see the bit when it returns and find
	// d here (under mu, so after stopKill is set).
	d.stopKill = context.AfterFunc(s.p.killCtx, cancel)
	if s.p.killed.Load() {
		cancel()
	}
	return d
}

// running reports whether c's task runs with nothing derived yet.
func (c *bgCtx) running(s *bgSlab) bool {
	return s.w.ran.Load() == (s.base+uint64(*c))<<1
}

// lookup returns c's derived context, or nil if none was asked for.
func (c *bgCtx) lookup() *derivedCtx {
	s := c.slab()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.derived[uint8(*c)]
}

func (c *bgCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *bgCtx) Done() <-chan struct{} { return c.derive().ctx.Done() }

func (c *bgCtx) Err() error {
	s := c.slab()
	if c.running(s) {
		// Only CloseNow can have ended it.
		if s.p.killed.Load() {
			return context.Canceled
		}
		return nil
	}
	if d := c.lookup(); d != nil {
		return d.ctx.Err() // agrees with Done
	}
	// Not running and nothing derived: returned (ids are numbered before
	// their task starts, so the task has started).
	return context.Canceled
}

// Value has nothing of the submitter's to give, but once a context was
// derived it answers for it, so that context.Cause and WithCancel find
// the cancelCtx behind Done. Without one, Cause falls back to Err.
func (c *bgCtx) Value(key any) any {
	if c.running(c.slab()) {
		return nil
	}
	if d := c.lookup(); d != nil {
		return d.ctx.Value(key)
	}
	return nil
}

// AfterFunc lets context.AfterFunc, WithCancel and friends register with
// the derived context directly instead of starting a goroutine to watch
// Done.
func (c *bgCtx) AfterFunc(f func()) func() bool {
	return context.AfterFunc(c.derive().ctx, f)
}

func (c *bgCtx) String() string { return "workers.taskCtx(context.Background)" }

// isBackground reports whether ctx is context.Background() or
// context.TODO() by comparing both words of the interface: == on
// interfaces calls runtime.ifaceeq, a good part of a tiny task's budget.
// Were equal contexts ever to differ in their words, it would only answer
// false, and such tasks would get a taskCtx.
func isBackground(ctx context.Context) bool {
	w := (*[2]unsafe.Pointer)(unsafe.Pointer(&ctx))
	return w[0] == bgWords[0] && w[1] == bgWords[1] || w[0] == todoWords[0] && w[1] == todoWords[1]
}

// bgWords and todoWords are the words of Background and TODO (set once).
var bgWords, todoWords = ifaceWords(context.Background()), ifaceWords(context.TODO())

func ifaceWords(ctx context.Context) [2]unsafe.Pointer {
	return *(*[2]unsafe.Pointer)(unsafe.Pointer(&ctx))
}
