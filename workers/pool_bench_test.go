package workers

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPoolTiny measures tiny-task throughput: b.N fire-and-forget
// tasks submitted from GOMAXPROCS goroutines. In the same run: the pool with
// timing on (the default) and off (Options.NoTiming), with a cancellable
// submit context (what cancellation costs per task), Submit+Wait, and a
// plain channel feeding GOMAXPROCS goroutines (a hand-rolled loop, one
// channel operation per hand-off).
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
	b.Run("timing=on,ctx=cancellable", func(b *testing.B) { goTasks(b, Options{}, cancellable) })
	b.Run("timing=off,ctx=cancellable", func(b *testing.B) { goTasks(b, Options{NoTiming: true}, cancellable) })
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
// sampling decision, and for one task in 32 three clock reads and two
// histogram records) plus the exact counters, from GOMAXPROCS goroutines at
// once as in the pool; compare with BenchmarkPoolTiny/timing=on's ns/op.
func BenchmarkStatsPerTask(b *testing.B) {
	var s poolStats
	s.init(runtime.GOMAXPROCS(0), true)
	var submitted atomic.Uint64
	submitted.Store(alwaysTimed)
	var mu sync.Mutex // the pool's lock, under which workers get shards
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		w := &worker{sh: s.shard()} // as a worker does
		mu.Unlock()
		sh := w.sh
		for pb.Next() {
			var enq int64
			// The pool counts under its lock; an atomic stands in here.
			if n := submitted.Add(1); n < alwaysTimed || n%sampleEvery == 0 {
				enq = nanotime()
			}
			if enq != 0 {
				start := nanotime()
				sh.hist.wait.record(start - enq)
				sh.hist.run.record(nanotime() - start)
			}
			w.finished(false)
		}
	})
}

// BenchmarkTimingCost runs the tiny-task load of BenchmarkPoolTiny in short
// paired rounds, timing on and off back to back (in alternating order), and
// reports the median of the per-pair ratios: on a machine shared with other
// jobs, pairs a few milliseconds apart see the same load, where separate
// benchmarks seconds apart do not. Each b.N iteration is one pair.
//
//	go test -run '^$' -bench TimingCost -benchtime 200x ./workers/
func BenchmarkTimingCost(b *testing.B) {
	const tasks = 20_000
	procs := runtime.GOMAXPROCS(0)
	once := func(opts Options) time.Duration {
		p := NewPool(opts)
		var wg sync.WaitGroup
		wg.Add(tasks)
		fn := func(context.Context) error { wg.Done(); return nil }
		start := time.Now()
		var prod sync.WaitGroup
		for i := range procs {
			prod.Add(1)
			go func() {
				defer prod.Done()
				for j := i; j < tasks; j += procs {
					_ = p.Go(context.Background(), fn, nil)
				}
			}()
		}
		prod.Wait()
		wg.Wait()
		d := time.Since(start)
		p.CloseNow()
		return d
	}
	var on, off []time.Duration
	var ratios []float64
	for i := range b.N {
		var a, c time.Duration
		if i%2 == 0 {
			a = once(Options{})
			c = once(Options{NoTiming: true})
		} else {
			c = once(Options{NoTiming: true})
			a = once(Options{})
		}
		on, off = append(on, a), append(off, c)
		ratios = append(ratios, float64(a)/float64(c))
	}
	slices.Sort(on)
	slices.Sort(off)
	slices.Sort(ratios)
	b.ReportMetric(tasks/on[len(on)/2].Seconds(), "on-tasks/s")
	b.ReportMetric(tasks/off[len(off)/2].Seconds(), "off-tasks/s")
	b.ReportMetric(100*(ratios[len(ratios)/2]-1), "%timing-cost")
}
