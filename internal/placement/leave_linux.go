package placement

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Leave moves the calling goroutine's thread off cpu if it runs there and
// may run elsewhere, and reports whether it moved. The thread's affinity
// is what it was before: Leave narrows it to every allowed CPU but cpu,
// which makes the kernel move the thread at once, and then restores it,
// which leaves the thread where it went.
func Leave(cpu int) bool {
	if cpu < 0 {
		return false
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if CPU() != cpu {
		return false // not there (any more)
	}
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) != nil || !set.IsSet(cpu) || set.Count() < 2 {
		return false
	}
	others := set
	others.Clear(cpu)
	if unix.SchedSetaffinity(0, &others) != nil {
		return false
	}
	// Restoring cannot fail where narrowing did not; if it did, the
	// thread keeps a subset of its CPUs, which is still correct.
	_ = unix.SchedSetaffinity(0, &set)
	return true
}
