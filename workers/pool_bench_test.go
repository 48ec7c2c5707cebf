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

// BenchmarkStatsPerTask is what the statistics add to every task (two clock
// reads, two histogram records, the counters and the utilization window),
// from GOMAXPROCS goroutines at once as in the pool; compare with
// BenchmarkPoolTiny/Pool.Go's ns/op to get their share of a task's cost.
func BenchmarkStatsPerTask(b *testing.B) {
	var s poolStats
	s.init(runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		s := s.shard() // as a worker does
		for pb.Next() {
			start := nanotime()
			s.wait.record(start - 1000)
			s.running.Add(1)
			end := nanotime()
			s.running.Add(-1)
			s.finished(end, end-start, false)
		}
	})
}
