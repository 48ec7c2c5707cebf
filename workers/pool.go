package workers

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Pool runs tasks on a bounded, elastic set of goroutines, with a bounded
// queue in front of them. Use NewPool; a Pool must be closed with Close or
// CloseNow to release its workers.
type Pool struct {
	// The first 64 bytes hold the lock and what every submit and pop
	// writes under it, so that the line they share with the lock is the
	// only one a task's hand-off moves between cores; what they only read
	// follows.
	mu          sync.Mutex
	rhead, rlen int
	queued      int    // live tasks in the ring
	submitted   uint64 // tasks accepted
	spinners    int    // workers in spinForTask
	// The queue is a ring of entries, oldest first. A task cancelled while
	// queued stays in its slot, marked dead, until a worker skips it:
	// cancelling one context costs a scan of the queue, but queueing and
	// taking tasks stay a copy each, with no links to chase.
	ring        []entry
	maxQueue    int // < 0: unbounded
	workers     int
	min, max    int
	closed      bool
	autoQueue   bool
	doneClosed  bool
	spaceWait   int       // submitters blocked on a full queue
	drainWait   int       // Drain calls waiting
	runEst      int64     // moving average of the ns a task runs; 0 until measured
	lastRun     int64     // the last sample behind runEst
	idle        []*worker // parked workers, most recently parked last
	all         []*worker // every live worker
	hooks       map[<-chan struct{}]*ctxHook
	idleHooks   int           // hooks with no task queued
	changed     chan struct{} // closed at resize, close, or (for Drain) when the queue shrinks; nil if nobody waits
	space       chan struct{} // a token for one submitter blocked on a full queue
	done        chan struct{} // closed when the pool is closed and every worker has exited
	idleTimeout time.Duration
	procs       int // GOMAXPROCS at NewPool: above it, workers do not spin (spinForTask)
	lockOS      bool
	nice        int
	janitorOn   bool            // the janitor is scheduled
	janitor     *time.Timer     // runs sweepIdle; made on first use
	killCtx     context.Context // cancelled by CloseNow; task contexts that made a Done channel register with it
	killed      atomic.Bool     // set by CloseNow before it cancels anything
	kill        context.CancelFunc

	stats poolStats

	_ [64]byte
	// pending is whether the ring holds entries, kept while a worker
	// spins for a task (spinners > 0), so that it can watch the ring
	// without taking the lock. It is written only when the ring turns
	// empty or non-empty, and lives on a line of its own, so a spinner's
	// looks cost the lock's holder nothing while tasks flow.
	pending atomic.Bool
}

// NewPool returns a pool configured by opts, with its MinWorkers started.
func NewPool(opts Options) *Pool {
	p := &Pool{
		min:         max(opts.MinWorkers, 0),
		max:         opts.Workers,
		idleTimeout: opts.IdleTimeout,
		lockOS:      opts.LockOSThread || opts.Nice > 0,
		nice:        min(max(opts.Nice, 0), 19),
		done:        make(chan struct{}),
		space:       make(chan struct{}, 1),
		procs:       runtime.GOMAXPROCS(0),
	}
	if p.max <= 0 {
		p.max = opts.MaxWorkers
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

func (p *Pool) submit(e entry, block bool) error {
	// Asked before taking the lock, to keep it short; Background (the
	// common case) need not be asked at all.
	var done <-chan struct{}
	if !isBackground(e.ctx) {
		if err := e.ctx.Err(); err != nil {
			return err
		}
		done = e.ctx.Done()
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
			if done != nil {
				e.done = done
				p.hookLocked(e.ctx, done)
			}
			p.pushLocked(e)
			p.passOnLocked()
			deep := p.maxQueue < 0 && p.queued > unboundedYield*p.max
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
