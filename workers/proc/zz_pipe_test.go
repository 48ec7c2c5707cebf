package proc

import (
	"context"
	"sync"
	"testing"
)

func BenchmarkPipelinedToday(b *testing.B) {
	p, err := NewPool(Options{Workers: 2, MaxQueue: Unbounded})
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseNow()
	const g = 8
	for b.Loop() {
		var wg sync.WaitGroup
		for range g {
			wg.Go(func() {
				for range 500 {
					if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*g*500), "ns/call")
}
