package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// The task functions of the processes demo. They are registered in every
// run of the binary, so a re-executed child finds them by name.
func init() {
	proc.Register("demo-sum-range", sumRangeTask)
	proc.Register("demo-echo", func(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
		return arg, nil
	})
	proc.Register("demo-spin", func(ctx context.Context, arg []byte, _ []*shm.Region) ([]byte, error) {
		if len(arg) == 8 {
			spin(time.Duration(binary.LittleEndian.Uint64(arg)) * time.Microsecond)
		}
		return nil, nil
	})
	proc.Register("demo-first-word", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		v, err := shm.View[uint64](rs[0], 0, 1)
		if err != nil {
			return nil, err
		}
		var w uint64
		if err := shm.Guard(func() { w = v[0] }); err != nil {
			return nil, err
		}
		return binary.LittleEndian.AppendUint64(nil, w), nil
	})
}

// sumRangeTask sums xs[lo:hi] of the float64 region. A third word of 1 makes
// it kill its own process halfway, to show what a crash costs.
func sumRangeTask(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
	if len(arg) != 24 || len(rs) != 1 {
		return nil, errors.New("want lo, hi, crash and one region")
	}
	lo := int(binary.LittleEndian.Uint64(arg))
	hi := int(binary.LittleEndian.Uint64(arg[8:]))
	crash := binary.LittleEndian.Uint64(arg[16:]) == 1
	xs, err := shm.View[float64](rs[0], 0, rs[0].Len()/8)
	if err != nil {
		return nil, err
	}
	if lo < 0 || hi > len(xs) || lo > hi {
		return nil, fmt.Errorf("range [%d, %d) outside %d elements", lo, hi, len(xs))
	}
	if crash {
		hi = lo + (hi-lo)/2 // sum half, then die
	}
	var s float64
	// A region handed over by another process: a shrink faults, and Guard
	// turns the fault into shm.ErrTruncated for this call alone.
	if err := shm.Guard(func() {
		for _, x := range xs[lo:hi] {
			s += x
		}
	}); err != nil {
		return nil, err
	}
	if crash {
		if self, err := os.FindProcess(os.Getpid()); err == nil {
			self.Kill() // SIGKILL on Unix: nothing in the child can intercept it
		}
		time.Sleep(time.Minute)
	}
	return binary.LittleEndian.AppendUint64(nil, math.Float64bits(s)), nil
}

type processesResult struct {
	Elements    int     `json:"elements"`
	Workers     int     `json:"workers"`
	Chunks      int     `json:"chunks"`
	ProcessesMs float64 `json:"processes_ms"`
	// ProcessesAgainMs is a second pass: the children kept the mapping.
	ProcessesAgainMs float64 `json:"processes_again_ms"`
	GoroutinesMs     float64 `json:"goroutines_ms"`
	ProcessesSum     float64 `json:"processes_sum"`
	GoroutinesSum    float64 `json:"goroutines_sum"`
	SameAnswer       bool    `json:"same_answer"`
	Crashes          int     `json:"crashes"`
	CrashNote        string  `json:"crash_note,omitempty"`
	TinyRTp50us      float64 `json:"tiny_task_rt_us_p50"`
	HandoffP50us     float64 `json:"region_handoff_rt_us_p50"`
	HandoffBytes     int     `json:"region_handoff_bytes"`
}

func runProcesses(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("processes", stderr)
	n := fs.Int("n", 1<<25, "float64 elements in the region (1<<25 = 256 MiB)")
	workers := fs.Int("workers", 2, "child processes and goroutines")
	crash := fs.Bool("crash", false, "kill one child mid-run; the run must still give the right answer")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := atLeast("n", *n, 1); err != nil {
		return err
	}
	if err := inRange("workers", *workers, 1, 256); err != nil {
		return err
	}
	res, err := processesDemo(*n, *workers, *crash)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	printProcesses(stdout, res)
	return nil
}

