package workers

import (
	"context"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkPoolTiny measures tiny-task throughput: b.N fire-and-forget
// tasks submitted from GOMAXPROCS goroutines. In the same run: the pool with
// timing on (the default) and off (Options.NoTiming), with a cancellable
// submit context (what cancellation costs per task), Submit+Wait, and a
// plain channel feeding GOMAXPROCS goroutines (the floor cost of a
// hand-off).
func BenchmarkPoolTiny(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	goTasks := func(b *testing.B, opts Options, ctx context.Context) {
		p := NewPool(opts)
		var wg sync.WaitGroup
		fn := func(context.Context) error { wg.Done(); return nil }
		b.ResetTimer()
		wg.Add(b.N)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = p.Go(ctx, fn, nil)
			}
		})
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		p.CloseNow()
	}
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("timing=on", func(b *testing.B) { goTasks(b, Options{}, context.Background()) })
	b.Run("timing=off", func(b *testing.B) { goTasks(b, Options{NoTiming: true}, context.Background()) })
	b.Run("timing=on/ctx=cancellable", func(b *testing.B) { goTasks(b, Options{}, cancellable) })
	b.Run("timing=off/ctx=cancellable", func(b *testing.B) { goTasks(b, Options{NoTiming: true}, cancellable) })
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
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
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
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
		close(ch)
		workers.Wait()
	})
}

// BenchmarkStatsPerTask is what timing adds to every task on average (the
// sampling decision, and for one task in 8 three clock reads and two
// histogram records) plus the exact counters, from GOMAXPROCS goroutines at
// once as in the pool; compare with BenchmarkPoolTiny/timing=on's ns/op.
func BenchmarkStatsPerTask(b *testing.B) {
	var s poolStats
	s.init(runtime.GOMAXPROCS(0), true)
	s.timed.Store(alwaysTimed)
	b.RunParallel(func(pb *testing.PB) {
		sh := s.shard() // as a worker does
		for pb.Next() {
			var enq int64
			if s.sample() {
				enq = nanotime()
			}
			if enq != 0 {
				start := nanotime()
				sh.wait.record(start - enq)
				sh.run.record(nanotime() - start)
			}
			sh.finished(false)
		}
	})
}
