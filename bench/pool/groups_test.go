package main

import (
	"context"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alitto/pond/v2"
	conciter "github.com/sourcegraph/conc/iter"
	concpool "github.com/sourcegraph/conc/pool"
	"golang.org/x/sync/errgroup"

	"github.com/sharc-go/sharc/workers"
)

// A fanOut runs one job: n tiny tasks (out[i] = xs[i]²) fanned out as a
// group with cancel-on-first-error, waited for together. Long-lived pools
// (sharc's, pond's) are made once, as a server would; errgroup and conc
// make their group per job, as they are meant to be used.
type fanOut struct {
	name string
	make func(procs int) (job func(ctx context.Context, xs, out []int) error, close func())
}

func square(xs, out []int, i int) { out[i] = xs[i] * xs[i] }

func fanOuts() []fanOut {
	return []fanOut{
		{"workers.Group", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := workers.NewPool(workers.Options{Workers: procs})
			return func(ctx context.Context, xs, out []int) error {
				g := workers.NewGroup(ctx, p, workers.GroupOptions{})
				for i := range xs {
					g.Go(func(context.Context) error { square(xs, out, i); return nil })
				}
				return g.Wait()
			}, p.CloseNow
		}},
		{"workers.Submit×N+Wait", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := workers.NewPool(workers.Options{Workers: procs})
			var tasks []*workers.Task[struct{}]
			return func(ctx context.Context, xs, out []int) error {
				tasks = tasks[:0]
				for i := range xs {
					t, err := workers.Submit(ctx, p, func(context.Context) (struct{}, error) { square(xs, out, i); return struct{}{}, nil })
					if err != nil {
						return err
					}
					tasks = append(tasks, t)
				}
				for _, t := range tasks {
					if _, err := t.Wait(ctx); err != nil {
						return err
					}
				}
				return nil
			}, p.CloseNow
		}},
		{"workers.Pool.Go+WaitGroup", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := workers.NewPool(workers.Options{Workers: procs})
			return func(ctx context.Context, xs, out []int) error {
				var wg sync.WaitGroup
				wg.Add(len(xs))
				for i := range xs {
					p.Go(ctx, func(context.Context) error { square(xs, out, i); wg.Done(); return nil }, nil)
				}
				wg.Wait()
				return nil
			}, p.CloseNow
		}},
		{"workers.ResultGroup", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := workers.NewPool(workers.Options{Workers: procs})
			return func(ctx context.Context, xs, out []int) error {
				g := workers.NewResultGroup[int](ctx, p, workers.GroupOptions{})
				for i := range xs {
					g.Go(func(context.Context) (int, error) { return xs[i] * xs[i], nil })
				}
				r, err := g.Wait()
				copy(out, r)
				return err
			}, p.CloseNow
		}},
		{"workers.Map", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := workers.NewPool(workers.Options{Workers: procs})
			return func(ctx context.Context, xs, out []int) error {
				r, err := workers.Map(ctx, p, xs, func(_ context.Context, x int) (int, error) { return x * x, nil })
				copy(out, r)
				return err
			}, p.CloseNow
		}},
		{"errgroup.WithContext+SetLimit", func(procs int) (func(context.Context, []int, []int) error, func()) {
			return func(ctx context.Context, xs, out []int) error {
				g, _ := errgroup.WithContext(ctx)
				g.SetLimit(procs)
				for i := range xs {
					g.Go(func() error { square(xs, out, i); return nil })
				}
				return g.Wait()
			}, func() {}
		}},
		{"conc pool ctx+CancelOnError", func(procs int) (func(context.Context, []int, []int) error, func()) {
			return func(ctx context.Context, xs, out []int) error {
				g := concpool.New().WithMaxGoroutines(procs).WithContext(ctx).WithCancelOnError()
				for i := range xs {
					g.Go(func(context.Context) error { square(xs, out, i); return nil })
				}
				return g.Wait()
			}, func() {}
		}},
		{"conc ResultContextPool", func(procs int) (func(context.Context, []int, []int) error, func()) {
			return func(ctx context.Context, xs, out []int) error {
				g := concpool.NewWithResults[int]().WithMaxGoroutines(procs).WithContext(ctx).WithCancelOnError()
				for i := range xs {
					g.Go(func(context.Context) (int, error) { return xs[i] * xs[i], nil })
				}
				r, err := g.Wait() // in completion order: conc does not keep submission order here
				copy(out, r)
				return err
			}, func() {}
		}},
		{"conc iter.MapErr", func(procs int) (func(context.Context, []int, []int) error, func()) {
			m := conciter.Mapper[int, int]{MaxGoroutines: procs}
			return func(ctx context.Context, xs, out []int) error {
				r, err := m.MapErr(xs, func(x *int) (int, error) { return *x * *x, nil })
				copy(out, r)
				return err
			}, func() {}
		}},
		{"pond NewGroupContext", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := pond.NewPool(procs)
			return func(ctx context.Context, xs, out []int) error {
				g := p.NewGroupContext(ctx)
				for i := range xs {
					g.SubmitErr(func() error { square(xs, out, i); return nil })
				}
				return g.Wait()
			}, p.StopAndWait
		}},
		{"pond ResultPool group", func(procs int) (func(context.Context, []int, []int) error, func()) {
			p := pond.NewResultPool[int](procs)
			return func(ctx context.Context, xs, out []int) error {
				g := p.NewGroupContext(ctx)
				for i := range xs {
					g.SubmitErr(func() (int, error) { return xs[i] * xs[i], nil })
				}
				r, err := g.Wait()
				copy(out, r)
				return err
			}, p.StopAndWait
		}},
	}
}

