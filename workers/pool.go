package workers

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Unbounded, as Options.MaxQueue, lets the queue grow without limit.
const Unbounded = -1

var (
	// ErrQueueFull is returned by TrySubmit when the queue is at its limit.
	ErrQueueFull = errors.New("workers: pool queue is full")
	// ErrClosed is returned when submitting to a closed pool, and (wrapping
	// context.Canceled) by the handles of queued tasks that CloseNow dropped.
	ErrClosed = errors.New("workers: pool is closed")

	errClosedCanceled = fmt.Errorf("%w: %w", ErrClosed, context.Canceled)
)

// PanicError is the error of a task that panicked, and the value a Team's
// For re-panics with when a loop body panics. The worker survives either way.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("workers: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is sees
// through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Options configures a Pool. The zero value is ready to use.
type Options struct {
	MinWorkers  int           // workers kept alive while idle; default 0
	MaxWorkers  int           // default GOMAXPROCS
	IdleTimeout time.Duration // workers above MinWorkers exit after this idle time; default 10s
	// MaxQueue bounds the tasks waiting for a worker; Unbounded (< 0)
	// lifts the bound (past 64 tasks per worker a submit then yields the
	// processor once, but never blocks). 0 means auto: about 1 ms of work
	// per worker, as measured on the pool's own tasks, between 4 and 64
	// tasks per worker. Tasks of 250 µs or more get 4 per worker; tiny
	// tasks get a deeper queue, which lets producers and workers take turns
	// in runs of many tasks instead of a few (13 M tiny tasks/s instead of
	// 7 M on 2 cores).
	MaxQueue     int
	LockOSThread bool // each worker runs on its own locked OS thread
	// NoTiming turns off the clock reads behind Stats' utilization and
	// wait/run histograms; the task counters stay on. Timing costs 5–10% of
	// the throughput of empty tasks (BenchmarkTimingCost), nothing
	// measurable for tasks of a few µs or more.
	NoTiming bool
}

// TaskOption changes how one task runs.
type TaskOption func(*taskOptions)

type taskOptions struct{ timeout time.Duration }

// WithTimeout bounds a task's run time (not its time in the queue): its
// context is cancelled d after it starts.
func WithTimeout(d time.Duration) TaskOption {
	return func(o *taskOptions) { o.timeout = d }
}

// runner is what a task runs: call runs the user's function and keeps its
// value; complete publishes the final error of a task with a handle (and is
// called exactly once, whether or not call ran); timeout is its
// WithTimeout.
type runner interface {
	call(ctx context.Context) error
	complete(err error)
	timeout() time.Duration
}

// goFn is a fire-and-forget task's function as a runner. A func is
// pointer-shaped, so making it a runner allocates nothing.
type goFn func(ctx context.Context) error

func (f goFn) call(ctx context.Context) error { return f(ctx) }
func (goFn) complete(error)                   {}
func (goFn) timeout() time.Duration           { return 0 }

// entry is one task in the queue or on its way to a worker, by value, so
// that a fire-and-forget task costs no allocation. While it is queued its
// ring slot is its identity: a context's cancel hook finds it there by
// done and marks it dead (a tombstone that workers skip), all under
// Pool.mu.
type entry struct {
	r       runner
	onError func(error) // a fire-and-forget task's
	ctx     context.Context
	done    <-chan struct{} // ctx.Done(), when queued with a cancel hook
	enq     int64           // nanotime at submission; 0 when the task is not timed
	dead    bool            // cancelled while queued
	handle  bool            // r.complete and r.timeout matter: not a goFn
}

func (e *entry) complete(err error) {
	if e.handle {
		e.r.complete(err)
	} else if err != nil && e.onError != nil {
		e.onError(err)
	}
}

// Auto queue sizing and batching, from the measured run time of tasks.
const (
	maxBatch       = 8                     // tasks a worker takes per lock, at most
	batchBelow     = 20 * time.Microsecond // tasks run longer than this are not batched
	autoQueueWork  = time.Millisecond      // auto queue: this much work per worker
	autoQueueMin   = 4                     // auto queue: at least this many tasks per worker
	autoQueueMax   = 64                    // auto queue: at most this many tasks per worker
	sampleRunEvery = 16                    // a worker times its next pop after this many untimed tasks
)

