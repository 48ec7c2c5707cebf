package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alitto/pond/v2"

	"github.com/sharc-go/sharc/workers"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// TestContendersRunEverything checks that each adapter runs every task
// exactly once, so the figures compare like with like.
func TestContendersRunEverything(t *testing.T) {
	for _, c := range pools.Contenders() {
		p := c.New(runtime.GOMAXPROCS(0))
		var n atomic.Int64
		submit := p.Submitter(func() { n.Add(1) })
		for range 1000 {
			submit()
		}
		pools.Throughput(p, 997, func() {})
		p.Close()
		if got := n.Load(); got != 1000 {
			t.Errorf("%s: ran %d of 1000", c.Name, got)
		}
	}
}

// BenchmarkTiny is tiny-task throughput per pool; the channel loop is the
// baseline in the same run.
func BenchmarkTiny(b *testing.B) {
	for _, c := range pools.Contenders() {
		b.Run(c.Name, func(b *testing.B) {
			p := c.New(runtime.GOMAXPROCS(0))
			b.ResetTimer()
			pools.Throughput(p, b.N, func() {})
			b.StopTimer()
			p.Close()
		})
	}
}

// BenchmarkPaired runs workers.Pool and each other pool on the same tiny
// load in short back-to-back pairs (alternating which goes first) and
// reports the median of the per-pair throughput ratios, other ÷
// workers.Pool: on a shared machine, pairs milliseconds apart see the same
// load where whole runs seconds apart do not. Each b.N iteration is one
// round of pairs.
//
//	go test -run '^$' -bench Paired -benchtime 100x ./pool/
func BenchmarkPaired(b *testing.B) {
	tasks := 20_000
	if v, err := strconv.Atoi(os.Getenv("PAIRED_TASKS")); err == nil && v > 0 {
		tasks = v
	}
	cs := pools.Contenders()
	if re := os.Getenv("PAIRED_ONLY"); re != "" {
		cs = slices.DeleteFunc(cs[1:], func(c pools.Contender) bool { return !regexp.MustCompile(re).MatchString(c.Name) })
		cs = append([]pools.Contender{pools.Contenders()[0]}, cs...)
	}
	once := func(c pools.Contender) time.Duration {
		p := c.New(runtime.GOMAXPROCS(0))
		start := time.Now()
		pools.Throughput(p, tasks, func() {})
		d := time.Since(start)
		p.Close()
		return d
	}
	ratios := make([][]float64, len(cs))
	for i := range b.N {
		for j, c := range cs[1:] {
			var ref, other time.Duration
			if i%2 == 0 {
				ref, other = once(cs[0]), once(c)
			} else {
				other, ref = once(c), once(cs[0])
			}
			ratios[j+1] = append(ratios[j+1], float64(ref)/float64(other))
		}
	}
	for j, c := range cs[1:] {
		r := ratios[j+1]
		slices.Sort(r)
		b.ReportMetric(r[len(r)/2], "x:"+strings.ReplaceAll(c.Name, " ", "_"))
	}
}

// BenchmarkSubmitWait is a task with a result handle, submitted and waited
// for by each of GOMAXPROCS goroutines in turn: workers.Submit + Wait
// against pond's Submit + Wait, the one peer here with per-task futures.
func BenchmarkSubmitWait(b *testing.B) {
	b.Run("workers.Pool", func(b *testing.B) {
		p := workers.NewPool(workers.Options{})
		defer p.CloseNow()
		fn := func(context.Context) (int, error) { return 1, nil }
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				t, err := workers.Submit(context.Background(), p, fn)
				if err != nil {
					panic(err)
				}
				if v, err := t.Wait(context.Background()); err != nil || v != 1 {
					panic(fmt.Sprint(v, err))
				}
			}
		})
	})
	b.Run("pond v2", func(b *testing.B) {
		p := pond.NewPool(runtime.GOMAXPROCS(0))
		defer p.StopAndWait()
		fn := func() {}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := p.Submit(fn).Wait(); err != nil {
					panic(err)
				}
			}
		})
	})
}
