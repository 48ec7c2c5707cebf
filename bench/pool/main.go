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
)

type result struct {
	Bench     string  `json:"bench"`
	Pool      string  `json:"pool"`
	TasksPerS float64 `json:"tasks_per_s"`
	LoneP50US float64 `json:"lone_p50_us"`
	LoneP99US float64 `json:"lone_p99_us"`
}

// lone measures submit-to-result latency of one task at a time through an
// idle pool.
func lone(p pool, n int) (p50, p99 float64) {
	lat := make([]time.Duration, n)
	done := make(chan struct{}, 1)
	task := func() { done <- struct{}{} }
	for i := range lat {
		start := time.Now()
		p.submit(task)
		<-done
		lat[i] = time.Since(start)
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[min(int(f*float64(n)), n-1)].Nanoseconds()) / 1e3 }
	return q(0.50), q(0.99)
}

func main() {
	n := flag.Int("n", 1_000_000, "tiny tasks per throughput run")
	nLone := flag.Int("lone", 20_000, "lone tasks for the latency figures")
	rounds := flag.Int("rounds", 3, "throughput runs per pool (best is kept)")
	asJSON := flag.Bool("json", false, "one JSON object per line")
	flag.Parse()
	workersN := runtime.GOMAXPROCS(0)
	cs := contenders()
	res := make([]result, len(cs))
	// Rounds go through all the pools in turn, so that a burst of load from
	// other jobs on a shared machine hits them alike.
	for range *rounds {
		for i, c := range cs {
			p := c.new(workersN)
			start := time.Now()
			throughput(p, *n)
			el := time.Since(start)
			p.close()
			res[i].TasksPerS = max(res[i].TasksPerS, float64(*n)/el.Seconds())
		}
	}
	for i, c := range cs {
		p := c.new(workersN)
		p50, p99 := lone(p, *nLone)
		p.close()
		res[i].Bench, res[i].Pool, res[i].LoneP50US, res[i].LoneP99US = "pool", c.name, p50, p99
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, r := range res {
			_ = enc.Encode(r)
		}
		return
	}
	fmt.Printf("tiny tasks, %d workers, %d producers, best of %d runs of %d tasks; lone-task latency over %d tasks\n",
		workersN, workersN, *rounds, *n, *nLone)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pool\ttasks/s\tvs workers.Pool\tlone p50 µs\tlone p99 µs\t")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%.2fM\t%.2f×\t%.2f\t%.2f\t\n", r.Pool, r.TasksPerS/1e6, r.TasksPerS/res[0].TasksPerS, r.LoneP50US, r.LoneP99US)
	}
	tw.Flush()
}
