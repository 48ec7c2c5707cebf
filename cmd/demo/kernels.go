package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/sharc-go/sharc/kernels"
	"github.com/sharc-go/sharc/workers"
)

// kernelResult is one line of `demo kernels -json`.
type kernelResult struct {
	Kernel    string  `json:"kernel"`
	Type      string  `json:"type"`
	N         int     `json:"n"`
	Workers   int     `json:"workers"`
	Ns        int64   `json:"ns"`
	GBPerS    float64 `json:"gb_per_s"`
	GFlops    float64 `json:"gflops"`
	Speedup   float64 `json:"speedup"`
	SpeedupV1 float64 `json:"speedup_vs_1"`
	VsPlainGo float64 `json:"vs_plain_go"`
	OK        bool    `json:"ok"`
}

// kernelCase is one kernel measured by the demo: run on a team, the plain Go
// loop it replaces (also the correctness reference), and a check.
type kernelCase struct {
	kernel, typ string
	n           int
	bytes       float64 // bytes moved per call
	flops       float64 // for MatMul
	run         func(t *workers.Team)
	plain       func()
	ok          func() bool
}

func runKernels(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("kernels", stderr)
	n := fs.Int("n", 1<<24, "elements per vector (MatMul: a square matrix of min(1024, sqrt(n)/2) rows)")
	w := fs.Int("workers", runtime.GOMAXPROCS(0), "workers in the parallel team")
	asJSON := fs.Bool("json", false, "print one JSON object per kernel")
	reps := fs.Int("reps", 3, "timed runs per kernel; the best counts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"n", *n}, {"workers", *w}, {"reps", *reps}} {
		if err := atLeast(f.name, f.v, 1); err != nil {
			return err
		}
	}
	res, err := measureKernels(*n, *w, *reps, kernelCases(*n))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSONLines(stdout, res)
	}
	printKernelTable(stdout, res)
	return nil
}

func printKernelTable(w io.Writer, res []kernelResult) {
	fmt.Fprintf(w, "%-10s %-8s %10s %8s %12s %12s %9s %14s %12s  %s\n",
		"kernel", "type", "n", "workers", "time", "1-worker", "speedup", "rate", "x plain Go", "check")
	for _, r := range res {
		one := time.Duration(float64(r.Ns) * r.Speedup)
		rate := fmt.Sprintf("%.1f GB/s", r.GBPerS)
		switch {
		case r.GFlops > 0:
			rate = fmt.Sprintf("%.1f GF/s", r.GFlops)
		case r.Kernel == "sort":
			// Bytes per second says little about a sort; keys do.
			rate = fmt.Sprintf("%.1f Mkey/s", float64(r.N)/float64(r.Ns)*1e3)
		}
		ok := "ok"
		if !r.OK {
			ok = "MISMATCH"
		}
		fmt.Fprintf(w, "%-10s %-8s %10d %8d %12v %12v %8.2fx %14s %11.2fx  %s\n",
			r.Kernel, r.Type, r.N, r.Workers, time.Duration(r.Ns).Round(time.Microsecond),
			one.Round(time.Microsecond), r.Speedup, rate, r.VsPlainGo, ok)
	}
}

func measureKernels(n, w, reps int, cases []kernelCase) ([]kernelResult, error) {
	one, many := workers.NewTeam(1), workers.NewTeam(w)
	defer one.Close()
	defer many.Close()
	best := func(f func()) time.Duration {
		b := time.Duration(math.MaxInt64)
		for range reps {
			s := time.Now()
			f()
			b = min(b, time.Since(s))
		}
		return max(b, time.Nanosecond)
	}
	var out []kernelResult
	for _, c := range cases {
		ok := c.ok()
		tMany := best(func() { c.run(many) })
		tOne := best(func() { c.run(one) })
		tPlain := best(c.plain)
		r := kernelResult{
			Kernel: c.kernel, Type: c.typ, N: c.n, Workers: w, Ns: tMany.Nanoseconds(),
			GBPerS:    c.bytes / tMany.Seconds() / 1e9,
			Speedup:   tOne.Seconds() / tMany.Seconds(),
			VsPlainGo: tPlain.Seconds() / tMany.Seconds(),
			OK:        ok,
		}
		r.SpeedupV1 = r.Speedup
		if c.flops > 0 {
			r.GFlops = c.flops / tMany.Seconds() / 1e9
		}
		out = append(out, r)
	}
	return out, nil
}

func close64(a, b, rel float64) bool { return math.Abs(a-b) <= rel*(math.Abs(a)+math.Abs(b)+1) }

