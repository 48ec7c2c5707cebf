package main

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// TestContendersRunEverything checks that each adapter runs every task
// exactly once, so the figures compare like with like.
func TestContendersRunEverything(t *testing.T) {
	for _, c := range contenders() {
		p := c.new(runtime.GOMAXPROCS(0))
		var n atomic.Int64
		for range 1000 {
			p.submit(func() { n.Add(1) })
		}
		throughput(p, 997, func() {})
		p.close()
		if got := n.Load(); got != 1000 {
			t.Errorf("%s: ran %d of 1000", c.name, got)
		}
	}
}

// BenchmarkTiny is tiny-task throughput per pool; the channel loop is the
// baseline in the same run.
func BenchmarkTiny(b *testing.B) {
	for _, c := range contenders() {
		b.Run(c.name, func(b *testing.B) {
			p := c.new(runtime.GOMAXPROCS(0))
			b.ResetTimer()
			throughput(p, b.N, func() {})
			b.StopTimer()
			p.close()
		})
	}
}
