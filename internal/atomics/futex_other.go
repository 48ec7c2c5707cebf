//go:build !linux

package atomics

import (
	"sync/atomic"
	"time"
)

// Off Linux there is no portable process-shared futex, so Wait polls *addr
// with an exponential back-off from 1µs to 1ms. It is correct across
// processes (it only reads the shared word) but slower to notice a wake-up.

// Wait blocks until *addr != expected or the timeout passes (timeout < 0 waits
// without limit). It returns NotEqual at once if *addr != expected.
func Wait(addr *uint32, expected uint32, timeout time.Duration) Result {
	if atomic.LoadUint32(addr) != expected {
		return NotEqual
	}
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	d := time.Microsecond
	for {
		if atomic.LoadUint32(addr) != expected {
			return Woken
		}
		if timeout >= 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return TimedOut
			}
			d = min(d, left)
		}
		time.Sleep(d)
		d = min(2*d, time.Millisecond)
	}
}

// Wake is a no-op off Linux: pollers notice the change of the word by
// themselves. It returns 0.
func Wake(addr *uint32, n int) int { return 0 }

const futexAvailable = false
