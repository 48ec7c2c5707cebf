package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/sharc-go/sharc/workers"
)

// teamTables compares a fork-join on a workers.Team with the same join done
// by starting goroutines and waiting on a sync.WaitGroup: an empty one, the
// cost a parallel kernel pays per call before any work, and one whose
// chunks each do about a microsecond of arithmetic, where the team's
// worker has to take its chunk for the join to gain anything.
func teamTables(e *env) ([]table, error) {
	n := 200_000
	switch {
	case e.smoke:
		n = 2_000
	case e.quick:
		n = 50_000
	}
	t := table{Section: "team", Title: "workers.Team fork-join vs WaitGroup + go",
		About: fmt.Sprintf("A parallel loop split into %d chunks, one per thread: (*workers.Team).For on a team of %d vs starting %d goroutines (the caller runs one chunk) and waiting on a sync.WaitGroup, both in this process. Each round times %d empty loops as one batch, then %d loops whose chunks each run %d steps of a xorshift generator (about 3,600 dependent instructions, near 1 µs).", e.threads, e.threads, e.threads-1, n, n/workLoops, workSteps)}
	threads := e.threads
	sinks := make([]uint64, threads*8) // a line per chunk
	wg := side{name: "WaitGroup + go"}
	var tm *workers.Team
	sharc := side{name: "workers.Team", run: func() (map[string]float64, error) {
		if tm == nil {
			tm = workers.NewTeam(threads)
		}
		body := func(lo, hi int) {}
		for range 1000 { // wake the workers
			tm.For(threads, 1, body)
		}
		start := time.Now()
		for range n {
			tm.For(threads, 1, body)
		}
		join := float64(time.Since(start).Nanoseconds()) / float64(n)
		work := func(lo, hi int) { sinks[lo*8] += xorshift(sinks[lo*8]|1, workSteps) }
		start = time.Now()
		for range n / workLoops {
			tm.For(threads, 1, work)
		}
		return map[string]float64{"join": join, "work": float64(time.Since(start).Nanoseconds()) / float64(n/workLoops)}, nil
	}, close: func() {
		if tm != nil {
			tm.Close()
		}
	}}
	wg.run = func() (map[string]float64, error) {
		var wg sync.WaitGroup
		var body func(lo, hi int)
		join := func() {
			wg.Add(threads - 1)
			for i := 1; i < threads; i++ {
				go func() {
					defer wg.Done()
					body(i, i+1)
				}()
			}
			body(0, 1)
			wg.Wait()
		}
		body = func(lo, hi int) {}
		for range 1000 {
			join()
		}
		start := time.Now()
		for range n {
			join()
		}
		empty := float64(time.Since(start).Nanoseconds()) / float64(n)
		body = func(lo, hi int) { sinks[lo*8] += xorshift(sinks[lo*8]|1, workSteps) }
		start = time.Now()
		for range n / workLoops {
			join()
		}
		return map[string]float64{"join": empty, "work": float64(time.Since(start).Nanoseconds()) / float64(n/workLoops)}, nil
	}
	rs, err := runPairs(comparison{a: sharc, b: wg, rows: []row{
		{fmt.Sprintf("empty fork-join, %d threads", threads), "join", "join"},
		{fmt.Sprintf("fork-join of ~1 µs chunks, %d threads", threads), "work", "work"},
	}}, e.pairs)
	if err != nil {
		return nil, err
	}
	t.Results = rs
	return []table{t}, nil
}

// workLoops is how many times fewer loops with work a round times than
// empty ones; workSteps is the work per chunk.
const (
	workLoops = 10
	workSteps = 600
)

// xorshift runs steps rounds of a xorshift generator from x: work that
// depends on every step, so the compiler cannot shorten it.
func xorshift(x uint64, steps int) uint64 {
	for range steps {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
