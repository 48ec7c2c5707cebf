//go:build !linux

package shm

import (
	"time"

	"github.com/sharc-go/sharc/internal/atomics"
)

// osYield is a no-op off Linux: the spin's runtime.Gosched is all it does.
func osYield() {}

// rawWait is atomics.Wait off Linux, which polls.
func rawWait(addr *uint32, expected uint32, timeout time.Duration) atomics.Result {
	return atomics.Wait(addr, expected, timeout)
}