// worker is one pool goroutine. task, hasTask and exit are guarded by
// Pool.mu; wake carries one token per hand-off.
type worker struct {
	wake      chan struct{}
	task      entry
	hasTask   bool
	exit      bool
	idleSince int64 // nanotime when it last parked
	idx       int   // index in Pool.all
	sh        *statShard
	busySince int64 // nanotime when its busy stretch began; 0 while parked or untimed

	batch   []entry // tasks taken from the queue with the last one, run next
	untimed int     // tasks run since the last timed pop
	ctxSlab []taskCtx
	runEst  int64 // ns per task of the last timed batch; 0: none pending

	killMu sync.Mutex
	cancel context.CancelFunc // cancels the running task's own context, if it has a timeout
}

// A Pool runs tasks on a bounded, elastic set of goroutines, with a bounded
// queue in front of them. Use NewPool; a Pool must be closed with Close or
// CloseNow to release its workers.
type Pool struct {
	mu sync.Mutex
	// The queue is a ring of entries, oldest first. A task cancelled while
	// queued stays in its slot, marked dead, until a worker skips it:
	// cancelling one context costs a scan of the queue, but queueing and
	// taking tasks stay a copy each, with no links to chase.
	ring        []entry
	rhead, rlen int
	queued      int // live tasks in the ring
	maxQueue    int // < 0: unbounded
	autoQueue   bool
	runEst      int64 // moving average of the ns a task runs; 0 until measured
	lastRun     int64 // the last sample behind runEst
	hooks       map[<-chan struct{}]*ctxHook
	idleHooks   int // hooks with no task queued
	min, max    int
	workers     int
	idle        []*worker // parked workers, most recently parked last
	all         []*worker // every live worker
	submitted   uint64
	closed      bool
	doneClosed  bool
	changed     chan struct{} // closed at resize, close, or (for Drain) when the queue shrinks; nil if nobody waits
	space       chan struct{} // a token for one submitter blocked on a full queue
	spaceWait   int           // submitters blocked on a full queue
	drainWait   int           // Drain calls waiting
	done        chan struct{} // closed when the pool is closed and every worker has exited
	idleTimeout time.Duration
	lockOS      bool
	janitorOn   bool            // a janitor goroutine is running
	janitorStop chan struct{}   // closed at close
	killCtx     context.Context // the context of tasks whose submit context cannot end
	killed      atomic.Bool     // set by CloseNow before it cancels anything
	kill        context.CancelFunc

	stats poolStats
}

// NewPool returns a pool configured by opts, with its MinWorkers started.
func NewPool(opts Options) *Pool {
	p := &Pool{
		min:         max(opts.MinWorkers, 0),
		max:         opts.MaxWorkers,
		idleTimeout: opts.IdleTimeout,
		lockOS:      opts.LockOSThread,
		done:        make(chan struct{}),
		janitorStop: make(chan struct{}),
		space:       make(chan struct{}, 1),
	}
	if p.max <= 0 {
		p.max = runtime.GOMAXPROCS(0)
	}
	p.min = min(p.min, p.max)
	if p.idleTimeout <= 0 {
		p.idleTimeout = 10 * time.Second
	}
	switch {
	case opts.MaxQueue == 0:
		p.autoQueue = true
		p.setAutoQueueLocked()
	case opts.MaxQueue < 0:
		p.maxQueue = Unbounded
	default:
		p.maxQueue = opts.MaxQueue
	}
	p.killCtx, p.kill = context.WithCancel(context.Background())
	p.stats.init(p.max, !opts.NoTiming)
	p.mu.Lock()
	p.workers = p.min
	for range p.min {
		go p.work(p.newWorkerLocked(), entry{}, false)
	}
	p.mu.Unlock()
	return p
}

// Task is the handle of a submitted task.
type Task[T any] struct {
	fn      func(ctx context.Context) (T, error)
	val     T
	err     error
	done    chan struct{}
	runTime time.Duration // WithTimeout
}

