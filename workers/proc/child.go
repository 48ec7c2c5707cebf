//go:build linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
)

const (
	childEnv = "SHARC_PROC_CHILD" // set to the parent's pid
	niceEnv  = "SHARC_PROC_NICE"
	dataEnv  = "SHARC_PROC_RLIMIT_DATA"
	noRawEnv = "SHARC_PROC_NO_RAW_READ" // set: a one-P child reads calls as a multi-P one does (BenchmarkRoundTrip/raw=off)
	sockFd   = 3                        // calls and results
	ctlFd    = 4                        // cancels
)

// childMaps counts the regions a child has mapped, for the tests of its
// mapping cache.
var childMaps atomic.Int64

// RunChildIfRequested serves tasks and exits if this process was started as
// a child by a Pool; otherwise it returns at once. Call it early in main,
// after registering task functions.
func RunChildIfRequested() {
	ppid := os.Getenv(childEnv)
	if ppid == "" {
		return
	}
	os.Exit(serveChild(ppid))
}

// server is a child's side: it runs one task at a time on the goroutine that
// reads the calls, so a call costs no goroutine hand-off; cancels arrive on a
// second socket, read by their own goroutine, so they reach a running task.
type server struct {
	raw    bool      // read calls with a raw syscall (see serveChild)
	q      *queues   // the call and result queues; nil: calls come through the socket
	placed time.Time // when the child last moved off its caller's CPU (see place)
	// cache holds the shared regions the parent asked the child to keep
	// mapped, so that a region sent again costs neither an fd nor an mmap.
	// The parent decides what is cached and when it is dropped.
	cache map[regionKey]*shm.Region

	mu      sync.Mutex
	running uint64 // seq of the running task, 0 when idle
	cancel  context.CancelFunc
	// cancelled holds the calls the parent cancelled that have not run:
	// with several calls in flight, a cancel may come for a call still in
	// the queue (which then never runs), or overtake its call, which
	// travels on the other socket or queue.
	cancelled map[uint64]struct{}
}

// maxCancelled bounds the cancels a child remembers: one for a call that
// had finished is never taken out, so the oldest go first.
const maxCancelled = 1024

