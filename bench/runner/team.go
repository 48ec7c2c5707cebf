package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/sharc-go/sharc/workers"
)

// teamTables compares an empty fork-join on a workers.Team with the same
// join done by starting goroutines and waiting on a sync.WaitGroup: the
// cost a parallel kernel pays per call before any work.
func teamTables(e *env) ([]table, error) {
	n := 200_000
	switch {
	case e.smoke:
		n = 2_000
	case e.quick:
		n = 50_000
	}
	t := table{Section: "team", Title: "workers.Team fork-join vs WaitGroup + go",
		About: fmt.Sprintf("An empty parallel loop split into %d chunks, one per thread: (*workers.Team).For on a team of %d vs starting %d goroutines (the caller runs one chunk) and waiting on a sync.WaitGroup; %d loops timed as one batch per round, both in this process.", e.threads, e.threads, e.threads-1, n)}
	threads := e.threads
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
		return map[string]float64{"join": float64(time.Since(start).Nanoseconds()) / float64(n)}, nil
	}, close: func() {
		if tm != nil {
			tm.Close()
		}
	}}
	wg.run = func() (map[string]float64, error) {
		var wg sync.WaitGroup
		body := func(lo, hi int) {}
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
		for range 1000 {
			join()
		}
		start := time.Now()
		for range n {
			join()
		}
		return map[string]float64{"join": float64(time.Since(start).Nanoseconds()) / float64(n)}, nil
	}
	rs, err := runPairs(comparison{a: sharc, b: wg, rows: []row{{fmt.Sprintf("empty fork-join, %d threads", threads), "join", "join"}}}, e.pairs)
	if err != nil {
		return nil, err
	}
	t.Results = rs
	return []table{t}, nil
}
