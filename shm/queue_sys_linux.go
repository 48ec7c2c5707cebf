//go:build linux

package shm

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/atomics"
)

// rawWait is atomics.Wait through a raw system call, which keeps the P of
// the calling goroutine while it sleeps (see Queue.SetRawSleep).
func rawWait(addr *uint32, expected uint32, timeout time.Duration) atomics.Result {
	ts := unix.NsecToTimespec(int64(timeout))
	_, _, errno := unix.RawSyscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), 0, // FUTEX_WAIT
		uintptr(expected), uintptr(unsafe.Pointer(&ts)), 0, 0)
	switch errno {
	case unix.EAGAIN:
		return atomics.NotEqual
	case unix.ETIMEDOUT:
		return atomics.TimedOut
	default: // 0, EINTR: the caller re-checks
		return atomics.Woken
	}
}