func kernelCases(n int) []kernelCase {
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = r.Float64()-0.5, r.Float64()-0.5
	}
	x32 := make([]float32, n)
	for i := range x32 {
		x32[i] = float32(x[i])
	}
	ints := make([]int64, n)
	for i := range ints {
		ints[i] = int64(r.Uint64())
	}
	dst := make([]float64, n)
	plainSum := func(v []float64) (s float64) {
		for _, e := range v {
			s += e
		}
		return s
	}
	plainDot := func() (s float64) {
		for i := range x {
			s += x[i] * y[i]
		}
		return s
	}
	var sink float64
	nf := float64(n)
	m := min(1024, max(8, int(math.Sqrt(float64(n)))/2))
	a, b, c := make([]float64, m*m), make([]float64, m*m), make([]float64, m*m)
	copy(a, x)
	copy(b, y)
	sorted := make([]float64, n)
	sortedInts := make([]int64, n)
	return []kernelCase{
		{kernel: "sum", typ: "float64", n: n, bytes: 8 * nf,
			run:   func(t *workers.Team) { sink += kernels.SumOn(t, x) },
			plain: func() { sink += plainSum(x) },
			ok:    func() bool { return close64(kernels.Sum(x), plainSum(x), 1e-9) }},
		{kernel: "sum", typ: "float32", n: n, bytes: 4 * nf,
			run: func(t *workers.Team) { sink += float64(kernels.SumOn(t, x32)) },
			plain: func() {
				var s float32
				for _, v := range x32 {
					s += v
				}
				sink += float64(s)
			},
			ok: func() bool { return close64(float64(kernels.Sum(x32)), plainSum(x), 1e-3) }},
		{kernel: "dot", typ: "float64", n: n, bytes: 16 * nf,
			run:   func(t *workers.Team) { sink += kernels.DotOn(t, x, y) },
			plain: func() { sink += plainDot() },
			ok:    func() bool { return close64(kernels.Dot(x, y), plainDot(), 1e-9) }},
		{kernel: "axpy", typ: "float64", n: n, bytes: 24 * nf,
			run: func(t *workers.Team) { kernels.AxpyOn(t, 1e-12, x, dst) },
			plain: func() {
				for i := range x {
					dst[i] += 1e-12 * x[i]
				}
			},
			ok: func() bool {
				d := slices.Clone(y)
				kernels.Axpy(2, x, d)
				for i := range d {
					if !close64(d[i], y[i]+2*x[i], 1e-14) {
						return false
					}
				}
				return true
			}},
		{kernel: "add", typ: "float64", n: n, bytes: 24 * nf,
			run: func(t *workers.Team) { kernels.AddOn(t, dst, x, y) },
			plain: func() {
				for i := range x {
					dst[i] = x[i] + y[i]
				}
			},
			ok: func() bool { kernels.Add(dst, x, y); return dst[n-1] == x[n-1]+y[n-1] && dst[0] == x[0]+y[0] }},
		{kernel: "max", typ: "float64", n: n, bytes: 8 * nf,
			run:   func(t *workers.Team) { sink += kernels.MaxOn(t, x) },
			plain: func() { sink += slices.Max(x) },
			ok:    func() bool { return kernels.Max(x) == slices.Max(x) }},
		{kernel: "prefixsum", typ: "float64", n: n, bytes: 16 * nf,
			run: func(t *workers.Team) { kernels.PrefixSumOn(t, dst, x) },
			plain: func() {
				var s float64
				for i, v := range x {
					s += v
					dst[i] = s
				}
			},
			ok: func() bool { kernels.PrefixSum(dst, x); return close64(dst[n-1], plainSum(x), 1e-9) }},
		{kernel: "sort", typ: "float64", n: n, bytes: 8 * nf,
			run:   func(t *workers.Team) { copy(sorted, x); kernels.SortOn(t, sorted) },
			plain: func() { copy(sorted, x); slices.Sort(sorted) },
			ok: func() bool {
				copy(sorted, x)
				kernels.Sort(sorted)
				want := slices.Clone(x)
				slices.Sort(want)
				return slices.Equal(want, sorted)
			}},
		{kernel: "sort", typ: "int64", n: n, bytes: 8 * nf,
			run:   func(t *workers.Team) { copy(sortedInts, ints); kernels.SortOn(t, sortedInts) },
			plain: func() { copy(sortedInts, ints); slices.Sort(sortedInts) },
			ok: func() bool {
				copy(sortedInts, ints)
				kernels.Sort(sortedInts)
				want := slices.Clone(ints)
				slices.Sort(want)
				return slices.Equal(want, sortedInts)
			}},
		{kernel: "matmul", typ: "float64", n: m, bytes: 3 * 8 * float64(m*m), flops: 2 * float64(m) * float64(m) * float64(m),
			run: func(t *workers.Team) { kernels.MatMulOn(t, c, a, b, m, m, m) },
			plain: func() { // the i-p-j loop a careful Go programmer writes
				for i := range m {
					ci := c[i*m : i*m+m]
					clear(ci)
					for p := range m {
						aip, bp := a[i*m+p], b[p*m:p*m+m]
						for j := range ci {
							ci[j] += aip * bp[j]
						}
					}
				}
			},
			ok: func() bool {
				kernels.MatMul(c, a, b, m, m, m)
				for _, ij := range [][2]int{{0, 0}, {m - 1, m - 1}, {m / 2, 3}} {
					var s float64
					for p := range m {
						s += a[ij[0]*m+p] * b[p*m+ij[1]]
					}
					if !close64(s, c[ij[0]*m+ij[1]], 1e-12) {
						return false
					}
				}
				return true
			}},
	}
}

func tourKernels(w io.Writer) error {
	const n = 1 << 21
	workersN := runtime.GOMAXPROCS(0)
	fmt.Fprintf(w, "kernels.Sum/Dot/Axpy/Sort on %d-element slices, %d workers vs 1, best of 3.\n", n, workersN)
	fmt.Fprintln(w, "'x plain Go' = time of the hand-written Go loop ÷ time of the kernel; 'check' = result vs that loop.")
	all := kernelCases(n)
	var pick []kernelCase
	for _, c := range all {
		if c.kernel == "sum" && c.typ == "float64" || c.kernel == "dot" || c.kernel == "axpy" ||
			c.kernel == "sort" && c.typ == "float64" {
			pick = append(pick, c)
		}
	}
	res, err := measureKernels(n, workersN, 3, pick)
	if err != nil {
		return err
	}
	printKernelTable(w, res)
	for _, r := range res {
		if !r.OK {
			return fmt.Errorf("kernel %s/%s disagrees with the plain loop", r.Kernel, r.Type)
		}
	}
	return nil
}
