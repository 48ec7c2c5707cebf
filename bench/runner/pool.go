package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// poolTables compares workers.Pool with pond v2 and a channel feeding N
// goroutines over a grid of batch sizes, producer counts and task sizes,
// and with every Go pool on one shape. Sides run in this process.
func poolTables(e *env) ([]table, error) {
	cs := map[string]pools.Contender{}
	for _, c := range pools.Contenders() {
		cs[c.Name] = c
	}
	sharc := cs["workers.Pool"]
	g := poolGrid{
		counts:    []int{2_000, 20_000, 200_000},
		producers: []int{1, 2, 4, 8},
		works:     []taskWork{{"~0", 0}, {"250 ns", 250 * time.Nanosecond}, {"2 µs", 2 * time.Microsecond}},
		peers:     []string{"pond v2", "channel+N goroutines"},
	}
	if e.quick {
		g.counts, g.producers = []int{2_000, 20_000}, []int{1, 4}
		g.works = []taskWork{g.works[0], g.works[2]}
	}
	if e.smoke {
		g.counts, g.producers = []int{2_000}, []int{2}
	}
	calibrate()
	grid := table{Section: "pool", Title: "workers.Pool vs pond v2 and a channel loop, by batch, producers and task size",
		About: fmt.Sprintf("%d workers; each round submits N tasks from P producer goroutines into a fresh pool, waits for all, and closes the pool, and repeats that up to 15 times (about 20 ms of nominal work); time per task of the best batch. "+
			"A task spins for the stated time (~0: an empty function). \"channel\" is a buffered channel (4 per worker) feeding N goroutines. Peer pairs alternate within each cell.", e.threads)}
	for _, n := range g.counts {
		for _, w := range g.works {
			for _, p := range g.producers {
				for _, peer := range g.peers {
					label := fmt.Sprintf("%d tasks of %s, %d producers", n, w.name, p)
					rs, err := runPairs(comparison{a: poolSide(sharc, e.threads, p, n, w), b: poolSide(cs[peer], e.threads, p, n, w),
						rows: []row{{label, "task", "task"}}}, e.pairs)
					if err != nil {
						return nil, err
					}
					grid.Results = append(grid.Results, rs...)
				}
			}
		}
	}
	g.summary(e.log, grid.Results)
	all := table{Section: "pool", Title: "workers.Pool vs Go pools, empty tasks",
		About: fmt.Sprintf("%d workers, %d producers, empty tasks; time per task of the best batch, as above.", e.threads, e.threads)}
	n := g.counts[len(g.counts)-1]
	for _, peer := range []string{"ants", "conc", "errgroup.SetLimit"} {
		rs, err := runPairs(comparison{a: poolSide(sharc, e.threads, e.threads, n, g.works[0]), b: poolSide(cs[peer], e.threads, e.threads, n, g.works[0]),
			rows: []row{{fmt.Sprintf("%d tasks", n), "task", "task"}}}, e.pairs)
		if err != nil {
			return nil, err
		}
		all.Results = append(all.Results, rs...)
	}
	return []table{grid, all}, nil
}

// poolGrid is the shape of the pool comparison.
type poolGrid struct {
	counts, producers []int
	works             []taskWork
	peers             []string
}

// summary prints the grid's median ratios compactly: one line per batch
// size and task size, one column per producer count and peer.
func (g poolGrid) summary(w io.Writer, rs []result) {
	fmt.Fprintf(w, "-- pool grid, peer ÷ sharc median (min–max)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "tasks\twork\t")
	for _, p := range g.producers {
		for _, peer := range g.peers {
			fmt.Fprintf(tw, "P=%d %s\t", p, strings.Fields(peer)[0])
		}
	}
	fmt.Fprintln(tw)
	i := 0
	for _, n := range g.counts {
		for _, wk := range g.works {
			fmt.Fprintf(tw, "%d\t%s\t", n, wk.name)
			for range g.producers {
				for range g.peers {
					r := rs[i]
					fmt.Fprintf(tw, "%.2f (%.2f–%.2f)\t", r.Median, r.Min, r.Max)
					i++
				}
			}
			fmt.Fprintln(tw)
		}
	}
	tw.Flush()
}

type taskWork struct {
	name string
	spin time.Duration
}

// poolSide runs batches of n of w's tasks, each through a fresh pool of
// c, and reports the best batch's time per task. A round repeats the batch
// until about roundWork of nominal work is done (at most maxReps times):
// the best of several short batches is what the pool can do, where one
// batch of a few hundred microseconds on a shared machine often measures a
// neighbour's time slice instead.
func poolSide(c pools.Contender, workers, producers, n int, w taskWork) side {
	work := func() {}
	if w.spin > 0 {
		k := int(float64(w.spin.Nanoseconds()) * itersPerNS)
		work = func() { pools.Spin(k) }
	}
	perTask := w.spin + 100*time.Nanosecond // a tiny task's order of cost
	reps := int(min(max(roundWork/(time.Duration(n)*perTask), 1), maxReps))
	return side{name: c.Name, run: func() (map[string]float64, error) {
		best := time.Duration(math.MaxInt64)
		for range reps {
			p := c.New(workers)
			t := time.Now()
			pools.ThroughputFrom(p, n, producers, work)
			best = min(best, time.Since(t))
			p.Close()
		}
		return map[string]float64{"task": float64(best.Nanoseconds()) / float64(n)}, nil
	}}
}

// roundWork and maxReps bound the batches of one poolSide round.
const (
	roundWork = 20 * time.Millisecond
	maxReps   = 15
)

var itersPerNS float64

// calibrate measures pools.Spin's speed once.
func calibrate() {
	if itersPerNS > 0 {
		return
	}
	itersPerNS = pools.SpinPerNS()
	runtime.GC()
}
