// Command pool compares workers.Pool with its Go peers on the same tasks:
// panjf2000/ants, alitto/pond, sourcegraph/conc, errgroup with SetLimit, and a plain
// channel feeding N goroutines (the floor cost of a hand-off). It prints
// tasks/s for tiny tasks and for 100 µs CPU tasks submitted from GOMAXPROCS
// producers, and p50/p99 submit-to-result latency of a lone task through an
// idle pool. bench/node/pool does the same through piscina, and
// bench/pool/node.sh prints both side by side.
//
//	cd bench && go run ./pool [-n 1000000] [-cpu-n 4000] [-rounds 3] [-lone 20000] [-json]
package main

import (
	"context"
	"runtime"
	"sync"

	"github.com/alitto/pond/v2"
	"github.com/panjf2000/ants/v2"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/sharc-go/sharc/workers"
)

// pool is the common face of the contenders: submit runs f on the pool,
// blocking while it is saturated; close waits for everything submitted.
type pool interface {
	submit(f func())
	close()
}

type contender struct {
	name string
	new  func(n int) pool
}

func contenders() []contender {
	return []contender{
		{"workers.Pool", func(n int) pool { return newSharc(n, false) }},
		{"workers.Pool NoTiming", func(n int) pool { return newSharc(n, true) }},
		{"workers.Pool MaxQueue=Unbounded", func(n int) pool {
			return &sharcPool{p: workers.NewPool(workers.Options{MaxWorkers: n, MaxQueue: workers.Unbounded})}
		}},
		{"ants", func(n int) pool { return newAnts(n) }},
		{"pond v2", func(n int) pool { return &pondPool{p: pond.NewPool(n)} }},
		{"conc", func(n int) pool { return &concPool{p: concpool.New().WithMaxGoroutines(n)} }},
		{"errgroup.SetLimit", func(n int) pool { g := new(errgroup.Group); g.SetLimit(n); return &egPool{g: g} }},
		{"channel+N goroutines", func(n int) pool { return newChanPool(n) }},
	}
}

type sharcPool struct{ p *workers.Pool }

func newSharc(n int, noTiming bool) *sharcPool {
	return &sharcPool{p: workers.NewPool(workers.Options{MaxWorkers: n, NoTiming: noTiming})}
}

func (s *sharcPool) submit(f func()) {
	_ = s.p.Go(context.Background(), func(context.Context) error { f(); return nil }, nil)
}
func (s *sharcPool) close() { _ = s.p.Close(context.Background()) }

type antsPool struct{ p *ants.Pool }

func newAnts(n int) *antsPool {
	p, err := ants.NewPool(n)
	if err != nil {
		panic(err)
	}
	return &antsPool{p: p}
}

func (a *antsPool) submit(f func()) {
	if err := a.p.Submit(f); err != nil {
		panic(err)
	}
}
func (a *antsPool) close() { a.p.Release() }

// pondPool uses pond's default queue (unbounded) and Go, its
// fire-and-forget form.
type pondPool struct{ p pond.Pool }

func (p *pondPool) submit(f func()) {
	if err := p.p.Go(f); err != nil {
		panic(err)
	}
}
func (p *pondPool) close() { p.p.StopAndWait() }

type concPool struct{ p *concpool.Pool }

func (c *concPool) submit(f func()) { c.p.Go(f) }
func (c *concPool) close()          { c.p.Wait() }

type egPool struct{ g *errgroup.Group }

func (e *egPool) submit(f func()) { e.g.Go(func() error { f(); return nil }) }
func (e *egPool) close()          { _ = e.g.Wait() }

type chanPool struct {
	ch chan func()
	wg sync.WaitGroup
}

func newChanPool(n int) *chanPool {
	c := &chanPool{ch: make(chan func(), 4*n)}
	for range n {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for f := range c.ch {
				f()
			}
		}()
	}
	return c
}

func (c *chanPool) submit(f func()) { c.ch <- f }
func (c *chanPool) close()          { close(c.ch); c.wg.Wait() }

// throughput submits n tasks doing work from GOMAXPROCS producers and waits
// for them all.
func throughput(p pool, n int, work func()) {
	procs := runtime.GOMAXPROCS(0)
	var done sync.WaitGroup
	done.Add(n)
	task := func() { work(); done.Done() }
	var prod sync.WaitGroup
	for i := range procs {
		k := n / procs
		if i == 0 {
			k += n % procs
		}
		prod.Add(1)
		go func() {
			defer prod.Done()
			for range k {
				p.submit(task)
			}
		}()
	}
	prod.Wait()
	done.Wait()
}
