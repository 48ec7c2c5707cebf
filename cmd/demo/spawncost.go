package main

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/sharc-go/sharc/workers"
	"github.com/sharc-go/sharc/workers/proc"
)

// spawnChildMarker is the SHARC_DEMO_CHILD value of a spawn-cost child: it
// does the task (SHARC_DEMO_SPIN_US of CPU, or nothing) and exits.
const spawnChildMarker = "spawn-noop"

func runSpawnChild() {
	if us, _ := strconv.Atoi(os.Getenv("SHARC_DEMO_SPIN_US")); us > 0 {
		spin(time.Duration(us) * time.Microsecond)
	}
	os.Exit(0)
}

// spin burns CPU for d: the "100 µs CPU task".
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

// spawnResult is one row of spawn-cost, and its JSON line.
type spawnResult struct {
	Demo      string  `json:"demo"`
	Method    string  `json:"method"`
	Task      string  `json:"task"`
	TaskUS    float64 `json:"task_us"`
	N         int     `json:"n"`
	Seconds   float64 `json:"seconds"`
	PerTaskUS float64 `json:"per_task_us"` // wall time ÷ n, all cores
	TasksPerS float64 `json:"tasks_per_s"`
	Overhead  float64 `json:"overhead_us"` // per-task cost beyond the work itself, per core
}

type spawnMethod struct {
	name  string
	scale int // n is divided by this (processes are slow)
	run   func(n int, task func()) error
}

func spawnMethods(taskSpin time.Duration) []spawnMethod {
	return []spawnMethod{
		{"goroutine per task", 1, func(n int, task func()) error {
			var wg sync.WaitGroup
			wg.Add(n)
			for range n {
				go func() { task(); wg.Done() }()
			}
			wg.Wait()
			return nil
		}},
		{"locked OS thread per task", 10, func(n int, task func()) error {
			// A goroutine that exits while locked takes its thread with it,
			// so each task gets (and pays for) a fresh OS thread.
			var wg sync.WaitGroup
			wg.Add(n)
			for range n {
				go func() {
					runtime.LockOSThread()
					task()
					wg.Done()
				}()
			}
			wg.Wait()
			return nil
		}},
		{"OS process per task", 200, func(n int, _ func()) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			env := append(os.Environ(), "SHARC_DEMO_CHILD="+spawnChildMarker,
				fmt.Sprintf("SHARC_DEMO_SPIN_US=%d", taskSpin.Microseconds()))
			// As many children at a time as there are cores.
			sem := make(chan struct{}, runtime.GOMAXPROCS(0))
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(exe)
					cmd.Env = env
					if err := cmd.Run(); err != nil {
						errs <- err
					}
					<-sem
				}()
			}
			wg.Wait()
			close(errs)
			return <-errs
		}},
		{"workers.Pool", 1, func(n int, task func()) error {
			p := workers.NewPool(workers.Options{})
			var wg sync.WaitGroup
			wg.Add(n)
			fn := func(context.Context) error { task(); wg.Done(); return nil }
			for range n {
				if err := p.Go(context.Background(), fn, nil); err != nil {
					return err
				}
			}
			wg.Wait()
			return p.Close(context.Background())
		}},
		{"process worker (workers/proc)", 20, func(n int, _ func()) error {
			// Includes starting the children once (spawn + ready), then
			// a round trip per task over their sockets.
			p, err := proc.NewPool(proc.Options{})
			if err != nil {
				return err
			}
			defer p.CloseNow()
			arg := binary.LittleEndian.AppendUint64(nil, uint64(taskSpin.Microseconds()))
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, runtime.GOMAXPROCS(0))
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for next.Add(1) <= int64(n) {
						if _, err := p.Call(context.Background(), "demo-spin", arg); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				return err
			}
			return p.Close(context.Background())
		}},
		{"workers.Team For", 1, func(n int, task func()) error {
			// One fork-join loop over all the tasks: no per-task handle at
			// all, the floor for work that is known up front.
			t := workers.NewTeam(0)
			defer t.Close()
			t.For(n, 1, func(lo, hi int) {
				for range hi - lo {
					task()
				}
			})
			return nil
		}},
	}
}

func measureSpawnCost(n int) ([]spawnResult, error) {
	var sink atomic.Int64
	tasks := []struct {
		name string
		d    time.Duration
		fn   func()
		div  int
	}{
		{"tiny", 0, func() { sink.Add(1) }, 1},
		{"100µs CPU", 100 * time.Microsecond, func() { spin(100 * time.Microsecond) }, 10},
	}
	procs := float64(runtime.GOMAXPROCS(0))
	var out []spawnResult
	for _, tk := range tasks {
		for _, m := range spawnMethods(tk.d) {
			k := max(n/tk.div/m.scale, 10)
			start := time.Now()
			if err := m.run(k, tk.fn); err != nil {
				return nil, fmt.Errorf("%s: %w", m.name, err)
			}
			el := time.Since(start)
			per := el.Seconds() * 1e6 / float64(k)
			out = append(out, spawnResult{
				Demo: "spawn-cost", Method: m.name, Task: tk.name,
				TaskUS: float64(tk.d.Microseconds()), N: k, Seconds: el.Seconds(),
				PerTaskUS: per, TasksPerS: float64(k) / el.Seconds(),
				Overhead: max(per*procs-float64(tk.d.Microseconds()), 0),
			})
		}
	}
	return out, nil
}

func runSpawnCost(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("spawn-cost", stderr)
	n := fs.Int("n", 100000, "tiny tasks per method (CPU tasks: n/10; threads: ÷10 more; processes: ÷200 more)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := atLeast("n", *n, 1); err != nil {
		return err
	}
	res, err := measureSpawnCost(*n)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLines(stdout, res)
	}
	printSpawnTable(stdout, res)
	return nil
}

func printSpawnTable(w io.Writer, res []spawnResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "task\tmethod\tn\ttasks/s\twall µs/task\toverhead µs/task/core\t")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t\n", r.Task, r.Method, r.N, r.TasksPerS, r.PerTaskUS, r.Overhead)
	}
	tw.Flush()
}

// printSpawnSummary says, from res alone, what each way of running a 100 µs
// task costs beyond the task, as a multiple of the task itself.
func printSpawnSummary(w io.Writer, res []spawnResult) {
	var cpu []spawnResult
	for _, r := range res {
		if r.TaskUS > 0 {
			cpu = append(cpu, r)
		}
	}
	if len(cpu) == 0 {
		return
	}
	slices.SortStableFunc(cpu, func(a, b spawnResult) int { return cmp.Compare(b.Overhead, a.Overhead) })
	fmt.Fprintf(w, "Overhead beyond a %.0f µs task, in units of the task, this run:\n", cpu[0].TaskUS)
	for _, r := range cpu {
		fmt.Fprintf(w, "  %-30s %9.2f×\n", r.Method, r.Overhead/r.TaskUS)
	}
}

func tourSpawnCost(w io.Writer) error {
	fmt.Fprintln(w, "What does creating a worker cost next to the work it does? Same tasks, six ways")
	fmt.Fprintf(w, "(%d cores; overhead = wall time × cores ÷ tasks − task time):\n\n", runtime.GOMAXPROCS(0))
	res, err := measureSpawnCost(5000)
	if err != nil {
		return err
	}
	printSpawnTable(w, res)
	fmt.Fprintln(w)
	printSpawnSummary(w, res)
	fmt.Fprintln(w, "Run 'demo spawn-cost -json' for more tasks and the full figures.")
	return nil
}
