// Command pool compares workers.Pool with its Go peers on the same tasks:
// panjf2000/ants, alitto/pond, sourcegraph/conc, errgroup with SetLimit, and a plain
// channel feeding N goroutines (what a hand-rolled loop costs). It prints
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

// pool is the common face of the contenders: submitter turns f into the
// pool's own task type once, as a user would write it, and returns a
// function that submits it, blocking while the pool is saturated; close
// waits for everything submitted. Wrapping f in a fresh closure per submit
// would charge the pools whose task type is not func() an allocation per
// task that real code does not pay.
type pool interface {
	submitter(f func()) func()
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

func (s *sharcPool) submitter(f func()) func() {
	task := func(context.Context) error { f(); return nil }
	ctx := context.Background()
	return func() { _ = s.p.Go(ctx, task, nil) }
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

func (a *antsPool) submitter(f func()) func() {
	return func() {
		if err := a.p.Submit(f); err != nil {
			panic(err)
		}
	}
}
func (a *antsPool) close() { a.p.Release() }

// pondPool uses pond's default queue (unbounded) and Go, its
// fire-and-forget form.
type pondPool struct{ p pond.Pool }

func (p *pondPool) submitter(f func()) func() {
	return func() {
		if err := p.p.Go(f); err != nil {
			panic(err)
		}
	}
}
func (p *pondPool) close() { p.p.StopAndWait() }

type concPool struct{ p *concpool.Pool }

func (c *concPool) submitter(f func()) func() { return func() { c.p.Go(f) } }
func (c *concPool) close()                    { c.p.Wait() }

type egPool struct{ g *errgroup.Group }

func (e *egPool) submitter(f func()) func() {
	task := func() error { f(); return nil }
	return func() { e.g.Go(task) }
}
func (e *egPool) close() { _ = e.g.Wait() }

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

func (c *chanPool) submitter(f func()) func() { return func() { c.ch <- f } }
func (c *chanPool) close()                    { close(c.ch); c.wg.Wait() }

// throughput submits n tasks doing work from GOMAXPROCS producers and waits
// for them all.
func throughput(p pool, n int, work func()) {
	procs := runtime.GOMAXPROCS(0)
	var done sync.WaitGroup
	done.Add(n)
	submit := p.submitter(func() { work(); done.Done() })
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
				submit()
			}
		}()
	}
	prod.Wait()
	done.Wait()
}
