package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// BenchmarkPairedGrid is bench/run's pool grid in short form: per cell
// (producers × task size), workers.Pool and each peer run the same batch
// through a fresh pool, alternately, b.N times, and the median of the
// per-pair ratios peer ÷ workers.Pool is reported (above 1: the pool is
// faster). GRID_TASKS sets the batch (default 2 000), GRID_PRODUCERS and
// GRID_WORK (ns) narrow the grid, GRID_PEERS picks peers by name.
//
//	go test -run '^$' -bench PairedGrid -benchtime 40x ./pool/
func BenchmarkPairedGrid(b *testing.B) {
	n := envInts("GRID_TASKS", []int{2_000})[0]
	producers := envInts("GRID_PRODUCERS", []int{1, 2, 4, 8})
	works := envInts("GRID_WORK", []int{0, 250, 2000})
	peerNames := []string{"pond v2", "channel+N goroutines"}
	if v := os.Getenv("GRID_PEERS"); v != "" {
		peerNames = strings.Split(v, ",")
	}
	cs := map[string]pools.Contender{}
	for _, c := range pools.Contenders() {
		cs[c.Name] = c
	}
	perNS := pools.SpinPerNS()
	threads := runtime.GOMAXPROCS(0)
	for _, w := range works {
		work := func() {}
		if w > 0 {
			k := int(float64(w) * perNS)
			work = func() { pools.Spin(k) }
		}
		for _, pr := range producers {
			b.Run(fmt.Sprintf("work=%dns/P=%d", w, pr), func(b *testing.B) {
				// The best of a few batches per side and pair, as bench/run
				// takes, so one preempted batch does not decide a pair.
				once := func(c pools.Contender) time.Duration {
					best := time.Duration(1 << 62)
					for range 5 {
						p := c.New(threads)
						t := time.Now()
						pools.ThroughputFrom(p, n, pr, work)
						best = min(best, time.Since(t))
						p.Close()
					}
					return best
				}
				ratios := make([][]float64, len(peerNames))
				for i := range b.N {
					for j, name := range peerNames {
						var ref, other time.Duration
						if i%2 == 0 {
							ref, other = once(cs["workers.Pool"]), once(cs[name])
						} else {
							other, ref = once(cs[name]), once(cs["workers.Pool"])
						}
						ratios[j] = append(ratios[j], float64(other)/float64(ref))
					}
				}
				for j, name := range peerNames {
					r := ratios[j]
					slices.Sort(r)
					b.ReportMetric(r[len(r)/2], "x:"+strings.Fields(name)[0])
					b.ReportMetric(r[0], "min:"+strings.Fields(name)[0])
					b.ReportMetric(r[len(r)-1], "max:"+strings.Fields(name)[0])
				}
			})
		}
	}
}

func envInts(name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		k, err := strconv.Atoi(f)
		if err != nil {
			panic(fmt.Sprintf("%s: %q is not an integer", name, f))
		}
		out = append(out, k)
	}
	return out
}
