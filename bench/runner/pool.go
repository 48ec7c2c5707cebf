package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// poolTables compares workers.Pool with pond v2 and a channel feeding N
// goroutines across producer counts and task sizes, with every Go pool on
// tiny tasks, and at three batch sizes with pond. Sides run in this process.
func poolTables(e *env) ([]table, error) {
	cs := map[string]pools.Contender{}
	for _, c := range pools.Contenders() {
		cs[c.Name] = c
	}
	sharc := cs["workers.Pool"]
	producers := []int{1, 2, 4, 8}
	works := []taskWork{{"~0", 0, 200_000}, {"250 ns", 250 * time.Nanosecond, 100_000}, {"2 µs", 2 * time.Microsecond, 20_000}}
	if e.quick {
		producers = []int{2}
		works = []taskWork{{"~0", 0, 50_000}, {"2 µs", 2 * time.Microsecond, 5_000}}
	}
	if e.smoke {
		works = []taskWork{{"~0", 0, 2_000}, {"2 µs", 2 * time.Microsecond, 200}}
	}
	calibrate()
	grid := table{Section: "pool", Title: "workers.Pool vs pond v2 and a channel loop, by producers and task size",
		About: fmt.Sprintf("%d workers; each round submits the tasks from P producer goroutines, waits for all, and closes the pool; time per task. A task spins for the stated time (~0: an empty function). \"channel\" is a buffered channel feeding N goroutines.", e.threads)}
	for _, w := range works {
		for _, p := range producers {
			for _, peer := range []string{"pond v2", "channel+N goroutines"} {
				label := fmt.Sprintf("%s tasks, %d producers", w.name, p)
				rs, err := runPairs(comparison{a: poolSide(sharc, e.threads, p, w), b: poolSide(cs[peer], e.threads, p, w),
					rows: []row{{label, "task", "task"}}}, e.pairs)
				if err != nil {
					return nil, err
				}
				grid.Results = append(grid.Results, rs...)
			}
		}
	}
	all := table{Section: "pool", Title: "workers.Pool vs Go pools, empty tasks",
		About: fmt.Sprintf("%d workers, %d producers, empty tasks; time per task.", e.threads, e.threads)}
	counts := []int{2_000, 20_000, 200_000}
	if e.quick {
		counts = []int{2_000, 20_000}
	}
	if e.smoke {
		counts = []int{2_000}
	}
	for _, n := range counts {
		for _, peer := range []string{"pond v2", "ants", "conc", "errgroup.SetLimit", "channel+N goroutines"} {
			if n != counts[len(counts)-1] && peer != "pond v2" {
				continue
			}
			w := taskWork{"~0", 0, n}
			rs, err := runPairs(comparison{a: poolSide(sharc, e.threads, e.threads, w), b: poolSide(cs[peer], e.threads, e.threads, w),
				rows: []row{{fmt.Sprintf("%d tasks", n), "task", "task"}}}, e.pairs)
			if err != nil {
				return nil, err
			}
			all.Results = append(all.Results, rs...)
		}
	}
	return []table{grid, all}, nil
}

type taskWork struct {
	name  string
	spin  time.Duration
	tasks int
}

// poolSide runs one batch of w's tasks through a fresh pool of c per
// round.
func poolSide(c pools.Contender, workers, producers int, w taskWork) side {
	work := func() {}
	if w.spin > 0 {
		k := int(float64(w.spin.Nanoseconds()) * itersPerNS)
		work = func() { spinIters(k) }
	}
	return side{name: c.Name, run: func() (map[string]float64, error) {
		p := c.New(workers)
		t := time.Now()
		pools.ThroughputFrom(p, w.tasks, producers, work)
		el := time.Since(t)
		p.Close()
		return map[string]float64{"task": float64(el.Nanoseconds()) / float64(w.tasks)}, nil
	}}
}

var (
	itersPerNS float64
	spinSink   atomic.Uint64
)

// spinIters does k rounds of dependent integer arithmetic.
func spinIters(k int) {
	x := uint64(k)
	for range k {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 0 {
		spinSink.Add(1) // never in practice; keeps the loop
	}
}

// calibrate measures spinIters' speed once (best of a few tries, so that
// a busy machine makes tasks shorter, not longer, than stated).
func calibrate() {
	if itersPerNS > 0 {
		return
	}
	const k = 1 << 20
	best := time.Hour
	for range 5 {
		t := time.Now()
		spinIters(k)
		best = min(best, time.Since(t))
	}
	itersPerNS = k / float64(best.Nanoseconds())
	runtime.GC()
}
