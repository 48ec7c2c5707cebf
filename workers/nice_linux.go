package workers

import "golang.org/x/sys/unix"

// lowerThreadPriority adds inc to the calling thread's nice value. Linux
// keeps a nice value per thread; the caller has locked its goroutine to the
// thread and never unlocks it.
func lowerThreadPriority(inc int) error {
	tid := unix.Gettid()
	cur, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return err
	}
	// The raw getpriority system call returns 20 - nice.
	return unix.Setpriority(unix.PRIO_PROCESS, tid, min(20-cur+inc, 19))
}
