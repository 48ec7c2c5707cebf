//go:build linux

package proc

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startTimeout bounds how long a new child may take to report ready.
const startTimeout = 10 * time.Second

// start starts a child and waits until it is ready to serve, so that no call
// pays for (or times out during) a child's start-up.
func (p *Pool) start() (*child, error) {
	c, err := p.spawn()
	if err != nil {
		return nil, err
	}
	var (
		seq    uint64
		status byte
	)
	if c.q != nil {
		ctx, cancel := context.WithTimeout(c.alive, startTimeout)
		seq, status, _, err = c.recvQueued(ctx)
		cancel()
	} else {
		c.conn.SetReadDeadline(time.Now().Add(startTimeout))
		seq, status, _, err = c.recvResult()
		c.conn.SetReadDeadline(noDeadline)
	}
	if err == nil && (seq != 0 || status != statusOK) {
		err = errBadPacket
	}
	if err != nil {
		how := c.stop(true)
		return nil, fmt.Errorf("proc: a child did not report ready (%v; %s); does main call proc.RunChildIfRequested first?", err, how)
	}
	return c, nil
}

// spawn starts a child process with its two sockets.
func (p *Pool) spawn() (*child, error) {
	conn, childEnd, err := socketPair("sharc-child")
	if err != nil {
		return nil, err
	}
	defer childEnd.Close()
	ctl, ctlEnd, err := socketPair("sharc-child-ctl")
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer ctlEnd.Close()
	var (
		q      *queues
		qfile  *os.File
		closeQ = func() {}
	)
	if !p.opts.Socket {
		if q, err = newQueues(); err == nil {
			if qfile, err = q.file(); err != nil {
				q.close()
			}
		}
		if err != nil {
			conn.Close()
			ctl.Close()
			return nil, err
		}
		defer qfile.Close()
		closeQ = q.close
	}
	cmd := exec.Command(p.exe)
	cmd.Env = append(os.Environ(),
		childEnv+"="+strconv.Itoa(os.Getpid()),
		"GOMAXPROCS="+strconv.Itoa(p.opts.GOMAXPROCS),
		niceEnv+"="+strconv.Itoa(p.opts.Nice))
	if raceChildEnv != "" && os.Getenv("GORACE") == "" {
		cmd.Env = append(cmd.Env, raceChildEnv)
	}
	if p.opts.MemoryLimit > 0 {
		cmd.Env = append(cmd.Env,
			"GOMEMLIMIT="+strconv.FormatInt(p.opts.MemoryLimit, 10),
			dataEnv+"="+strconv.FormatInt(hardMemoryLimit(p.opts.MemoryLimit), 10))
	}
	// The child's stderr passes through, and its tail says how a dead
	// child died (a runtime fatal error, an unrecovered panic).
	tail := &tailWriter{w: os.Stderr}
	cmd.Stdout, cmd.Stderr = os.Stderr, tail
	cmd.ExtraFiles = []*os.File{childEnd, ctlEnd} // fds 3 and 4
	if q != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, qfile) // fd 5
		cmd.Env = append(cmd.Env, queuesEnv+"=1")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.kill:
		conn.Close()
		ctl.Close()
		closeQ()
		return nil, ErrClosed
	default:
	}
	if err := cmd.Start(); err != nil {
		conn.Close()
		ctl.Close()
		closeQ()
		return nil, fmt.Errorf("proc: starting a child: %w", err)
	}
	c := &child{
		p: p, cmd: cmd, conn: conn, ctl: ctl, tail: tail, q: q,
		rbuf:  make([]byte, maxPacket+1024),
		oob:   make([]byte, unix.CmsgSpace(maxFds*4)),
		cache: map[regionKey]*cachedRegion{},
		pend:  map[uint64]*pcall{},
	}
	if q != nil {
		c.alive, c.dead = context.WithCancel(context.Background())
		c.exited = make(chan struct{})
		go c.watch()
	}
	p.live[c] = struct{}{}
	return c, nil
}

// watch waits for the child's process to exit, without reaping it (stop
// does), and then ends every wait on its queues.
func (c *child) watch() {
	defer close(c.exited)
	defer c.dead()
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, c.cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return // exited, or reaped by stop already (ECHILD)
		}
	}
}

func socketPair(name string) (*net.UnixConn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("proc: socketpair: %w", err)
	}
	// A packet must fit the sender's buffer whole. The kernel caps this at
	// net.core.wmem_max; a larger message then fails with EMSGSIZE, which
	// fails the call, not the child.
	for _, fd := range fds {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, maxPacket+64<<10)
	}
	parentEnd := os.NewFile(uintptr(fds[0]), name)
	childEnd := os.NewFile(uintptr(fds[1]), name)
	fc, err := net.FileConn(parentEnd)
	parentEnd.Close()
	if err != nil {
		childEnd.Close()
		return nil, nil, fmt.Errorf("proc: %w", err)
	}
	return fc.(*net.UnixConn), childEnd, nil
}

func exitText(st *os.ProcessState, err error) string {
	if st == nil {
		return fmt.Sprint(err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by " + unix.SignalName(ws.Signal()) // "killed by SIGKILL"
	}
	return "exit code " + strconv.Itoa(st.ExitCode())
}

// hardMemoryLimit is the RLIMIT_DATA of a child with the given GOMEMLIMIT:
// a quarter above it, plus room for the runtime's own memory, so the soft
// limit makes the collector work hard before the hard one kills the child.
func hardMemoryLimit(soft int64) int64 { return (soft + soft/4 + 64<<20) * raceMemoryFactor }

// tailWriter copies a child's stderr through and keeps its last few KiB.
type tailWriter struct {
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

const tailKeep = 8 << 10

func (t *tailWriter) Write(b []byte) (int, error) {
	t.w.Write(b)
	t.mu.Lock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > 2*tailKeep {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailKeep:]...)
	}
	t.mu.Unlock()
	return len(b), nil
}

// cause returns the first line of the last fatal error or panic report in
// the tail, or "".
func (t *tailWriter) cause() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := string(t.buf)
	at := -1
	for _, marker := range []string{"fatal error: ", "panic: ", "ThreadSanitizer failed", childFailure} {
		if i := strings.LastIndex(s, marker); i >= 0 && (at < 0 || i < at) {
			at = i
		}
	}
	if at < 0 {
		return ""
	}
	line, _, _ := strings.Cut(s[at:], "\n")
	if len(line) > 200 {
		line = line[:200]
	}
	return line
}