func serveChild(ppid string) int {
	if nice, err := strconv.Atoi(os.Getenv(niceEnv)); err == nil && nice != 0 {
		renice(nice)
	}
	// The hard memory cap: RLIMIT_DATA counts private writable mappings
	// (the Go heap, stacks) but not MAP_SHARED ones, so shared regions of
	// any size still map. Past it the runtime's mmap fails and the child
	// dies with "fatal error: runtime: out of memory".
	if limit, err := strconv.ParseUint(os.Getenv(dataEnv), 10, 64); err == nil && limit > 0 {
		_ = unix.Setrlimit(unix.RLIMIT_DATA, &unix.Rlimit{Cur: limit, Max: limit})
	}
	// Pdeathsig covers the parent's death; this covers a parent that died
	// before the child set up, when Pdeathsig came too late.
	if want, err := strconv.Atoi(ppid); err == nil {
		go func() {
			for range time.Tick(200 * time.Millisecond) {
				if os.Getppid() != want {
					os.Exit(3)
				}
			}
		}()
	}
	ctl, err := fileConn(ctlFd, "sharc-parent-ctl")
	if err != nil {
		fmt.Fprintln(os.Stderr, "proc child:", err)
		return 2
	}
	// The call socket is read with blocking syscalls, not through the
	// netpoller: a woken read returns straight into the task instead of
	// through the scheduler. With one P the read is a raw syscall that keeps
	// the P: an ordinary blocking syscall would have sysmon hand the only P
	// to a freshly woken spinning thread on every idle spell, which costs
	// more than the whole round trip on a busy machine. Nothing else can
	// run in a one-P child while it waits for a call anyway (cancels only
	// matter while a task runs, and then the P is free to switch). After
	// rawSpell without a call, the child waits in an ordinary poll instead,
	// so an idle child costs no CPU.
	s := &server{cache: map[regionKey]*shm.Region{}, cancelled: map[uint64]struct{}{}, raw: runtime.GOMAXPROCS(0) == 1 && os.Getenv(noRawEnv) == "" && os.Getenv(queuesEnv) == ""}
	if s.raw {
		tv := unix.NsecToTimeval(rawSpell.Nanoseconds())
		if unix.SetsockoptTimeval(sockFd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv) != nil {
			s.raw = false // without the timeout an idle child would be signalled every 10 ms
		}
	}
	if os.Getenv(queuesEnv) != "" {
		q, err := openQueues(queueFd)
		if err != nil {
			fmt.Fprintln(os.Stderr, childFailure+"queues:", err)
			return 2
		}
		s.q = q
		childQueues.Store(q)
		// The parent's death kills the child (Pdeathsig, the ppid check
		// above): an idle child need not wake to look for it.
		q.calls.SetPeerCheck(10 * time.Second)
		q.results.SetPeerCheck(10 * time.Second)
		if runtime.GOMAXPROCS(0) == 1 && os.Getenv(noRawEnv) == "" {
			// A one-P child waits for its next call keeping its P, as
			// a socket child reads (see above), for the same reason.
			q.calls.SetRawSleep(rawSpell)
		}
		// Take the consumer's side of the call queue now (a done context
		// returns at once), so the parent's calls find a registered peer.
		done, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := q.calls.Borrow(done); err != nil && err != context.Canceled {
			fmt.Fprintln(os.Stderr, childFailure+"call queue:", err)
			return 2
		}
	}
	go s.readCancels(ctl)
	s.send(appendResult(nil, 0, statusOK, nil)) // ready
	if err := s.serve(); err != nil {
		fmt.Fprintln(os.Stderr, childFailure+"call queue:", err)
		return 2
	}
	return 0 // the parent closed the socket or the queue: the pool is closing
}

