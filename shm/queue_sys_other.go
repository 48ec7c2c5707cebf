//go:build !linux

package shm

import (
	"time"

	"github.com/sharc-go/sharc/internal/atomics"
)

// rawWait is atomics.Wait off Linux, which polls.
func rawWait(addr *uint32, expected uint32, timeout time.Duration) atomics.Result {
	return atomics.Wait(addr, expected, timeout)
}
