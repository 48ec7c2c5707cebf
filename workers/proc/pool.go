//go:build linux

package proc

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A Pool runs calls on a fixed number of child processes.
type Pool struct {
	opts    Options
	exe     string
	queue   chan *call
	closing chan struct{}
	kill    chan struct{}
	mu      sync.RWMutex // held for reading while enqueueing; Close takes it to close queue
	closed  bool
	wg      sync.WaitGroup

	completed, failed, died, killed, restarts atomic.Int64
}

type call struct {
	ctx     context.Context
	fn      string
	arg     []byte
	regions []RegionArg
	done    chan result // buffered 1
}

type result struct {
	out []byte
	err error
}

// NewPool starts the children of a pool. The running binary must call
// RunChildIfRequested early in main (in tests: in TestMain).
func NewPool(opts Options) (*Pool, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = 4 * opts.Workers
	}
	if opts.GOMAXPROCS <= 0 {
		opts.GOMAXPROCS = 1
	}
	if opts.Grace <= 0 {
		opts.Grace = time.Second
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	p := &Pool{opts: opts, exe: exe, queue: make(chan *call, opts.MaxQueue), closing: make(chan struct{}), kill: make(chan struct{})}
	children := make([]*child, opts.Workers)
	for i := range children {
		if children[i], err = p.start(); err != nil {
			for _, c := range children[:i] {
				c.stop(true)
			}
			return nil, err
		}
	}
	for _, c := range children {
		p.wg.Add(1)
		go p.work(c)
	}
	return p, nil
}

// Call runs the task registered as fn in a child with arg and regions and
// returns its result. It waits for queue space and for the result until ctx
// ends; a call cancelled while queued never runs, and a running one is asked
// to stop (its ctx in the child is cancelled) and its child is killed and
// replaced if it has not stopped after the grace period.
func (p *Pool) Call(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	c, err := p.enqueue(ctx, fn, arg, regions, true)
	if err != nil {
		return nil, err
	}
	return c.wait()
}

// wait returns the call's result, or ctx's error as soon as ctx ends: a
// queued call is then skipped by the worker, a running one is cancelled in
// the child and, after the grace period, killed.
func (c *call) wait() ([]byte, error) {
	select {
	case r := <-c.done:
		return r.out, r.err
	case <-c.ctx.Done():
		return nil, c.ctx.Err()
	}
}

// TryCall is Call that fails at once with ErrQueueFull instead of waiting
// for queue space.
func (p *Pool) TryCall(ctx context.Context, fn string, arg []byte, regions ...RegionArg) ([]byte, error) {
	c, err := p.enqueue(ctx, fn, arg, regions, false)
	if err != nil {
		return nil, err
	}
	return c.wait()
}

func (p *Pool) enqueue(ctx context.Context, fn string, arg []byte, regions []RegionArg, block bool) (*call, error) {
	if _, ok := lookup(fn); !ok {
		return nil, fmt.Errorf("proc: no task function registered as %q", fn)
	}
	if len(regions) > maxFds {
		return nil, fmt.Errorf("proc: %d regions in one call; the limit is %d", len(regions), maxFds)
	}
	c := &call{ctx: ctx, fn: fn, arg: arg, regions: regions, done: make(chan result, 1)}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return nil, ErrClosed
	}
	if !block {
		select {
		case p.queue <- c:
			return c, nil
		default:
			return nil, ErrQueueFull
		}
	}
	select {
	case p.queue <- c:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.closing:
		return nil, ErrClosed
	}
}

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	return Stats{
		Workers: p.opts.Workers, Queued: len(p.queue),
		Completed: p.completed.Load(), Failed: p.failed.Load(), Died: p.died.Load(),
		Killed: p.killed.Load(), Restarts: p.restarts.Load(),
	}
}

// Close stops accepting calls, lets queued calls finish, and stops the
// children. If ctx ends first, it kills them, fails what remains with
// ErrClosed and returns ctx's error. After Close no child process remains.
func (p *Pool) Close(ctx context.Context) error {
	p.shutdown()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.CloseNow()
		return ctx.Err()
	}
}

// CloseNow kills the children at once; queued and running calls fail with
// ErrClosed. It returns when every child is reaped.
func (p *Pool) CloseNow() {
	p.shutdown()
	p.mu.Lock()
	select {
	case <-p.kill:
	default:
		close(p.kill)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Pool) shutdown() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.closing)
		close(p.queue)
	}
}

