//go:build unix

package shm

import (
	"bytes"
	"math"
	"os"
	"strconv"
	"syscall"
)

// pidAlive reports whether the process pid exists and has not exited. A
// zombie (exited, not yet reaped) counts as dead where /proc shows it.
func pidAlive(pid uint32) bool {
	if pid == 0 || pid > math.MaxInt32 {
		return false
	}
	if syscall.Kill(int(pid), 0) == syscall.ESRCH {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(int(pid)) + "/stat")
	if err != nil {
		return true // no /proc: kill's answer stands
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}