// serveOn serves calls on a fresh goroutine after a task ended the serving
// one with runtime.Goexit, and exits the process when the parent is gone,
// as RunChildIfRequested would have.
func (s *server) serveOn() {
	if err := s.serve(); err != nil {
		fmt.Fprintln(os.Stderr, childFailure+"call queue:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// renice adds inc to the nice value of every thread of the process. Linux
// keeps a nice value per thread, and a new thread inherits its creator's; the
// runtime has started threads already, so each is set, twice over to catch
// one started meanwhile.
func renice(inc int) {
	cur, err := unix.Getpriority(unix.PRIO_PROCESS, 0)
	if err != nil {
		return
	}
	// Getpriority returns 20 - nice on Linux.
	want := 20 - cur + inc
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			_ = unix.Setpriority(unix.PRIO_PROCESS, 0, want)
			return
		}
		for _, task := range tasks {
			if tid, err := strconv.Atoi(task.Name()); err == nil {
				_ = unix.Setpriority(unix.PRIO_PROCESS, tid, want)
			}
		}
	}
}

func fileConn(fd int, name string) (*net.UnixConn, error) {
	f := os.NewFile(uintptr(fd), name)
	fc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	return fc.(*net.UnixConn), nil
}

func (s *server) readCancels(ctl *net.UnixConn) {
	buf := make([]byte, 16)
	for {
		n, err := ctl.Read(buf)
		if err != nil || n < 8 {
			if s.q != nil {
				// With queues this is how a pool lets its child go: the
				// serving goroutine sleeps on the call queue, not on a socket.
				os.Exit(0)
			}
			return
		}
		seq := uint64(buf[0]) | uint64(buf[1])<<8 | uint64(buf[2])<<16 | uint64(buf[3])<<24 |
			uint64(buf[4])<<32 | uint64(buf[5])<<40 | uint64(buf[6])<<48 | uint64(buf[7])<<56
		s.mu.Lock()
		if s.running == seq && s.cancel != nil {
			s.cancel()
		} else {
			if len(s.cancelled) >= maxCancelled {
				for k := range s.cancelled {
					if k+maxCancelled < seq {
						delete(s.cancelled, k)
					}
				}
			}
			s.cancelled[seq] = struct{}{}
		}
		s.mu.Unlock()
	}
}

func (s *server) serve() (err error) {
	// A task that calls runtime.Goexit (t.FailNow does) ends this
	// goroutine on its way out of run, and nothing can stop that: the call
	// is answered as a panic of workers.ErrGoexit here, and a new goroutine
	// serves the next calls.
	var cur inflight
	returned := false
	defer func() {
		if returned || !cur.running {
			return
		}
		s.send(appendResult(nil, cur.seq, statusPanic,
			fmt.Appendf(nil, "panic: %s\n\n%s", workers.ErrGoexit, debug.Stack())))
		s.release(cur.refs, cur.regions)
		go s.serveOn()
	}()
	err = s.serveCalls(&cur)
	returned = true
	return err
}

// inflight is the call a child is running, for serve's Goexit handler.
type inflight struct {
	running bool
	seq     uint64
	refs    []regionRef
	regions []*shm.Region
}

// serveCalls serves until the parent closes the socket or the call queue;
// it returns an error if the call queue is damaged.
func (s *server) serveCalls(cur *inflight) error {
	buf := make([]byte, maxPacket+1024)
	oob := make([]byte, unix.CmsgSpace(maxFds*4))
	out := make([]byte, 0, 4096)
	var (
		fds   []int
		refs  []regionRef
		drops []regionKey
	)
	for {
		n, got, err := s.recvCall(buf, oob, fds)
		fds = got
		if err != nil {
			if errors.Is(err, shm.ErrCorrupt) {
				return err
			}
			return nil
		}
		m, err := parseCall(buf[:n], refs, drops)
		refs, drops = m.refs, m.drops
		if err != nil {
			closeFds(fds)
			out = appendResult(out[:0], m.seq, statusErr, []byte(err.Error()))
			s.send(out)
			continue
		}
		for _, k := range m.drops {
			if r, ok := s.cache[k]; ok {
				r.Close()
				delete(s.cache, k)
			}
		}
		regions, status, msg := s.regions(m.refs, fds)
		if status != statusOK {
			out = appendResult(out[:0], m.seq, status, []byte(msg))
			s.send(out)
			continue
		}
		*cur = inflight{true, m.seq, m.refs, regions}
		status, payload := s.run(&m, regions)
		*cur = inflight{}
		out = appendResult(out[:0], m.seq, status, payload)
		if len(out) > maxPacket {
			out = appendResult(out[:0], m.seq, statusErr,
				[]byte(fmt.Sprintf("result of %d bytes exceeds the limit of %d", len(payload), maxPacket-resHeader)))
		}
		s.send(out)
		s.release(m.refs, regions)
		if cap(out) > 1<<16 {
			out = make([]byte, 0, 4096)
		}
	}
}

// release unmaps a call's regions that are not cached. Unmapping a
// transferred region frees its pages if the parent has let go too: that cost
// comes after the answer.
func (s *server) release(refs []regionRef, regions []*shm.Region) {
	for i, r := range regions {
		if refs[i].flags&refCache == 0 {
			r.Close()
		} else if r.Len() == 0 { // the task closed a cached region
			delete(s.cache, refs[i].key)
		}
	}
}

// send writes a result.
func (s *server) send(b []byte) {
	if s.q != nil {
		s.sendQueued(b)
		return
	}
	s.sendSocket(b)
}

// sendSocket writes a result packet to the socket. A failed write means
// the parent is gone: the next read ends the loop.
func (s *server) sendSocket(b []byte) {
	for {
		_, err := unix.SendmsgN(sockFd, b, nil, nil, 0)
		switch err {
		case unix.EINTR:
			continue
		case unix.EMSGSIZE:
			// The result does not fit the socket buffer: fail the call
			// rather than leave the parent waiting.
			seq, _, _, _ := parseResult(b)
			b = appendResult(nil, seq, statusErr, fmt.Appendf(nil,
				"result of %d bytes does not fit the socket buffer (net.core.wmem_max)", len(b)-resHeader))
			continue
		}
		return
	}
}

// regions maps or looks up the regions of a call; it takes ownership of fds.
func (s *server) regions(refs []regionRef, fds []int) ([]*shm.Region, byte, string) {
	if len(refs) == 0 {
		closeFds(fds)
		return nil, statusOK, ""
	}
	regions := make([]*shm.Region, 0, len(refs))
	fail := func(status byte, msg string) ([]*shm.Region, byte, string) {
		for i, r := range regions {
			if refs[i].flags&refCache == 0 {
				r.Close()
			}
		}
		closeFds(fds)
		return nil, status, msg
	}
	for _, ref := range refs {
		if ref.flags&refFd == 0 {
			r, ok := s.cache[ref.key]
			if !ok || int64(r.Len()) != ref.size {
				return fail(statusMiss, "region not cached")
			}
			regions = append(regions, r)
			continue
		}
		if len(fds) == 0 {
			return fail(statusErr, "a region came without its file descriptor")
		}
		fd := fds[0]
		fds = fds[1:]
		if old, ok := s.cache[ref.key]; ok && int64(old.Len()) == ref.size {
			unix.Close(fd) // the same file, mapped already
			if ref.flags&refCache == 0 {
				delete(s.cache, ref.key) // a transfer: this call owns it now
			}
			regions = append(regions, old)
			continue
		} else if ok {
			old.Close() // the file was resized: map it afresh
			delete(s.cache, ref.key)
		}
		r, err := shm.OpenFile(os.NewFile(uintptr(fd), "region"))
		if err != nil {
			return fail(statusErr, "mapping a region: "+err.Error())
		}
		childMaps.Add(1)
		if ref.flags&refCache != 0 {
			s.cache[ref.key] = r
		}
		regions = append(regions, r)
	}
	closeFds(fds)
	return regions, statusOK, ""
}

// run calls the task with a context the parent can cancel.
func (s *server) run(m *callMsg, regions []*shm.Region) (status byte, payload []byte) {
	fn, stream, ok := lookupTask(m.fnb)
	if !ok {
		return statusErr, []byte(fmt.Sprintf("no task function registered as %q in the child", m.fnb))
	}
	s.mu.Lock()
	if _, ok := s.cancelled[m.seq]; ok || s.q != nil && s.q.cancelled(m.seq) {
		// Cancelled while it waited in the queue: it never runs.
		delete(s.cancelled, m.seq)
		s.mu.Unlock()
		return statusErr, []byte(context.Canceled.Error() + " before it started")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.running, s.cancel = m.seq, cancel
	s.mu.Unlock()
	if stream {
		ctx = context.WithValue(ctx, emitKey{}, s.emitter(ctx, m.seq))
	}
	defer func() {
		s.mu.Lock()
		s.running, s.cancel = 0, nil
		s.mu.Unlock()
	}()
	defer func() {
		if v := recover(); v != nil {
			status, payload = statusPanic, fmt.Appendf(nil, "panic: %v\n\n%s", v, debug.Stack())
		}
	}()
	// The argument lives in the receive buffer; the task gets its own copy,
	// which it may keep.
	var arg []byte
	if len(m.arg) > 0 {
		arg = append([]byte(nil), m.arg...)
	}
	// A peer may truncate a named segment under the task's mapping: the
	// fault fails this call instead of killing the child.
	var out []byte
	var err error
	if ferr := shm.Guard(func() { out, err = fn(ctx, arg, regions) }); ferr != nil {
		err = ferr
	}
	if err != nil {
		// The kinds of failure the parent can match with errors.Is travel
		// as their own status.
		if errors.Is(err, shm.ErrTruncated) {
			return statusTruncated, []byte(err.Error())
		}
		return statusErr, []byte(err.Error())
	}
	return statusOK, out
}
