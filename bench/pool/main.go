// Command pool compares workers.Pool with its Go peers on the same tasks:
// panjf2000/ants, alitto/pond, sourcegraph/conc, errgroup with SetLimit, and a plain
// channel feeding N goroutines (what a hand-rolled loop costs). It prints
// tasks/s for tiny tasks and for 100 µs CPU tasks submitted from GOMAXPROCS
// producers, and p50/p99 submit-to-result latency of a lone task through an
// idle pool. bench/node/pool does the same through piscina; bench/run
// -only pool,piscina compares them in alternated paired rounds.
//
//	cd bench && go run ./pool [-n 1000000] [-cpu-n 4000] [-rounds 3] [-lone 20000] [-json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// result is one pool on one task; bench/node/pool prints the same fields.
type result struct {
	Bench     string  `json:"bench"`
	Pool      string  `json:"pool"`
	Task      string  `json:"task"`
	TasksPerS float64 `json:"tasks_per_s"`
	LoneP50US float64 `json:"lone_p50_us"`
	LoneP99US float64 `json:"lone_p99_us"`
}

// spin burns CPU for d, as cmd/demo spawn-cost's "100 µs CPU task" does.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// lone measures submit-to-result latency of one task at a time through an
// idle pool.
func lone(p pools.Pool, n int, work func()) (p50, p99 float64) {
	lat := make([]time.Duration, n)
	done := make(chan struct{}, 1)
	submit := p.Submitter(func() { work(); done <- struct{}{} })
	for i := range lat {
		start := time.Now()
		submit()
		<-done
		lat[i] = time.Since(start)
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[min(int(f*float64(n)), n-1)].Nanoseconds()) / 1e3 }
	return q(0.50), q(0.99)
}

func main() {
	n := flag.Int("n", 1_000_000, "tiny tasks per throughput run")
	cpuN := flag.Int("cpu-n", 4_000, "100 µs CPU tasks per throughput run (0: skip the CPU task)")
	nLone := flag.Int("lone", 20_000, "lone tiny tasks for the latency figures (CPU task: a tenth)")
	rounds := flag.Int("rounds", 3, "throughput runs per pool (best is kept)")
	asJSON := flag.Bool("json", false, "one JSON object per line")
	flag.Parse()
	workersN := runtime.GOMAXPROCS(0)
	type taskKind struct {
		name       string
		work       func()
		count, nLo int
	}
	kinds := []taskKind{{"tiny", func() {}, *n, *nLone}}
	if *cpuN > 0 {
		kinds = append(kinds, taskKind{"100µs CPU", func() { spin(100 * time.Microsecond) }, *cpuN, max(*nLone/10, 1)})
	}
	cs := pools.Contenders()
	var res []result
	for _, k := range kinds {
		rs := make([]result, len(cs))
		// Rounds go through all the pools in turn, each round starting one
		// pool further on, so that bursts of load from other jobs on a
		// shared machine, and the cost of going first, hit them alike.
		for r := range *rounds {
			for j := range cs {
				i := (j + r) % len(cs)
				c := cs[i]
				p := c.New(workersN)
				start := time.Now()
				pools.Throughput(p, k.count, k.work)
				el := time.Since(start)
				p.Close()
				rs[i].TasksPerS = max(rs[i].TasksPerS, float64(k.count)/el.Seconds())
			}
		}
		for i, c := range cs {
			// Collect the throughput runs' garbage first, so that the GC
			// does not run during whichever pool is measured first.
			runtime.GC()
			p := c.New(workersN)
			p50, p99 := lone(p, k.nLo, k.work)
			p.Close()
			rs[i].Bench, rs[i].Pool, rs[i].Task, rs[i].LoneP50US, rs[i].LoneP99US = "pool", c.Name, k.name, p50, p99
		}
		res = append(res, rs...)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range res {
			_ = enc.Encode(r)
		}
		return
	}
	fmt.Printf("%d workers, %d producers, best of %d runs (%d tiny tasks, %d CPU tasks); lone-task latency over %d tiny and %d CPU tasks\n",
		workersN, workersN, *rounds, *n, *cpuN, *nLone, max(*nLone/10, 1))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pool\ttask\ttasks/s\tvs workers.Pool\tlone p50 µs\tlone p99 µs\t")
	for i, r := range res {
		first := res[i-i%len(cs)]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f×\t%.2f\t%.2f\t\n", r.Pool, r.Task, rate(r.TasksPerS), r.TasksPerS/first.TasksPerS, r.LoneP50US, r.LoneP99US)
	}
	tw.Flush()
}

// rate renders tasks/s with a unit.
func rate(r float64) string {
	if r >= 1e6 {
		return fmt.Sprintf("%.2f M", r/1e6)
	}
	return fmt.Sprintf("%.1f k", r/1e3)
}
