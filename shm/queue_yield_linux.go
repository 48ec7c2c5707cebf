//go:build linux

package shm

import "golang.org/x/sys/unix"

// osYield gives this thread's CPU to another runnable thread, if one waits
// for it, and returns at once otherwise. A spinning side yields so that a
// peer process the kernel queued on the same CPU (a woken process often
// lands on its waker's CPU) runs instead of waiting for the spin to end.
// It is a raw system call: it does not block, so the Go scheduler need not
// know.
func osYield() { unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
