package serve

import "golang.org/x/sys/unix"

// lowerThreadPriority raises the nice value of the calling OS thread to
// nice. Linux nice values are per thread (PRIO_PROCESS with a thread id),
// and raising one needs no privilege. The caller must be locked to its
// thread for good, or the lowered priority leaks to other goroutines.
func lowerThreadPriority(nice int) error {
	return unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
}

// threadNice returns the nice value of the calling OS thread.
func threadNice() (int, error) {
	// The raw syscall returns 20-nice so that it is never negative.
	p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	return 20 - p, err
}

const nicePerThread = true