func processesDemo(n, workers int, crash bool) (processesResult, error) {
	res := processesResult{Elements: n, Workers: workers, Chunks: 4 * workers}
	r, err := shm.Options{Populate: true}.New(8 * n)
	if err != nil {
		return res, err
	}
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, n)
	for i := range xs {
		xs[i] = rand.Float64()
	}
	pool, err := proc.NewPool(proc.Options{Workers: workers})
	if err != nil {
		return res, err
	}
	defer pool.CloseNow()

	chunks := res.Chunks
	bounds := func(c int) (int, int) { return c * n / chunks, (c + 1) * n / chunks }
	partial := make([]float64, chunks)
	var crashMu sync.Mutex
	var wg sync.WaitGroup
	// inChildren sums the chunks in the children; with crash, the child
	// summing chunk 0 kills itself halfway and the chunk is retried.
	inChildren := func(crash bool) (float64, error) {
		errs := make(chan error, chunks)
		for c := range chunks {
			wg.Go(func() {
				lo, hi := bounds(c)
				die := uint64(0)
				if crash && c == 0 {
					die = 1
				}
				for attempt := 0; ; attempt++ {
					arg := binary.LittleEndian.AppendUint64(nil, uint64(lo))
					arg = binary.LittleEndian.AppendUint64(arg, uint64(hi))
					arg = binary.LittleEndian.AppendUint64(arg, die)
					out, err := pool.Call(context.Background(), "demo-sum-range", arg, proc.Share(r))
					if errors.Is(err, proc.ErrWorkerDied) && attempt == 0 {
						crashMu.Lock()
						res.Crashes++
						res.CrashNote = fmt.Sprintf("chunk %d: %v; retried on a replacement child", c, err)
						crashMu.Unlock()
						die = 0
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					partial[c] = math.Float64frombits(binary.LittleEndian.Uint64(out))
					return
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return 0, err
		}
		var sum float64
		for _, p := range partial {
			sum += p
		}
		return sum, nil
	}
	start := time.Now()
	if res.ProcessesSum, err = inChildren(crash); err != nil {
		return res, err
	}
	res.ProcessesMs = ms(time.Since(start))
	// Again: each child kept the region mapped, with the pages it touched.
	start = time.Now()
	again, err := inChildren(false)
	if err != nil {
		return res, err
	}
	res.ProcessesAgainMs = ms(time.Since(start))
	if again != res.ProcessesSum {
		return res, fmt.Errorf("second pass in the children summed to %v, first to %v", again, res.ProcessesSum)
	}

	// The same chunks on goroutines, added in the same order: the same bits.
	start = time.Now()
	sem := make(chan struct{}, workers)
	for c := range chunks {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			lo, hi := bounds(c)
			var s float64
			for _, x := range xs[lo:hi] {
				s += x
			}
			partial[c] = s
		})
	}
	wg.Wait()
	res.GoroutinesMs = ms(time.Since(start))
	for _, p := range partial {
		res.GoroutinesSum += p
	}
	res.SameAnswer = res.ProcessesSum == res.GoroutinesSum

	// Round trips: a tiny task, and a whole region handed over for a
	// one-word answer (no bytes copied, so it costs about the same).
	res.TinyRTp50us = p50us(200, func() error {
		_, err := pool.Call(context.Background(), "demo-echo", []byte("ping"))
		return err
	})
	res.HandoffBytes = r.Len()
	res.HandoffP50us = p50us(200, func() error {
		_, err := pool.Call(context.Background(), "demo-first-word", nil, proc.Share(r))
		return err
	})
	return res, pool.Close(context.Background())
}

func p50us(rounds int, f func() error) float64 {
	d := make([]time.Duration, 0, rounds)
	for range rounds {
		start := time.Now()
		if f() != nil {
			return math.NaN()
		}
		d = append(d, time.Since(start))
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[len(d)/2].Nanoseconds()) / 1000
}

func printProcesses(w io.Writer, res processesResult) {
	fmt.Fprintf(w, "sum of %d float64s (%d MiB region, shared by fd, nothing copied) in %d chunks:\n", res.Elements, res.Elements*8>>20, res.Chunks)
	fmt.Fprintf(w, "  %d child processes: %.1f ms, sum %.6f\n", res.Workers, res.ProcessesMs, res.ProcessesSum)
	fmt.Fprintf(w, "  again in the children (they kept the mapping and its pages): %.1f ms\n", res.ProcessesAgainMs)
	fmt.Fprintf(w, "  %d goroutines:      %.1f ms, sum %.6f\n", res.Workers, res.GoroutinesMs, res.GoroutinesSum)
	fmt.Fprintf(w, "  same answer, bit for bit: %v\n", res.SameAnswer)
	if res.Crashes > 0 {
		fmt.Fprintf(w, "  crash: %s\n", res.CrashNote)
	}
	fmt.Fprintf(w, "round trip to a child, median: tiny task %.0f µs; %d MiB region handed over for a one-word answer %.0f µs\n",
		res.TinyRTp50us, res.HandoffBytes>>20, res.HandoffP50us)
}

func tourProcesses(w io.Writer) error {
	fmt.Fprintln(w, "Process workers run tasks in child processes that map the same region: a crash kills")
	fmt.Fprintln(w, "one child, not the program. Here one child is SIGKILLed mid-task; its chunk is retried.")
	res, err := processesDemo(1<<22, 2, true)
	if err != nil {
		return err
	}
	printProcesses(w, res)
	return nil
}
