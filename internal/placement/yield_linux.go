package placement

import "golang.org/x/sys/unix"

// Yield gives this thread's CPU to another thread the kernel has queued on
// it, if there is one, and returns at once otherwise. The kernel often
// queues a thread it wakes on its waker's CPU; while the waker spins, the
// woken thread waits there for the next scheduler tick (4 ms here) even
// with another CPU idle. One Yield lets it run, after which it can move.
// It is a raw system call: it does not block, so the Go scheduler need not
// know. A shm.Queue waiter that has spun a while yields too, for a peer
// process the kernel queued behind it.
func Yield() { unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
