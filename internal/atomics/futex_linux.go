//go:build linux

package atomics

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Futex operations without FUTEX_PRIVATE_FLAG: the kernel keys the wait on
// the backing page, so a waiter and a waker in different processes that map
// the same shared memory meet.
const (
	futexWait = 0
	futexWake = 1
)

// Wait blocks the calling OS thread until *addr is woken by Wake, or the
// timeout passes (timeout < 0 waits without limit). It returns NotEqual at once
// if *addr != expected when the kernel checks it. Woken may be spurious:
// callers re-check the condition they are waiting for.
func Wait(addr *uint32, expected uint32, timeout time.Duration) Result {
	var tsp unsafe.Pointer
	var ts unix.Timespec
	if timeout >= 0 {
		ts = unix.NsecToTimespec(int64(timeout))
		tsp = unsafe.Pointer(&ts)
	}
	_, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWait,
		uintptr(expected), uintptr(tsp), 0, 0)
	switch errno {
	case unix.EAGAIN:
		return NotEqual
	case unix.ETIMEDOUT:
		return TimedOut
	default: // 0, EINTR: the caller re-checks
		return Woken
	}
}

// Wake wakes up to n threads blocked in Wait on addr, in any process, and
// returns how many it woke.
func Wake(addr *uint32, n int) int {
	if n <= 0 {
		return 0
	}
	if n > maxWake {
		n = maxWake
	}
	r, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), futexWake,
		uintptr(n), 0, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(r)
}

// futexAvailable reports whether Wait really sleeps in the kernel.
const futexAvailable = true