// TestFanOutsComputeEverything checks that each form computes every value,
// so the figures compare like with like.
func TestFanOutsComputeEverything(t *testing.T) {
	xs := make([]int, 1001)
	for i := range xs {
		xs[i] = i
	}
	for _, f := range fanOuts() {
		job, closeFn := f.make(runtime.GOMAXPROCS(0))
		out := make([]int, len(xs))
		if err := job(context.Background(), xs, out); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		closeFn()
		if f.name == "conc ResultContextPool" {
			slices.Sort(out)
		}
		for i, v := range out {
			if v != i*i {
				t.Fatalf("%s: out[%d] = %d", f.name, i, v)
			}
		}
	}
}

// BenchmarkGroupsPaired runs jobs of GROUP_TASKS tiny tasks (default 1000),
// GROUP_JOBS of them per measurement (default 10), through workers.Group
// and through each other form in back-to-back pairs (alternating which goes
// first), and reports per form the median of the per-pair time ratios
// other ÷ workers.Group (above 1: workers.Group is faster), with the
// range in the log. Each b.N iteration is one round of pairs. GROUP_REF
// names another reference form, GROUP_ONLY (a regexp) picks the others.
//
//	cd bench && go test -run '^$' -bench GroupsPaired -benchtime 15x -v ./pool/
//	cd bench && GROUP_REF=workers.Map GROUP_ONLY='MapErr|ResultGroup|pond ResultPool' go test -run '^$' -bench GroupsPaired -benchtime 15x -v ./pool/
func BenchmarkGroupsPaired(b *testing.B) {
	tasks, jobs := envInt("GROUP_TASKS", 1000), envInt("GROUP_JOBS", 10)
	fs := fanOuts()
	if ref := os.Getenv("GROUP_REF"); ref != "" {
		i := slices.IndexFunc(fs, func(f fanOut) bool { return f.name == ref })
		if i < 0 {
			b.Fatalf("GROUP_REF=%q names no form", ref)
		}
		fs[0], fs[i] = fs[i], fs[0]
	}
	if re := os.Getenv("GROUP_ONLY"); re != "" {
		fs = append(fs[:1], slices.DeleteFunc(fs[1:], func(f fanOut) bool { return !regexp.MustCompile(re).MatchString(f.name) })...)
	}
	procs := runtime.GOMAXPROCS(0)
	xs, out := make([]int, tasks), make([]int, tasks)
	for i := range xs {
		xs[i] = i
	}
	type live struct {
		job   func(context.Context, []int, []int) error
		close func()
	}
	ls := make([]live, len(fs))
	for i, f := range fs {
		ls[i].job, ls[i].close = f.make(procs)
		defer ls[i].close()
	}
	ctx := context.Background()
	once := func(l live) time.Duration {
		start := time.Now()
		for range jobs {
			if err := l.job(ctx, xs, out); err != nil {
				panic(err)
			}
		}
		return time.Since(start)
	}
	ratios := make([][]float64, len(fs))
	for i := range b.N {
		for j := 1; j < len(fs); j++ {
			var ref, other time.Duration
			if i%2 == 0 {
				ref, other = once(ls[0]), once(ls[j])
			} else {
				other, ref = once(ls[j]), once(ls[0])
			}
			ratios[j] = append(ratios[j], float64(other)/float64(ref))
		}
	}
	for j := 1; j < len(fs); j++ {
		r := ratios[j]
		slices.Sort(r)
		name := strings.ReplaceAll(fs[j].name, " ", "_")
		b.ReportMetric(r[len(r)/2], "x:"+name)
		b.Logf("%-32s ÷ %s, %d tasks: median %.2f, range %.2f–%.2f over %d pairs", fs[j].name, fs[0].name, tasks, r[len(r)/2], r[0], r[len(r)-1], len(r))
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkStreamPaired streams STREAM_ITEMS ints (default 100000) from a
// task to a consumer through workers.Stream (buffer 16) and through a
// hand-written goroutine and channel of the same capacity, in alternated
// pairs, and reports the median of the per-pair time ratios
// workers.Stream ÷ channel, with the range in the log.
//
//	cd bench && go test -run '^$' -bench StreamPaired -benchtime 15x -v ./pool/
func BenchmarkStreamPaired(b *testing.B) {
	items := envInt("STREAM_ITEMS", 100_000)
	p := workers.NewPool(workers.Options{})
	defer p.CloseNow()
	ctx := context.Background()
	viaStream := func() (sum int) {
		for v, err := range workers.Stream(ctx, p, func(ctx context.Context, yield func(int) bool) error {
			for i := range items {
				if !yield(i) {
					return ctx.Err()
				}
			}
			return nil
		}) {
			if err != nil {
				panic(err)
			}
			sum += v
		}
		return sum
	}
	viaChannel := func() (sum int) {
		ch := make(chan int, workers.DefaultStreamBuffer)
		go func() {
			defer close(ch)
			for i := range items {
				ch <- i
			}
		}()
		for v := range ch {
			sum += v
		}
		return sum
	}
	timed := func(f func() int) time.Duration {
		start := time.Now()
		if f() != items*(items-1)/2 {
			panic("wrong sum")
		}
		return time.Since(start)
	}
	var r []float64
	for i := range b.N {
		var s, c time.Duration
		if i%2 == 0 {
			s, c = timed(viaStream), timed(viaChannel)
		} else {
			c, s = timed(viaChannel), timed(viaStream)
		}
		r = append(r, float64(s)/float64(c))
	}
	slices.Sort(r)
	b.ReportMetric(r[len(r)/2], "x:Stream/channel")
	b.Logf("workers.Stream ÷ goroutine+channel, %d items: median %.2f, range %.2f–%.2f over %d pairs", items, r[len(r)/2], r[0], r[len(r)-1], len(r))
}
