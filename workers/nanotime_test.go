package workers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// nanotime must stay the monotonic clock that time.Since reads: if a Go
// release changed or removed it, this fails (or the build does).
func TestNanotime(t *testing.T) {
	n0, t0 := nanotime(), time.Now()
	time.Sleep(20 * time.Millisecond)
	n1, d := nanotime(), time.Since(t0)
	assert.Greater(t, n1, n0)
	assert.InDelta(t, float64(d), float64(n1-n0), float64(10*time.Millisecond),
		"nanotime advances with the monotonic clock")
}

func BenchmarkNanotime(b *testing.B) {
	b.Run("nanotime", func(b *testing.B) {
		var s int64
		for b.Loop() {
			s += nanotime()
		}
		_ = s
	})
	b.Run("time.Now", func(b *testing.B) {
		var s int64
		for b.Loop() {
			s += time.Now().UnixNano()
		}
		_ = s
	})
}
