//go:build unix

package serve

import "syscall"

// defaultMaxConns leaves 64 descriptors of the soft limit for files,
// pipes and child processes.
func defaultMaxConns() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 1024
	}
	return int(max(16, min(4096, int64(r.Cur)-64)))
}
