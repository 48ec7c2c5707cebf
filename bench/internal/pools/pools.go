// Package pools wraps the Go task pools that bench/pool and bench/run
// compare behind one interface.
package pools

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

// Pool is the common face of the contenders: Submitter turns f into the
// pool's own task type once, as a user would write it, and returns a
// function that submits it, blocking while the pool is saturated; Close
// waits for everything submitted. Wrapping f in a fresh closure per submit
// would charge the pools whose task type is not func() an allocation per
// task that real code does not pay.
type Pool interface {
	Submitter(f func()) func()
	Close()
}

// Contender is a named pool constructor; New gets the worker count.
type Contender struct {
	Name string
	New  func(n int) Pool
}

// Contenders lists workers.Pool (three configurations) and its Go peers.
func Contenders() []Contender {
	return []Contender{
		{"workers.Pool", func(n int) Pool { return newSharc(n, false) }},
		{"workers.Pool NoTiming", func(n int) Pool { return newSharc(n, true) }},
		{"workers.Pool MaxQueue=Unbounded", func(n int) Pool {
			return &sharcPool{p: workers.NewPool(workers.Options{MaxWorkers: n, MaxQueue: workers.Unbounded})}
		}},
		{"ants", func(n int) Pool { return newAnts(n) }},
		{"pond v2", func(n int) Pool { return &pondPool{p: pond.NewPool(n)} }},
		{"conc", func(n int) Pool { return &concPool{p: concpool.New().WithMaxGoroutines(n)} }},
		{"errgroup.SetLimit", func(n int) Pool { g := new(errgroup.Group); g.SetLimit(n); return &egPool{g: g} }},
		{"channel+N goroutines", func(n int) Pool { return newChanPool(n) }},
	}
}

type sharcPool struct{ p *workers.Pool }

func newSharc(n int, noTiming bool) *sharcPool {
	return &sharcPool{p: workers.NewPool(workers.Options{MaxWorkers: n, NoTiming: noTiming})}
}

func (s *sharcPool) Submitter(f func()) func() {
	task := func(context.Context) error { f(); return nil }
	ctx := context.Background()
	return func() { _ = s.p.Go(ctx, task, nil) }
}
func (s *sharcPool) Close() { _ = s.p.Close(context.Background()) }

type antsPool struct{ p *ants.Pool }

func newAnts(n int) *antsPool {
	p, err := ants.NewPool(n)
	if err != nil {
		panic(err)
	}
	return &antsPool{p: p}
}

func (a *antsPool) Submitter(f func()) func() {
	return func() {
		if err := a.p.Submit(f); err != nil {
			panic(err)
		}
	}
}
func (a *antsPool) Close() { a.p.Release() }

// pondPool uses pond's default queue (unbounded) and Go, its
// fire-and-forget form.
type pondPool struct{ p pond.Pool }

func (p *pondPool) Submitter(f func()) func() {
	return func() {
		if err := p.p.Go(f); err != nil {
			panic(err)
		}
	}
}
func (p *pondPool) Close() { p.p.StopAndWait() }

type concPool struct{ p *concpool.Pool }

func (c *concPool) Submitter(f func()) func() { return func() { c.p.Go(f) } }
func (c *concPool) Close()                    { c.p.Wait() }

type egPool struct{ g *errgroup.Group }

func (e *egPool) Submitter(f func()) func() {
	task := func() error { f(); return nil }
	return func() { e.g.Go(task) }
}
func (e *egPool) Close() { _ = e.g.Wait() }

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

func (c *chanPool) Submitter(f func()) func() { return func() { c.ch <- f } }
func (c *chanPool) Close()                    { close(c.ch); c.wg.Wait() }

// Throughput submits n tasks doing work from GOMAXPROCS producers and waits
// for them all.
func Throughput(p Pool, n int, work func()) { ThroughputFrom(p, n, runtime.GOMAXPROCS(0), work) }

// ThroughputFrom is Throughput from procs producers.
func ThroughputFrom(p Pool, n, procs int, work func()) {
	var done sync.WaitGroup
	done.Add(n)
	submit := p.Submitter(func() { work(); done.Done() })
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
