//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/hist"
	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
)

// errNested is NewPool's error in a child process: the program did not call
// RunChildIfRequested before it started a pool.
var errNested = errors.New("proc: NewPool called in a process-worker child: main must call proc.RunChildIfRequested first, before it starts any pool (in tests: in TestMain)")

// maxCached bounds the shared regions a child keeps mapped between calls.
const maxCached = 64

// maxUntakenRetries bounds how often a call goes to another child because
// the one it was queued on died before taking it. With MaxInFlight above 1
// a call can wait behind a task that kills its child; where many tasks do,
// the same call can be unlucky several times in a row, so the bound is
// generous, yet finite in case every new child dies at once.
const maxUntakenRetries = 6

// A Pool runs calls on a fixed number of child processes.
//
// A call runs on its caller's goroutine: it takes the child with the fewest
// calls in flight, writes the request into the child's call queue and reads
// answers from its result queue itself, so a lone call's round trip costs no
// hand-off between goroutines, and no system call while both processes are
// running. Up to MaxInFlight calls wait in a child's call queue while it
// runs the one before; the caller that reads another call's answer hands it
// over.
type Pool struct {
	opts  Options
	exe   string
	sched sched
	slots chan struct{} // one per call waiting for a child; capacity MaxQueue
	kill  chan struct{} // closed by CloseNow

	mu     sync.Mutex // guards closed, the Add of calls, and live
	closed bool
	live   map[*child]struct{}
	calls  sync.WaitGroup // calls in progress
	bg     sync.WaitGroup // replacements and cancelled calls' clean-ups
	once   sync.Once      // the final stop of every child

	maxQueue int       // Stats' MaxQueue: -1 when unbounded
	born     time.Time // for Stats' Utilization
	running  atomic.Int64
	piped    atomic.Int64 // calls among running that wait in a child's queue
	busy     atomic.Int64 // ns children spent on calls

	submitted, completed, failed, cancelled, cancelledRunning atomic.Uint64
	died, killed, restarts, recycled                          atomic.Uint64
	wait, run                                                 hist.Histogram
}

