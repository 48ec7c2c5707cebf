package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
	"github.com/sharc-go/sharc/workers/proc"
)

func init() {
	proc.Register("demo-ipc-echo", func(_ context.Context, arg []byte, _ []*shm.Region) ([]byte, error) { return arg, nil })
}

// ipcResult is one way of making a call, and its JSON line.
type ipcResult struct {
	Demo   string    `json:"demo"`
	Method string    `json:"method"`
	IdleUS float64   `json:"idle_us"` // the sleep before each call
	N      int       `json:"n"`       // round trips per round
	Pairs  int       `json:"pairs"`   // rounds, each side once per round
	P50US  float64   `json:"p50_us"`
	P99US  float64   `json:"p99_us"`
	MinUS  float64   `json:"best_p50_us"`
	Ratios []float64 `json:"ratios"` // per round: this method's p50 ÷ the queue's
	Ratio  float64   `json:"ratio_median"`
	RatioL float64   `json:"ratio_min"`
	RatioH float64   `json:"ratio_max"`
}

// ipcMethod makes one tiny call and waits for its answer.
type ipcMethod struct {
	name string
	call func(context.Context) error
}

// ipcMethods starts what each method needs; close stops it all.
func ipcMethods() (ms []ipcMethod, close func(), err error) {
	var closers []func()
	close = func() {
		for _, c := range closers {
			c()
		}
	}
	arg := []byte("ping")
	for _, socket := range []bool{false, true} {
		p, err := proc.NewPool(proc.Options{Workers: 1, Socket: socket})
		if err != nil {
			close()
			return nil, nil, err
		}
		closers = append(closers, p.CloseNow)
		name := "process worker, shm queues"
		if socket {
			name = "process worker, Unix socket"
		}
		ms = append(ms, ipcMethod{name, func(ctx context.Context) error {
			_, err := p.Call(ctx, "demo-ipc-echo", arg)
			return err
		}})
	}
	wp := workers.NewPool(workers.Options{Workers: 1})
	closers = append(closers, func() { wp.Close(context.Background()) })
	ms = append(ms, ipcMethod{"in-process workers.Pool", func(ctx context.Context) error {
		t, err := workers.Submit(ctx, wp, func(context.Context) ([]byte, error) { return arg, nil })
		if err != nil {
			return err
		}
		_, err = t.Wait(ctx)
		return err
	}})
	return ms, close, nil
}

// measureIPC times n round trips of each method per round, the methods
// taking turns within a round (in a rotating order) for pairs rounds, and
// compares each round's p50 with the queue's in the same round. With idle
// above 0 it sleeps that long before each call, so that the side that
// answers has gone to sleep and each round trip includes waking it.
func measureIPC(n, pairs int, idle time.Duration) ([]ipcResult, error) {
	ms, closeAll, err := ipcMethods()
	if err != nil {
		return nil, err
	}
	defer closeAll()
	ctx := context.Background()
	for _, m := range ms { // warm up
		for range 200 {
			if err := m.call(ctx); err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
		}
	}
	p50s := make([][]float64, len(ms))
	all := make([][]float64, len(ms))
	lat := make([]float64, n)
	for round := range pairs {
		for k := range ms {
			i := (k + round) % len(ms)
			for j := range n {
				if idle > 0 {
					time.Sleep(idle)
				}
				t0 := time.Now()
				if err := ms[i].call(ctx); err != nil {
					return nil, fmt.Errorf("%s: %w", ms[i].name, err)
				}
				lat[j] = float64(time.Since(t0).Nanoseconds()) / 1e3
			}
			all[i] = append(all[i], lat...)
			slices.Sort(lat)
			p50s[i] = append(p50s[i], lat[n/2])
		}
	}
	out := make([]ipcResult, len(ms))
	for i, m := range ms {
		ratios := make([]float64, pairs)
		for r := range pairs {
			ratios[r] = p50s[i][r] / p50s[0][r]
		}
		sorted := slices.Sorted(slices.Values(ratios))
		slices.Sort(all[i])
		out[i] = ipcResult{
			Demo: "ipc", Method: m.name, IdleUS: float64(idle.Nanoseconds()) / 1e3, N: n, Pairs: pairs,
			P50US: median(p50s[i]), P99US: all[i][len(all[i])*99/100], MinUS: slices.Min(p50s[i]),
			Ratios: ratios, Ratio: median(ratios), RatioL: sorted[0], RatioH: sorted[len(sorted)-1],
		}
	}
	return out, nil
}

func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runIPC(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ipc", stderr)
	n := fs.Int("n", 2000, "round trips per method per round (200 with -idle, unless given)")
	pairs := fs.Int("pairs", 7, "rounds; each method runs once per round, in a rotating order")
	idle := fs.Duration("idle", 0, "sleep this long before each call, so that the worker has gone to sleep (1ms does it); 0: calls back to back")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *idle < 0 || *idle > time.Second {
		return badFlag("-idle must be in 0..1s, got %v", *idle)
	}
	if *idle > 0 && !flagSet(fs, "n") {
		*n = 200
	}
	if err := inRange("n", *n, 10, 1_000_000); err != nil {
		return err
	}
	if err := inRange("pairs", *pairs, 1, 101); err != nil {
		return err
	}
	res, err := measureIPC(*n, *pairs, *idle)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLines(stdout, res)
	}
	fmt.Fprintf(stdout, "Round trip of a tiny call (4 bytes there and back), %d per method per round, %d rounds;\n", *n, *pairs)
	if *idle > 0 {
		fmt.Fprintf(stdout, "each after %v of idle, so the worker has gone to sleep and the round trip includes its wake-up;\n", *idle)
	}
	fmt.Fprintln(stdout, "× queue: each round's p50 ÷ the shm queue's p50 in the same round (median, min–max).")
	printIPCTable(stdout, res)
	return nil
}

func printIPCTable(w io.Writer, res []ipcResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tp50 µs\tp99 µs\t× queue\trange\t")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.2f\t%.2f–%.2f\t\n", r.Method, r.P50US, r.P99US, r.Ratio, r.RatioL, r.RatioH)
	}
	tw.Flush()
}

func tourIPC(w io.Writer) error {
	fmt.Fprintln(w, "A call to a process worker goes through two queues in shared memory: the waiting")
	fmt.Fprintln(w, "side spins for a few µs, then sleeps on a futex. The same call through the child's")
	fmt.Fprintln(w, "Unix socket, and a task on an in-process pool, side by side:")
	fmt.Fprintln(w)
	res, err := measureIPC(500, 3, 0)
	if err != nil {
		return err
	}
	printIPCTable(w, res)
	fmt.Fprintln(w, "\nMore rounds and -json: go run ./cmd/demo ipc")
	return nil
}
