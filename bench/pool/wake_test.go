package main

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// BenchmarkIdleWake measures what a second CPU costs to join work that
// starts after the process has been idle: per pair, 1000 spins of ~250 ns
// on the calling goroutine alone, then the same work on each of two new
// goroutines, each timed after 1 ms of sleep (idle) or of both CPUs
// spinning (busy). It reports the median, min and max of (two goroutines'
// time) ÷ (one goroutine's time): 1 when the second CPU joins at once, 2
// when the work runs on one CPU after all. On a VM whose idle vCPUs halt,
// waking one costs a visible part of a batch of tiny tasks
// (docs/design/pool.md).
//
//	go test -run '^$' -bench IdleWake -benchtime 50x ./pool/
func BenchmarkIdleWake(b *testing.B) {
	k := int(250 * pools.SpinPerNS())
	work := func() {
		for range 1000 {
			pools.Spin(k)
		}
	}
	before := map[string]func(){
		"idle": func() { time.Sleep(time.Millisecond) },
		"busy": func() {
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					for t := time.Now(); time.Since(t) < time.Millisecond; {
						pools.Spin(k)
					}
				})
			}
			wg.Wait()
		},
	}
	for _, name := range []string{"idle", "busy"} {
		b.Run(name, func(b *testing.B) {
			ratios := make([]float64, 0, b.N)
			for range b.N {
				before[name]()
				t := time.Now()
				work()
				one := time.Since(t)
				before[name]()
				t = time.Now()
				var wg sync.WaitGroup
				wg.Go(work)
				wg.Go(work)
				wg.Wait()
				ratios = append(ratios, float64(time.Since(t))/float64(one))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "x:two/one")
			b.ReportMetric(ratios[0], "min")
			b.ReportMetric(ratios[len(ratios)-1], "max")
		})
	}
}
