//go:build linux

package atomics

import (
	"sync"

	"golang.org/x/sys/unix"
)

// maxWatched bounds how many pidfds a table keeps open.
const maxWatched = 64

// liveness answers whether the process that owns a slot is alive. It keeps a
// pidfd per process it has asked about, so that a check is one poll(2) with
// no timeout, a zombie counts as dead (its pidfd is readable), and a pid
// reused after the check was first made is not mistaken for the process
// that died.
type liveness struct {
	mu     sync.Mutex
	fds    map[uint32]int
	closed bool // no new pidfds once the table is closed
}

// alive reports whether process pid is alive. A check that cannot be made
// answers alive: a live process taken for dead would lose its wake-ups.
func (l *liveness) alive(pid uint32) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	fd, cached := l.fds[pid]
	if cached && !exited(fd) {
		return true
	}
	if cached {
		// The process we watched has exited; the pid may since name
		// another process, so look again.
		unix.Close(fd)
		delete(l.fds, pid)
	}
	if l.closed {
		return unix.Kill(int(pid), 0) != unix.ESRCH
	}
	fd, err := unix.PidfdOpen(int(pid), 0)
	switch {
	case err == unix.ESRCH:
		return false
	case err != nil: // no pidfds (Linux < 5.3) or not allowed
		return unix.Kill(int(pid), 0) != unix.ESRCH
	}
	if exited(fd) {
		unix.Close(fd)
		return false
	}
	if l.fds == nil {
		l.fds = make(map[uint32]int)
	}
	if len(l.fds) >= maxWatched {
		for p, f := range l.fds {
			unix.Close(f)
			delete(l.fds, p)
			break
		}
	}
	l.fds[pid] = fd
	return true
}

// exited reports whether the process of pidfd fd has exited: its pidfd is
// then readable (a zombie's too).
func exited(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0
}

// close releases the pidfds.
func (l *liveness) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	for p, fd := range l.fds {
		unix.Close(fd)
		delete(l.fds, p)
	}
}