func (t *Task[T]) call(ctx context.Context) error {
	v, err := t.fn(ctx)
	t.val = v
	return err
}

func (t *Task[T]) complete(err error) {
	t.err = err
	close(t.done)
}

func (t *Task[T]) timeout() time.Duration { return t.runTime }

// Done returns a channel that is closed when the task has finished, failed,
// or been cancelled.
func (t *Task[T]) Done() <-chan struct{} { return t.done }

// Wait waits for the task and returns its result. ctx bounds only the wait:
// when it ends first, Wait returns ctx.Err() and the task goes on.
func (t *Task[T]) Wait(ctx context.Context) (T, error) {
	select {
	case <-t.done:
		return t.val, t.err
	default:
	}
	select {
	case <-t.done:
		return t.val, t.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func newTask[T any](fn func(ctx context.Context) (T, error), opts []TaskOption) *Task[T] {
	t := &Task[T]{fn: fn, done: make(chan struct{})}
	if len(opts) > 0 {
		var o taskOptions
		for _, f := range opts {
			f(&o)
		}
		t.runTime = o.timeout
	}
	return t
}

// Submit queues fn, waiting for queue space while the queue is full. The
// task runs with a context that is cancelled when ctx is, when its
// WithTimeout expires, or when the pool is closed with CloseNow. If ctx is
// cancelled while the task is still queued, the task is removed and never
// runs; its handle then returns ctx.Err(). Submit returns ErrClosed after
// the pool has been closed, and ctx.Err() if ctx ends while waiting.
func Submit[T any](ctx context.Context, p *Pool, fn func(ctx context.Context) (T, error), opts ...TaskOption) (*Task[T], error) {
	t := newTask(fn, opts)
	if err := p.submit(entry{r: t, ctx: ctx, handle: true}, true); err != nil {
		return nil, err
	}
	return t, nil
}

// TrySubmit is Submit, except that it returns ErrQueueFull at once instead of
// waiting for queue space.
func TrySubmit[T any](ctx context.Context, p *Pool, fn func(ctx context.Context) (T, error), opts ...TaskOption) (*Task[T], error) {
	t := newTask(fn, opts)
	if err := p.submit(entry{r: t, ctx: ctx, handle: true}, false); err != nil {
		return nil, err
	}
	return t, nil
}

// Go submits fn like Submit but returns no handle: if the task fails (or is
// cancelled before it runs), onError, when not nil, is called with the
// error, once, never on the caller's goroutine (on the worker, or on the
// goroutine that removed the task from the queue). Go allocates nothing.
func (p *Pool) Go(ctx context.Context, fn func(ctx context.Context) error, onError func(error)) error {
	return p.submit(entry{r: goFn(fn), onError: onError, ctx: ctx}, true)
}

func (p *Pool) submit(e entry, block bool) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	yielded := 0
	p.mu.Lock()
	for {
		if p.closed {
			p.mu.Unlock()
			return ErrClosed
		}
		if n := len(p.idle); n > 0 {
			// Hand the task straight to the most recently parked worker.
			w := p.idle[n-1]
			p.idle[n-1] = nil
			p.idle = p.idle[:n-1]
			p.admitLocked(&e)
			w.task, w.hasTask = e, true
			p.passOnLocked()
			p.mu.Unlock()
			select {
			case w.wake <- struct{}{}:
			default:
			}
			return nil
		}
		if p.workers < p.max {
			p.workers++
			p.admitLocked(&e)
			w := p.newWorkerLocked()
			p.passOnLocked()
			p.mu.Unlock()
			go p.work(w, e, true)
			return nil
		}
		if p.maxQueue < 0 || p.queued < p.maxQueue {
			p.admitLocked(&e)
			if done := e.ctx.Done(); done != nil {
				e.done = done
				p.hookLocked(e.ctx, done)
			}
			p.pushLocked(e)
			p.passOnLocked()
			deep := p.maxQueue < 0 && p.queued > autoQueueMax*p.max
			p.mu.Unlock()
			if deep {
				// An unbounded queue never blocks, but past what an auto
				// queue would hold, a producer gives a worker its turn:
				// a queue that stays shallow stays in cache.
				runtime.Gosched()
			}
			return nil
		}
		if !block {
			p.mu.Unlock()
			return ErrQueueFull
		}
		if yielded < 2 {
			// A worker is likely to free a slot within a task's time:
			// yielding is cheaper than parking and being woken.
			yielded++
			p.mu.Unlock()
			runtime.Gosched()
			p.mu.Lock()
			continue
		}
		// Wait for a token (one per freed slot: no thundering herd, no
		// channel to allocate per wait), a resize, or close.
		p.spaceWait++
		ch := p.changedLocked()
		p.mu.Unlock()
		var err error
		select {
		case <-p.space:
		case <-ch:
		case <-e.ctx.Done():
			err = e.ctx.Err()
		}
		p.mu.Lock()
		p.spaceWait--
		if err != nil {
			p.mu.Unlock()
			return err
		}
	}
}

// signalSpaceLocked hands one blocked submitter a token. Tokens do not pile
// up beyond one, so a submitter that took a slot passes the token on while
// room is left (passOnLocked).
func (p *Pool) signalSpaceLocked() {
	select {
	case p.space <- struct{}{}:
	default:
	}
}

func (p *Pool) passOnLocked() {
	if p.spaceWait > 0 && (p.maxQueue < 0 || p.queued < p.maxQueue) {
		p.signalSpaceLocked()
	}
}

// admitLocked counts an accepted task and, for the tasks chosen for the
// timing histograms, stamps its submission time. The choice is made under
// the lock, from the count, because even a cheap random number costs as much
// as an atomic add, a good part of the budget.
func (p *Pool) admitLocked(e *entry) {
	if p.stats.timing && (p.submitted < alwaysTimed || p.submitted%sampleEvery == 0) {
		e.enq = nanotime()
	}
	p.submitted++
}

func (p *Pool) pushLocked(e entry) {
	if p.rlen == len(p.ring) {
		p.growLocked()
	}
	p.ring[(p.rhead+p.rlen)&(len(p.ring)-1)] = e
	p.rlen++
	p.queued++
}

// growLocked doubles the ring, which stays a power of two long.
func (p *Pool) growLocked() {
	ring := make([]entry, max(2*len(p.ring), 64))
	for i := range p.rlen {
		ring[i] = p.ring[(p.rhead+i)&(len(p.ring)-1)]
	}
	p.ring, p.rhead = ring, 0
}

// shrinkRing is the ring length (entries) beyond which an emptied ring is
// dropped.
const shrinkRing = 1 << 12

// popLocked takes the oldest live task off the queue.
func (p *Pool) popLocked() (entry, bool) {
	for p.rlen > 0 {
		slot := &p.ring[p.rhead]
		e := *slot
		*slot = entry{} // let the task and its closure be collected
		p.rhead = (p.rhead + 1) & (len(p.ring) - 1)
		p.rlen--
		if p.rlen == 0 && len(p.ring) > shrinkRing {
			// Let a burst's ring go; the next push starts small again.
			p.ring, p.rhead = nil, 0
		}
		if e.dead {
			continue // cancelled while queued
		}
		if e.done != nil {
			p.unhookLocked(e.done)
		}
		p.dequeuedLocked()
		return e, true
	}
	return entry{}, false
}

// dequeuedLocked accounts for one live task leaving the queue.
func (p *Pool) dequeuedLocked() {
	p.queued--
	if p.spaceWait > 0 {
		p.signalSpaceLocked()
	}
	if p.drainWait > 0 {
		p.notifyLocked()
	}
}

// changedLocked returns a channel closed at the next resize or close and,
// while a Drain waits, at the next change of queue length downwards.
func (p *Pool) changedLocked() chan struct{} {
	if p.changed == nil {
		p.changed = make(chan struct{})
	}
	return p.changed
}

func (p *Pool) notifyLocked() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// ctxHook is the cancel hook of the queued tasks that share one Done
// channel. One hook per channel, not per task, keeps a cancellable submit
// context from costing a registration with it (a lock and a map entry in
// the context, contended by every submitter) per task.
type ctxHook struct {
	stop   func() bool
	queued int // live queued tasks with this Done channel
}

func (p *Pool) hookLocked(ctx context.Context, done <-chan struct{}) {
	h := p.hooks[done]
	if h != nil && h.queued == 0 {
		p.idleHooks--
	}
	if h == nil {
		if p.hooks == nil {
			p.hooks = make(map[<-chan struct{}]*ctxHook)
		}
		h = new(ctxHook)
		// The hook runs on its own goroutine, so taking p.mu there is safe.
		h.stop = context.AfterFunc(ctx, func() { p.cancelQueued(done) })
		p.hooks[done] = h
	}
	h.queued++
}

// unhookLocked drops a task that left the queue alive from its hook. A
// hook left with no tasks stays registered (idle), because a context that
// had tasks queued is likely to queue more: a producer's queue often
// empties between its submits. Idle hooks are swept when there are more
// than maxIdleHooks, and at close.
func (p *Pool) unhookLocked(done <-chan struct{}) {
	h := p.hooks[done]
	if h == nil {
		return // the hook fired; cancelQueued will find the task gone
	}
	if h.queued--; h.queued == 0 {
		p.idleHooks++
		if p.idleHooks > maxIdleHooks || p.closed {
			p.sweepHooksLocked()
		}
	}
}

// maxIdleHooks bounds the cancel hooks kept for contexts with no task
// queued.
const maxIdleHooks = 16

// sweepHooksLocked unregisters the idle hooks. (stop takes the context's
// lock, never p.mu, so calling it here cannot deadlock.)
func (p *Pool) sweepHooksLocked() {
	for done, h := range p.hooks {
		if h.queued == 0 {
			delete(p.hooks, done)
			h.stop()
		}
	}
	p.idleHooks = 0
}

// cancelQueued removes the queued tasks whose context's Done channel is
// done, after it was closed. Their slots in the ring become tombstones.
func (p *Pool) cancelQueued(done <-chan struct{}) {
	var gone []entry
	p.mu.Lock()
	// The hook counts its live queued tasks, so an idle hook (a context
	// that ends after its tasks ran: a request's, typically) scans nothing.
	// Without an entry there is nothing queued under done either: tasks
	// are queued only through hookLocked, and a swept hook had none.
	want := 0
	if h := p.hooks[done]; h != nil {
		want = h.queued
		if h.queued == 0 {
			p.idleHooks--
		}
		delete(p.hooks, done)
	}
	for i := 0; len(gone) < want && i < p.rlen; i++ {
		e := &p.ring[(p.rhead+i)&(len(p.ring)-1)]
		if !e.dead && e.done == done {
			e.dead = true
			p.dequeuedLocked()
			gone = append(gone, *e)
		}
	}
	p.mu.Unlock()
	p.stats.cancelled.Add(uint64(len(gone)))
	for i := range gone {
		gone[i].complete(gone[i].ctx.Err())
	}
}

// newWorkerLocked registers a worker for a goroutine about to start.
func (p *Pool) newWorkerLocked() *worker {
	w := &worker{wake: make(chan struct{}, 1), idx: len(p.all), sh: p.stats.shard(), untimed: sampleRunEvery}
	if p.stats.timing {
		w.busySince = nanotime()
	}
	p.all = append(p.all, w)
	return w
}

// retireLocked unregisters an exiting worker.
func (p *Pool) retireLocked(w *worker) {
	last := p.all[len(p.all)-1]
	p.all[w.idx] = last
	last.idx = w.idx
	p.all[len(p.all)-1] = nil
	p.all = p.all[:len(p.all)-1]
}

// endBusyLocked ends the worker's busy stretch at now. Stretches begin and
// end where the worker holds the pool lock anyway, so they cost no atomics.
func (p *Pool) endBusyLocked(w *worker, now int64) {
	if w.busySince != 0 {
		p.stats.addBusyLocked(w.busySince, now)
		w.busySince = 0
	}
}

// work is a worker goroutine; it runs the task it was started with, if
// any, and then whatever the queue gives it.
func (p *Pool) work(w *worker, e entry, ok bool) {
	if p.lockOS {
		// Never unlocked: the thread ends with the worker, so thread state a
		// task changed does not leak into other goroutines.
		runtime.LockOSThread()
	}
	for {
		// Time a pop (one task or a batch) after every sampleRunEvery
		// tasks: two clock reads for many tasks, and tasks that turn long
		// are noticed within a few pops.
		var t0 int64
		if ok && w.untimed >= sampleRunEvery {
			t0 = nanotime()
			w.untimed = 0
		}
		if ok {
			p.run(&e, w)
		}
		for i := range w.batch {
			b := &w.batch[i]
			if p.killed.Load() {
				// CloseNow drops what is queued; these were as good as queued.
				p.stats.cancelled.Add(1)
				b.complete(errClosedCanceled)
			} else {
				p.run(b, w)
			}
			*b = entry{}
		}
		if t0 != 0 {
			w.runEst = max((nanotime()-t0)/int64(1+len(w.batch)), 1)
		} else if ok {
			w.untimed += 1 + len(w.batch)
		}
		w.batch = w.batch[:0]
		if e, ok = p.next(w); !ok {
			return
		}
	}
}

// next returns the worker's next task, or false when the worker must exit.
// When the queue is long it also moves a few more tasks to w.batch: taking
// them under the same lock halves the lock traffic of tiny tasks.
func (p *Pool) next(w *worker) (entry, bool) {
	p.mu.Lock()
	if w.runEst != 0 {
		p.noteRunLocked(w.runEst)
		w.runEst = 0
	}
	for {
		if p.workers > p.max {
			// Shrunk by Resize: leave, and let the others drain the queue.
			p.leaveLocked(w)
			return entry{}, false
		}
		if e, ok := p.popLocked(); ok {
			if p.stats.timing && w.busySince == 0 {
				w.busySince = nanotime() // back from a stale wake-up
			}
			k := 0
			if p.runEst > 0 && p.runEst < int64(batchBelow) {
				// Longer tasks (or tasks not timed yet) are not batched: a
				// worker holding tasks back while another is idle would
				// delay them.
				k = min(p.queued/p.workers, maxBatch-1)
			}
			for ; k > 0; k-- {
				b, _ := p.popLocked()
				w.batch = append(w.batch, b)
			}
			p.mu.Unlock()
			return e, true
		}
		if p.closed {
			p.leaveLocked(w)
			return entry{}, false
		}
		// Park until a submitter hands us a task or the idle timeout passes.
		w.idleSince = nanotime()
		if p.stats.timing {
			p.endBusyLocked(w, w.idleSince)
		}
		p.idle = append(p.idle, w)
		if !p.janitorOn && p.workers > p.min {
			p.janitorOn = true
			go p.janitor()
		}
		p.mu.Unlock()
		<-w.wake
		var now int64
		if p.stats.timing {
			now = nanotime() // outside the lock, to keep it short
		}
		p.mu.Lock()
		if w.hasTask {
			e := w.task
			w.task, w.hasTask = entry{}, false
			w.busySince = now
			p.mu.Unlock()
			return e, true
		}
		if w.exit {
			p.mu.Unlock()
			return entry{}, false
		}
		// A stale wake-up: park again.
		p.unidleLocked(w)
	}
}

// noteRunLocked folds a measured run time (ns per task) into the pool's
// estimate and resizes an auto queue to match. What it folds in is the
// smaller of this sample and the last: a pop during which the worker was
// preempted or descheduled (ms on a busy machine) is one high sample, while
// tasks that really became long give two in a row.
func (p *Pool) noteRunLocked(ns int64) {
	x := ns
	if p.lastRun != 0 {
		x = min(ns, p.lastRun)
	}
	p.lastRun = ns
	if p.runEst == 0 {
		p.runEst = x
	} else {
		p.runEst += (x - p.runEst) / 8
	}
	if p.autoQueue {
		p.setAutoQueueLocked()
	}
}

// setAutoQueueLocked sets an auto queue's limit from MaxWorkers and the
// run-time estimate, waking submitters blocked on a limit that grew.
func (p *Pool) setAutoQueueLocked() {
	per := autoQueueMin
	if p.runEst > 0 {
		per = int(min(max(int64(autoQueueWork)/p.runEst, autoQueueMin), autoQueueMax))
	}
	limit := per * p.max
	if limit > p.maxQueue && p.spaceWait > 0 {
		p.signalSpaceLocked()
	}
	p.maxQueue = limit
}

// newTaskCtx returns a zero taskCtx for the worker's next task. They come
// from slabs of 64: one allocation for many tasks. A context a task kept
// pins its slab (3 KiB) until it is dropped, and nothing is ever reused.
func (w *worker) newTaskCtx() *taskCtx {
	if len(w.ctxSlab) == 0 {
		w.ctxSlab = make([]taskCtx, 64)
	}
	tc := &w.ctxSlab[0]
	w.ctxSlab = w.ctxSlab[1:]
	return tc
}

// leaveLocked retires w, whose goroutine is about to exit, and unlocks.
func (p *Pool) leaveLocked(w *worker) {
	p.workers--
	p.retireLocked(w)
	p.exitedLocked()
	if p.stats.timing {
		p.endBusyLocked(w, nanotime())
	}
	p.mu.Unlock()
}

// janitor retires workers that stayed parked longer than the idle timeout,
// oldest first, down to MinWorkers. One timer for the pool keeps timers off
// the park/unpark path; the janitor exits when nothing is left to retire.
func (p *Pool) janitor() {
	tick := time.NewTicker(max(p.idleTimeout/4, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-p.janitorStop:
			return
		case <-tick.C:
		}
		p.mu.Lock()
		now := nanotime()
		for len(p.idle) > 0 && p.workers > p.min && now-p.idle[0].idleSince >= int64(p.idleTimeout) {
			p.releaseIdleLocked(1)
		}
		if p.workers <= p.min || p.closed {
			p.janitorOn = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

func (p *Pool) unidleLocked(w *worker) {
	for i, v := range p.idle {
		if v == w {
			copy(p.idle[i:], p.idle[i+1:])
			p.idle[len(p.idle)-1] = nil
			p.idle = p.idle[:len(p.idle)-1]
			return
		}
	}
}

// releaseIdleLocked tells up to n parked workers to exit.
func (p *Pool) releaseIdleLocked(n int) {
	for n > 0 && len(p.idle) > 0 {
		w := p.idle[0]
		p.unidleLocked(w)
		p.retireLocked(w)
		w.exit = true
		p.workers--
		select {
		case w.wake <- struct{}{}:
		default:
		}
		n--
	}
	p.exitedLocked()
}

func (p *Pool) exitedLocked() {
	if p.closed && p.workers == 0 && !p.doneClosed {
		p.doneClosed = true
		close(p.done)
	}
}

// mergedCtx carries the submitter's values but is cancelled with the pool.
// It is used only when the submitter's context can never be cancelled.
type mergedCtx struct {
	context.Context
	kill context.Context
}

func (c mergedCtx) Done() <-chan struct{} { return c.kill.Done() }
func (c mergedCtx) Err() error            { return c.kill.Err() }

// run runs one task on the calling worker.
func (p *Pool) run(e *entry, w *worker) {
	sh := w.sh
	var start int64
	if e.enq != 0 {
		start = nanotime()
		sh.wait.record(start - e.enq)
	}
	var timeout time.Duration
	if e.handle {
		timeout = e.r.timeout()
	}
	var ctx context.Context
	var cancel context.CancelFunc
	var tc *taskCtx
	switch done := e.ctx.Done(); {
	case done == nil && timeout <= 0:
		// Nothing to derive: the pool's kill context is the only way out.
		if e.ctx == context.Background() {
			ctx = p.killCtx
		} else {
			ctx = mergedCtx{e.ctx, p.killCtx}
		}
	default:
		if err := e.ctx.Err(); err != nil {
			sh.cancelled.Add(1)
			e.complete(err)
			return
		}
		if timeout <= 0 {
			tc = w.newTaskCtx()
			tc.Context, tc.p = e.ctx, p
			ctx = tc
			break
		}
		ctx, cancel = context.WithTimeout(e.ctx, timeout)
		// CloseNow reaches this context through the worker, which is
		// cheaper than registering every task with the shared kill context
		// (a lock and a map entry there, twice per task, from all workers).
		// A worker arms its task's context before it checks killed, and
		// CloseNow sets killed before it looks at the workers.
		w.killMu.Lock()
		w.cancel = cancel
		w.killMu.Unlock()
		if p.killed.Load() {
			cancel()
		}
	}
	err := callSafely(e, ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		sh.cancelledRunning.Add(1)
	}
	if cancel != nil {
		w.killMu.Lock()
		w.cancel = nil
		w.killMu.Unlock()
		cancel()
	}
	if tc != nil {
		tc.end()
	}
	if e.enq != 0 {
		sh.run.record(nanotime() - start)
	}
	sh.finished(err != nil)
	e.complete(err)
}

func callSafely(e *entry, ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return e.r.call(ctx)
}

// Resize changes the maximum number of workers. Growing starts workers for
// queued tasks at once; shrinking lets running tasks finish and retires the
// surplus workers as they become free. No task is lost. Resize panics if
// maxWorkers < 1.
func (p *Pool) Resize(maxWorkers int) {
	if maxWorkers < 1 {
		panic(fmt.Sprintf("workers: Pool.Resize: maxWorkers %d < 1", maxWorkers))
	}
	p.mu.Lock()
	p.stats.resized(nanotime(), maxWorkers)
	p.max = maxWorkers
	p.min = min(p.min, maxWorkers)
	if p.autoQueue {
		p.setAutoQueueLocked()
	}
	spawn := 0
	if !p.closed {
		spawn = min(p.max-p.workers, p.queued)
	}
	spawn = max(spawn, 0)
	p.workers += spawn
	if p.workers > p.max {
		p.releaseIdleLocked(p.workers - p.max)
	}
	p.notifyLocked() // the queue limit may have grown
	for range spawn {
		go p.work(p.newWorkerLocked(), entry{}, false)
	}
	p.mu.Unlock()
}

// NeedsDrain reports whether the queue is full (for an unbounded queue:
// holds at least 4 × MaxWorkers tasks), a hint for producers to pause and
// call Drain.
func (p *Pool) NeedsDrain() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	limit := p.maxQueue
	if limit < 0 {
		limit = 4 * p.max
	}
	return p.queued >= limit
}

// Drain waits until fewer than below tasks are queued (below ≤ 0 is taken
// as 1: an empty queue), or returns ctx.Err().
func (p *Pool) Drain(ctx context.Context, below int) error {
	below = max(below, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.queued >= below {
		p.drainWait++
		ch := p.changedLocked()
		p.mu.Unlock()
		var err error
		select {
		case <-ch:
		case <-ctx.Done():
			err = ctx.Err()
		}
		p.mu.Lock()
		p.drainWait--
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *Pool) closeLocked() {
	if p.closed {
		return
	}
	p.closed = true
	close(p.janitorStop)
	p.sweepHooksLocked()
	p.notifyLocked()
	p.releaseIdleLocked(len(p.idle))
}

// Close stops accepting tasks, lets queued and running tasks finish, and
// waits for every worker to exit. If ctx ends first, Close returns ctx.Err()
// and the pool goes on draining; CloseNow then stops it.
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closeLocked()
	p.mu.Unlock()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CloseNow stops accepting tasks, drops the queued ones (their handles return
// an error matching both ErrClosed and context.Canceled), cancels the
// contexts of running ones, and waits for every worker to exit.
func (p *Pool) CloseNow() {
	p.mu.Lock()
	p.closeLocked()
	var dropped []entry
	for e, ok := p.popLocked(); ok; e, ok = p.popLocked() {
		dropped = append(dropped, e)
	}
	p.mu.Unlock()
	p.killed.Store(true)
	p.kill()
	// A worker arms its task's cancel and then checks killed, so each
	// running task is cancelled here or by its worker.
	p.mu.Lock()
	running := slices.Clone(p.all)
	p.mu.Unlock()
	for _, w := range running {
		w.killMu.Lock()
		if w.cancel != nil {
			w.cancel()
		}
		w.killMu.Unlock()
	}
	for i := range dropped {
		p.stats.cancelled.Add(1)
		dropped[i].complete(errClosedCanceled)
	}
	<-p.done
}