// work serves calls on one child, replacing it when it dies.
func (p *Pool) work(c *child) {
	defer p.wg.Done()
	defer func() {
		if c != nil {
			c.stop(false)
		}
	}()
	for t := range p.queue {
		select {
		case <-p.kill:
			t.done <- result{err: ErrClosed}
			continue
		default:
		}
		if err := t.ctx.Err(); err != nil {
			t.done <- result{err: err} // cancelled while queued: never runs
			continue
		}
		if c == nil {
			var err error
			if c, err = p.start(); err != nil {
				t.done <- result{err: err}
				continue
			}
			p.restarts.Add(1)
		}
		res, alive := p.run(c, t)
		switch {
		case res.err == nil:
			p.completed.Add(1)
		default:
			p.failed.Add(1)
		}
		t.done <- res
		if !alive {
			c = nil
		}
	}
}

// run sends t to c and waits for its result. It reports whether c is still
// usable.
func (p *Pool) run(c *child, t *call) (result, bool) {
	files := make([]*os.File, 0, len(t.regions))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, ra := range t.regions {
		f, err := ra.r.File()
		if err != nil {
			return result{err: fmt.Errorf("proc: region for %s: %w", t.fn, err)}, true
		}
		files = append(files, f)
	}
	if err := send(c.conn, message{Kind: "call", Fn: t.fn, Arg: t.arg, Nfd: len(files)}, files); err != nil {
		c.stop(true)
		p.died.Add(1)
		return result{err: fmt.Errorf("%w: sending %s: %v", ErrWorkerDied, t.fn, err)}, false
	}
	for _, ra := range t.regions {
		if ra.transfer {
			ra.r.Close()
		}
	}
	var graceC <-chan time.Time
	ctxDone := t.ctx.Done()
	cancelled := false
	for {
		select {
		case m := <-c.results:
			if cancelled { // answered after our cancel
				return result{err: t.ctx.Err()}, true
			}
			if m.Err != "" {
				return result{err: &TaskError{Fn: t.fn, Msg: m.Err, Panic: m.Panic}}, true
			}
			return result{out: m.Arg}, true
		case <-c.dead:
			how := c.stop(false)
			p.died.Add(1)
			return result{err: fmt.Errorf("%w while running %s: %s", ErrWorkerDied, t.fn, how)}, false
		case <-ctxDone:
			send(c.conn, message{Kind: "cancel"}, nil)
			ctxDone, cancelled = nil, true
			graceC = time.After(p.opts.Grace)
		case <-graceC:
			c.stop(true)
			p.killed.Add(1)
			return result{err: fmt.Errorf("proc: task %s did not stop within %v of cancellation; its child was killed: %w", t.fn, p.opts.Grace, t.ctx.Err())}, false
		case <-p.kill:
			c.stop(true)
			return result{err: ErrClosed}, false
		}
	}
}

// child is one worker process and the parent's end of its socket.
type child struct {
	cmd     *exec.Cmd
	conn    *net.UnixConn
	results chan message
	dead    chan struct{}
	once    sync.Once
	how     string
}

func (p *Pool) start() (*child, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("proc: socketpair: %w", err)
	}
	parentEnd := os.NewFile(uintptr(fds[0]), "sharc-child")
	childEnd := os.NewFile(uintptr(fds[1]), "sharc-parent")
	defer childEnd.Close()
	fc, err := net.FileConn(parentEnd)
	parentEnd.Close()
	if err != nil {
		return nil, fmt.Errorf("proc: %w", err)
	}
	cmd := exec.Command(p.exe)
	cmd.Env = append(os.Environ(),
		childEnv+"="+strconv.Itoa(os.Getpid()),
		"GOMAXPROCS="+strconv.Itoa(p.opts.GOMAXPROCS),
		niceEnv+"="+strconv.Itoa(p.opts.Nice))
	if p.opts.MemoryLimit > 0 {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+strconv.FormatInt(p.opts.MemoryLimit, 10))
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.ExtraFiles = []*os.File{childEnd}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fc.Close()
		return nil, fmt.Errorf("proc: starting a child: %w", err)
	}
	c := &child{cmd: cmd, conn: fc.(*net.UnixConn), results: make(chan message, 4), dead: make(chan struct{})}
	go func() {
		rd := newReader(c.conn)
		for {
			m, files, err := rd.recv()
			for _, f := range files {
				f.Close()
			}
			if err != nil {
				close(c.dead)
				return
			}
			select {
			case c.results <- m:
			default: // nobody waits for it any more: a late answer after a kill
			}
		}
	}()
	return c, nil
}

// stop closes the socket (a healthy child exits on EOF), kills the child if
// asked to, reaps it and returns how it ended.
func (c *child) stop(kill bool) string {
	c.once.Do(func() {
		if kill {
			c.cmd.Process.Kill()
		}
		c.conn.Close()
		err := c.cmd.Wait()
		<-c.dead
		c.how = exitText(c.cmd.ProcessState, err)
	})
	return c.how
}

func exitText(st *os.ProcessState, err error) string {
	if st == nil {
		return fmt.Sprint(err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by signal " + ws.Signal().String()
	}
	return "exit code " + strconv.Itoa(st.ExitCode())
}
