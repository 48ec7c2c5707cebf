package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sharc-go/sharc/kernels"
	"github.com/sharc-go/sharc/workers"
)

// kernelBytes is the memory each kernel touches per element.
var kernelBytes = map[string]float64{"sum": 8, "dot": 16, "axpy": 24}

// kernelTables compares kernels.SumOn, DotOn and AxpyOn on a team with C
// (bench/kernels/stream.c, OpenMP) and Node.js (bench/node/kernels, worker
// threads over a SharedArrayBuffer), the same threads each.
func kernelTables(e *env) ([]table, error) {
	// In cache (2^14 to 2^17 float64: 128 KiB to 1 MiB a vector), where
	// the fork-join's cost decides, and from memory (2^26: 512 MiB).
	sizes := []int{1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 26}
	if e.quick {
		sizes = []int{1 << 14, 1 << 17, 1 << 20}
	}
	if e.noPeers {
		return nil, nil // every peer here is C or Node.js
	}
	var c string
	if have("gcc") {
		var err error
		c, err = cachedBuild(e, "stream", []string{"kernels/stream.c"}, func(out string) []string {
			return []string{"gcc", "-O3", "-march=native", "-ffast-math", "-fopenmp", "kernels/stream.c", "-o", out}
		})
		if err != nil {
			e.note("C/OpenMP kernels skipped: %v", firstLine(err))
			c = ""
		}
	} else {
		e.note("C/OpenMP kernels skipped: gcc not installed (apt-get install -y gcc)")
	}
	node := have("node")
	if !node {
		e.note("Node.js kernels skipped: node not installed")
	}
	tc := table{Section: "kernels", Title: "sum, dot, axpy vs C/OpenMP",
		About: fmt.Sprintf("float64, %d threads each: kernels.SumOn/DotOn/AxpyOn on a workers.Team vs bench/kernels/stream.c (gcc -O3 -march=native -ffast-math -fopenmp). Each round is one run of each program on vectors of its own (sharc maps fresh ones each round, as each run of stream.c allocates its own): the best of r calls per kernel (r = 5 at 2^26, more for small n), so the in-cache rows include the fork-join cost.", e.threads)}
	tn := table{Section: "kernels", Title: "sum, dot vs Node.js worker_threads",
		About: fmt.Sprintf("float64, %d threads each: kernels.SumOn/DotOn vs bench/node/kernels/kernels.mjs (persistent worker_threads over a SharedArrayBuffer, Atomics.wait/notify per call). Best of r calls per round as above.", e.threads)}
	for _, n := range sizes {
		reps := min(max(5, (1<<24)/n), 2000)
		label := fmt.Sprintf("2^%d", log2(n))
		a := sharcKernelSide(e.threads, n, reps)
		conv := func(k string, gbs float64) float64 { return kernelBytes[k] * float64(n) / gbs }
		if c != "" {
			b := command("C/OpenMP", []string{"OMP_NUM_THREADS=" + strconv.Itoa(e.threads)}, conv, c, strconv.Itoa(n), strconv.Itoa(reps))
			var rows []row
			for _, k := range []string{"sum", "dot", "axpy"} {
				rows = append(rows, row{k + " " + label, k, k})
			}
			rs, err := runPairs(comparison{a: a, b: b, rows: rows}, e.pairs)
			if err != nil {
				return nil, err
			}
			tc.Results = append(tc.Results, rs...)
		}
		if node {
			b := command("Node.js", nil, conv, "node", e.bench+"/node/kernels/kernels.mjs", "-n", strconv.Itoa(n), "-workers", strconv.Itoa(e.threads), "-reps", strconv.Itoa(reps))
			rows := []row{{"sum " + label, "sum", "sum"}, {"dot " + label, "dot", "dot"}}
			rs, err := runPairs(comparison{a: a, b: b, rows: rows}, e.pairs)
			if err != nil {
				return nil, err
			}
			tn.Results = append(tn.Results, rs...)
		}
	}
	var out []table
	for _, t := range []table{tc, tn} {
		if len(t.Results) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// sharcKernelSide times the best of reps calls of each kernel per round,
// as stream.c does. Each round gets fresh memory, mapped for it and
// unmapped after it, as each run of a peer's process does: the time
// depends on which physical pages the vectors got (at 2^26 by a tenth or
// more on a VM; Dot on 2^15 float64, on the caller alone, by up to a
// third), and vectors kept for every round of a comparison would carry
// one allocation's luck into all of its pairs. spreadPages makes the
// pages differ from round to round for small vectors too.
func sharcKernelSide(threads, n, reps int) side {
	var team *workers.Team
	s := side{name: "sharc", close: func() {
		if team != nil {
			team.Close()
			team = nil
		}
	}}
	s.run = func() (map[string]float64, error) {
		if team == nil {
			team = workers.NewTeam(threads)
		}
		release, err := spreadPages()
		if err != nil {
			return nil, err
		}
		defer release() // after the vectors are unmapped
		x, freeX, err := mapSlice[float64](n)
		if err != nil {
			return nil, err
		}
		defer freeX()
		y, freeY, err := mapSlice[float64](n)
		if err != nil {
			return nil, err
		}
		defer freeY()
		team.For(n, 1<<16, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				x[i], y[i] = float64(i%7)*0.25, float64(i%5)*0.5
			}
		})
		best := func(f func()) float64 {
			b := time.Hour
			for range reps {
				t := time.Now()
				f()
				b = min(b, time.Since(t))
			}
			return float64(b.Nanoseconds())
		}
		var sink float64
		m := map[string]float64{
			"sum":  best(func() { sink += kernels.SumOn(team, x) }),
			"dot":  best(func() { sink += kernels.DotOn(team, x, y) }),
			"axpy": best(func() { kernels.AxpyOn(team, 1e-12, x, y) }),
		}
		_ = sink
		return m, nil
	}
	return s
}
