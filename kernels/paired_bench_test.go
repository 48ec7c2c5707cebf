package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/sharc-go/sharc/workers"
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

// acc is a small statistics accumulator for BenchmarkMapReduceVsFor.
type acc struct {
	n        int
	sum      float64
	min, max float64
}

func accLoop(x []float64) acc {
	a := acc{min: math.Inf(1), max: math.Inf(-1)}
	for _, v := range x {
		if v == v {
			a.n++
			a.sum += v
			a.min = min(a.min, v)
			a.max = max(a.max, v)
		}
	}
	return a
}

func accMerge(a, b acc) acc {
	return acc{a.n + b.n, a.sum + b.sum, min(a.min, b.min), max(a.max, b.max)}
}

// BenchmarkMapReduceVsFor compares MapReduce with the same reduction
// written by hand on For (per-chunk partials, then a serial merge):
//
//	go test -run '^$' -bench MapReduceVsFor -benchtime 15x ./kernels
func BenchmarkMapReduceVsFor(b *testing.B) {
	for _, n := range []int{1 << 18, 1 << 23} {
		x := withNaN(rand.New(rand.NewPCG(1, 2)), n, 0.05)
		var sink acc
		hand := func() {
			nc := (n + grain - 1) / grain
			parts := make([]acc, nc)
			workers.DefaultTeam().For(n, grain, func(lo, hi int) {
				for c := lo / grain; c*grain < hi; c++ {
					parts[c] = accLoop(x[c*grain : min(c*grain+grain, hi)])
				}
			})
			r := parts[0]
			for _, p := range parts[1:] {
				r = accMerge(r, p)
			}
			sink = r
		}
		mr := func() {
			sink = MapReduce(x, grain, func(_ int, xs []float64) acc { return accLoop(xs) }, accMerge)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { paired(b, hand, mr) })
		_ = sink
	}
}

// BenchmarkMedianVsSort compares Median with the way to an exact median
// without it: copy x, Sort the copy, read the middle.
//
//	go test -run '^$' -bench MedianVsSort -benchtime 9x ./kernels
//	go test -run '^$' -bench 'MedianVsSort/n=33554432' -benchtime 9x ./kernels
func BenchmarkMedianVsSort(b *testing.B) {
	for _, n := range []int{1 << 20, 1 << 25} {
		x := withNaN(rand.New(rand.NewPCG(1, 2)), n, 0)
		c := make([]float64, n)
		sorted := func() { copy(c, x); Sort(c); sinkF += c[n/2] }
		median := func() { sinkF += Median(x) }
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) { paired(b, sorted, median) })
	}
}

// BenchmarkMedianVsSum compares Median with Sum on the same data: how
// close selection comes to one pass at memory speed.
//
//	go test -run '^$' -bench 'MedianVsSum' -benchtime 9x ./kernels
func BenchmarkMedianVsSum(b *testing.B) {
	for _, n := range []int{1 << 20, 1 << 25} {
		x := withNaN(rand.New(rand.NewPCG(1, 2)), n, 0)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			paired(b, func() { sinkF += Sum(x) }, func() { sinkF += Median(x) })
		})
	}
}
