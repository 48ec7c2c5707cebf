package workers

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkPoolTiny measures tiny-task throughput: b.N fire-and-forget
// tasks submitted from GOMAXPROCS goroutines, against a plain channel feeding
// GOMAXPROCS goroutines (the floor cost of a hand-off) in the same run.
func BenchmarkPoolTiny(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	b.Run("Pool.Go", func(b *testing.B) {
		p := NewPool(Options{})
		var wg sync.WaitGroup
		fn := func(context.Context) error { wg.Done(); return nil }
		b.ResetTimer()
		wg.Add(b.N)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = p.Go(context.Background(), fn, nil)
			}
		})
		wg.Wait()
		b.StopTimer()
		p.CloseNow()
	})
	b.Run("Submit+Wait", func(b *testing.B) {
		p := NewPool(Options{})
		fn := func(context.Context) (int, error) { return 1, nil }
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				t, _ := Submit(context.Background(), p, fn)
				_, _ = t.Wait(context.Background())
			}
		})
		b.StopTimer()
		p.CloseNow()
	})
	b.Run("baseline-channel", func(b *testing.B) {
		ch := make(chan func(), 4*procs)
		var wg, workers sync.WaitGroup
		for range procs {
			workers.Add(1)
			go func() {
				defer workers.Done()
				for f := range ch {
					f()
				}
			}()
		}
		fn := func() { wg.Done() }
		b.ResetTimer()
		wg.Add(b.N)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ch <- fn
			}
		})
		wg.Wait()
		b.StopTimer()
		close(ch)
		workers.Wait()
	})
}