// NewPool starts the children of a pool. The running binary must call
// RunChildIfRequested early in main (in tests: in TestMain). In a process
// started as a child that did not (it ran main instead of serving), NewPool
// fails at once, so a program that forgot cannot multiply itself.
func NewPool(opts Options) (*Pool, error) {
	if os.Getenv(childEnv) != "" {
		return nil, errNested
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	maxQueue := opts.MaxQueue
	switch {
	case opts.MaxQueue == 0:
		opts.MaxQueue = 4 * opts.Workers
		maxQueue = opts.MaxQueue
	case opts.MaxQueue < 0:
		// A channel of empty structs costs no memory for its capacity.
		opts.MaxQueue, maxQueue = math.MaxInt32, Unbounded
	}
	if opts.GOMAXPROCS <= 0 {
		opts.GOMAXPROCS = 1
	}
	if opts.Grace <= 0 {
		opts.Grace = time.Second
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = defaultInFlight
	}
	if opts.MaxInFlight > maxInFlight {
		return nil, fmt.Errorf("proc: Options.MaxInFlight is %d; at most %d", opts.MaxInFlight, maxInFlight)
	}
	if opts.Socket {
		opts.MaxInFlight = 1 // a socket child is read by one caller at a time
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	p := &Pool{
		opts: opts, exe: exe, maxQueue: maxQueue, born: time.Now(),
		slots: make(chan struct{}, opts.MaxQueue),
		kill:  make(chan struct{}),
		live:  map[*child]struct{}{},
	}
	// The children start side by side; each reports ready before it idles.
	children := make([]*child, opts.Workers)
	errs := make([]error, opts.Workers)
	var wg sync.WaitGroup
	for i := range children {
		wg.Go(func() { children[i], errs[i] = p.start() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		p.CloseNow()
		return nil, err
	}
	p.sched.limit, p.sched.maxTasks = opts.MaxInFlight, opts.MaxTasksPerWorker
	for _, c := range children {
		p.sched.add(c)
	}
	return p, nil
}

// Call runs the task registered as fn in a child with arg and regions and
// returns its result. It waits for queue space, a child and the result until
// ctx ends: a call cancelled while queued (in the pool's queue or in a
// child's call queue) never runs, and a running one is asked to stop (its
// ctx in the child is cancelled) and its child is killed and replaced if it
// has not stopped after the grace period.
//
// Its errors, all matchable with errors.Is or errors.As:
//   - a *TaskError: the task returned an error, panicked (it wraps a
//     *workers.PanicError) or called runtime.Goexit (workers.ErrGoexit);
//   - ErrWorkerDied: the child died while it ran the call (the text says
//     how: exit code, signal, out of memory); a call the child had not
//     taken yet goes to another child instead;
//   - ctx's error, also matching workers.ErrNotRun if the call never ran;
//   - ErrClosed: the pool was closed before the call, or (also matching
//     context.Canceled, and workers.ErrNotRun if it never ran) stopped by
//     CloseNow;
//   - ErrUnknownTask for a name nothing was registered under, and an error
//     naming the limit for too many regions, a too long name or argument,
//     or a closed region.
func (p *Pool) Call(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	return p.call(ctx, fn, arg, regions, true)
}

// TryCall is Call that fails at once with ErrQueueFull instead of waiting
// for queue space.
func (p *Pool) TryCall(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	return p.call(ctx, fn, arg, regions, false)
}

func (p *Pool) call(ctx context.Context, fn string, arg []byte, regions []RegionArg, block bool) ([]byte, error) {
	if _, ok := lookup(fn); !ok {
		return nil, fmt.Errorf("%w: %q (Register it in init or at the top of main, before RunChildIfRequested)", ErrUnknownTask, fn)
	}
	if len(regions) > maxFds {
		return nil, fmt.Errorf("proc: %d regions in one call; the limit is %d", len(regions), maxFds)
	}
	if len(fn) > 1<<16-1 {
		return nil, fmt.Errorf("proc: task name of %d bytes is too long (at most %d)", len(fn), 1<<16-1)
	}
	if room := maxPacket - maxCached*keySize - callHeader - len(fn) - len(regions)*refSize; len(arg) > room {
		return nil, fmt.Errorf("proc: call to %s: argument of %d bytes is too large: at most %d bytes fit in one call; pass larger data in a shared region", fn, len(arg), room)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	p.calls.Add(1)
	p.mu.Unlock()
	defer p.calls.Done()
	p.submitted.Add(1)

	// A streaming call has its child to itself: its items are read by its
	// own caller, who alone can wait for their consumer.
	weight := 1
	if ctx.Value(itemsKey{}) != nil {
		weight = p.opts.MaxInFlight
	}
	t0 := time.Now()
	var t1 time.Time
	var out []byte
	for attempt := 0; ; attempt++ {
		c, queued, err := p.acquire(ctx, block, weight)
		if err != nil {
			if err == ErrQueueFull {
				// Refused, not submitted: as workers.Pool.TrySubmit, a
				// full queue leaves the counters as they were.
				p.submitted.Add(^uint64(0))
			} else {
				p.cancelled.Add(1)
			}
			return nil, err
		}
		if attempt == 0 {
			t1 = time.Now()
		}
		if queued {
			p.piped.Add(1)
		}
		var sent bool
		p.running.Add(1)
		out, sent, err = p.runOn(ctx, c, weight, queued, fn, arg, regions)
		p.running.Add(-1)
		if !sent && errors.Is(err, ErrWorkerDied) && attempt < maxUntakenRetries {
			// The child died before it took the call: the task never
			// started, so it goes to another child.
			continue
		}
		if errors.Is(err, workers.ErrNotRun) {
			// Dropped from the child's queue before it ran.
			p.cancelled.Add(1)
			return nil, err
		}
		p.wait.Record(int64(t1.Sub(t0)))
		took := int64(time.Since(t1))
		p.run.Record(took)
		p.busy.Add(took)
		if err != nil {
			p.failed.Add(1)
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				p.cancelledRunning.Add(1)
			}
		} else {
			p.completed.Add(1)
		}
		return out, err
	}
}

// acquire takes a child with room for weight more calls, waiting in the
// queue if none has. A call placed behind another in a child's call queue
// holds a place in the pool's queue until it is answered (queued).
func (p *Pool) acquire(ctx context.Context, block bool, weight int) (c *child, queued bool, err error) {
	room := func() bool {
		select {
		case p.slots <- struct{}{}:
			queued = true
			return true
		default:
			return false
		}
	}
	if c := p.sched.tryGet(weight, room); c != nil {
		return c, queued, nil
	}
	if block {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, false, notRun(ctx.Err())
		case <-p.kill:
			return nil, false, errClosedNotRun
		}
	} else {
		select {
		case p.slots <- struct{}{}:
		default:
			return nil, false, ErrQueueFull
		}
	}
	c, busy, err := p.sched.get(ctx, weight, p.kill)
	if !busy {
		<-p.slots // it runs at once
		return c, false, err
	}
	return c, true, nil
}

// aLongTimeAgo is a read deadline that interrupts a blocked read at once;
// noDeadline lifts it.
var (
	aLongTimeAgo = time.Unix(1, 0)
	noDeadline   time.Time
)

// runOn runs one call on c, which holds weight for it. It gives c back to
// the pool, or retires it and has a replacement started. sent reports
// whether the call may have reached the child.
func (p *Pool) runOn(ctx context.Context, c *child, weight int, queued bool, fn string, arg []byte, regions []RegionArg) (out []byte, sent bool, err error) {
	if c.err != nil { // a placeholder for a child that failed to start
		if p.sched.drop(c) {
			p.replace()
		}
		return nil, false, c.err
	}
	if c.q != nil {
		return p.runQueued(ctx, c, weight, queued, fn, arg, regions)
	}
	seq := c.seq + 1
	c.seq = seq
	// A call that transfers a region cannot be sent again after a miss in
	// the child's cache (the region is gone here by then), so it sends
	// every region with its fd at once.
	allFds := false
	for _, ra := range regions {
		allFds = allFds || ra.transfer
	}
	if err := c.sendCall(seq, fn, arg, regions, allFds); err != nil {
		if errors.Is(err, errRegion) {
			p.putBack(c, weight)
			return nil, false, err
		}
		if errors.Is(err, unix.EMSGSIZE) { // nothing was sent
			p.putBack(c, weight)
			return nil, false, fmt.Errorf("proc: call to %s of %d bytes does not fit the socket buffer (net.core.wmem_max): %w", fn, len(arg), err)
		}
		return nil, false, p.retire(c, true, fmt.Errorf("%w: sending %s: %v", ErrWorkerDied, fn, err))
	}
	closeTransferred(regions)
	// The read below is the only wait: a cancellable ctx interrupts it
	// through the connection's deadline.
	var fired chan struct{}
	stop := func() bool { return true }
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			c.conn.SetReadDeadline(aLongTimeAgo)
			close(fired)
		})
	}
	for {
		rseq, status, payload, err := c.recvResult()
		if err != nil {
			if fired != nil && !stop() {
				<-fired
				if errors.Is(err, os.ErrDeadlineExceeded) {
					// The caller goes; the child is cancelled, waited for
					// for the grace period and then killed.
					p.bg.Add(1)
					go p.reclaim(c, seq)
					return nil, true, ctx.Err()
				}
			}
			return nil, true, p.retire(c, false, fmt.Errorf("%w while running %s", ErrWorkerDied, fn))
		}
		if rseq != seq {
			continue // a late answer to a call cancelled earlier
		}
		if status == statusItem {
			deliverItem(ctx, payload)
			continue
		}
		if status == statusMiss {
			// The child lost a cached mapping (a task closed it): send
			// every region's fd again.
			if err := c.sendCall(seq, fn, arg, regions, true); err != nil {
				stop()
				return nil, true, p.retire(c, true, fmt.Errorf("%w: sending %s: %v", ErrWorkerDied, fn, err))
			}
			continue
		}
		if fired != nil && !stop() {
			<-fired
			c.conn.SetReadDeadline(noDeadline)
		}
		out, err = answer(fn, status, payload)
		p.release(c, weight)
		return out, true, err
	}
}

