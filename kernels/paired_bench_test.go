package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// paired times base and f back to back, in alternating order, once per
// b.N iteration, and reports the median, minimum and maximum of the
// per-pair speed ratios time(base)/time(f) (above 1: f is faster). On a
// machine shared with other jobs, runs milliseconds apart see the same
// load where separate benchmarks seconds apart do not. Run with
// -benchtime 9x (or more) for 9 pairs.
func paired(b *testing.B, base, f func()) {
	b.Helper()
	base() // warm up: page faults, pools, the team
	f()
	var ratios []float64
	for i := range b.N {
		var tb, tf time.Duration
		if i%2 == 0 {
			tb, tf = timeIt(base), timeIt(f)
		} else {
			tf, tb = timeIt(f), timeIt(base)
		}
		ratios = append(ratios, float64(tb)/float64(tf))
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "x-median")
	b.ReportMetric(ratios[0], "x-min")
	b.ReportMetric(ratios[len(ratios)-1], "x-max")
}

func timeIt(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

var sinkF float64

// BenchmarkNanVsSum compares the NaN-skipping kernels with Sum on the same
// float64 data (5% NaN; Sum then returns NaN, at its full speed):
//
//	go test -run '^$' -bench NanVsSum -benchtime 9x ./kernels
//	go test -run '^$' -bench 'NanVsSum/.*/n=33554432' -benchtime 15x ./kernels
func BenchmarkNanVsSum(b *testing.B) {
	for _, n := range []int{1 << 20, 1 << 25} {
		x := withNaN(rand.New(rand.NewPCG(1, 2)), n, 0.05)
		sum := func() { sinkF += Sum(x) }
		for _, k := range []struct {
			name string
			f    func()
		}{
			{"NanSum", func() { sinkF += NanSum(x) }},
			{"Describe", func() { sinkF += Describe(x).M2 }},
			{"NanMin", func() { sinkF += NanMin(x) }},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", k.name, n), func(b *testing.B) { paired(b, sum, k.f) })
		}
	}
}