// closeTransferred closes the regions a call transferred, once sent.
func closeTransferred(regions []RegionArg) {
	for _, ra := range regions {
		if ra.transfer {
			ra.r.Close()
		}
	}
}

// answer turns a final result into Call's result and error. The payload
// lives in the child's buffer: it is copied before the child goes back.
func answer(fn string, status byte, payload []byte) ([]byte, error) {
	switch {
	case status == statusOK && len(payload) > 0:
		return append([]byte(nil), payload...), nil
	case status == statusOK:
		return nil, nil
	case status == statusPanic:
		return nil, &TaskError{Fn: fn, Msg: string(payload), Panic: true}
	case status == statusTruncated:
		return nil, &TaskError{Fn: fn, Msg: string(payload), kind: shm.ErrTruncated}
	default:
		return nil, &TaskError{Fn: fn, Msg: string(payload)}
	}
}

// reclaim cancels the running call seq of a child whose caller has gone,
// and gives the child back once it answers, or kills it after the grace
// period.
func (p *Pool) reclaim(c *child, seq uint64) {
	defer p.bg.Done()
	c.conn.SetReadDeadline(time.Now().Add(p.opts.Grace))
	c.ctl.Write(binary.LittleEndian.AppendUint64(nil, seq))
	for {
		rseq, status, _, err := c.recvResult()
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			p.killed.Add(1)
			c.stop(true)
			if p.sched.drop(c) {
				p.replace()
			}
			return
		case err != nil:
			p.retire(c, false, nil)
			return
		case rseq == seq && status != statusItem:
			c.conn.SetReadDeadline(noDeadline)
			p.putBack(c, 1)
			return
		}
	}
}

// retire reaps a dead (or, with kill, broken) child, has a replacement
// started and returns err with how the child ended, or an error matching
// ErrClosed and context.Canceled if the pool killed it.
func (p *Pool) retire(c *child, kill bool, err error) error {
	how := c.stop(kill)
	first := p.sched.drop(c)
	select {
	case <-p.kill:
		return errClosedCanceled
	default:
	}
	if first {
		p.replace()
	}
	if err == nil {
		return nil
	}
	p.died.Add(1)
	return fmt.Errorf("%w: %s", err, how)
}

// replace starts a child in the background and adds it; a failure
// becomes a placeholder that hands the error to one caller.
func (p *Pool) replace() {
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		c, err := p.start()
		if err != nil {
			select {
			case <-p.kill:
				return
			default:
			}
			c = &child{err: err}
		} else {
			p.restarts.Add(1)
		}
		p.sched.add(c)
	}()
}
