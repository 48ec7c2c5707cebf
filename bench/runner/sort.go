package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sharc-go/sharc/kernels"
)

// sortSelfMax is the largest length at which kernels.Sort is also paired
// with slices.Sort: one slices.Sort of 2^26 keys takes about ten seconds,
// so those rows alone would take half the section's time for a ratio the
// smaller rows already show.
const sortSelfMax = 1 << 24

// sortTables compares kernels.Sort with slices.Sort (in this process, up to
// sortSelfMax keys) and with x86-simd-sort, ips4o and ips2ra (bench/sortc,
// C++), the best of a few sorts per round (sortRuns), each of a fresh copy
// of the same kind of keys.
func sortTables(e *env) ([]table, error) {
	sizes := []int{1 << 20, 1 << 22, 1 << 24, 1 << 26}
	if e.quick {
		sizes = []int{1 << 20, 1 << 22}
	}
	if s := os.Getenv("SHARC_SORT_SIZES"); s != "" {
		// Development runs: a comma-separated list of log2 sizes.
		sizes = sizes[:0]
		for _, f := range strings.Split(s, ",") {
			k, err := strconv.Atoi(f)
			if err != nil || k < 1 || k > 30 {
				return nil, fmt.Errorf("SHARC_SORT_SIZES: %q is not a log2 size in 1..30", f)
			}
			sizes = append(sizes, 1<<k)
		}
	}
	if e.noPeers && e.quick {
		sizes = []int{1 << 14}
	}
	if e.smoke {
		sizes = []int{1 << 12}
	}
	var cxx string
	if !e.noPeers {
		var err error
		cxx, err = cachedBuild(e, "sortc", []string{"sortc/sort.cpp"}, func(out string) []string {
			return []string{"g++", "-O3", "-march=native", "-fopenmp", "-std=c++17", "-DXSS_USE_OPENMP",
				"-Ithird_party/x86-simd-sort/src", "-Ithird_party/ips4o/include", "-Ithird_party/ips2ra/include",
				"sortc/sort.cpp", "-o", out, "-ltbb", "-latomic"}
		})
		if err != nil {
			e.note("C++ sorts skipped (x86-simd-sort, ips4o, ips2ra): %v; they need g++ and libtbb-dev", firstLine(err))
			cxx = ""
		}
	}
	self := table{Section: "sort", Title: "kernels.Sort vs slices.Sort",
		About: fmt.Sprintf("Per round, the best of a few sorts (5 up to 2^20 keys, 3 at 2^22, else 1), each of a fresh copy of the same random keys, into memory allocated for the round on both sides (float64 uniform in [0, 1), int64 over the whole range), %d threads for kernels.Sort; slices.Sort is single-threaded and runs up to 2^%d keys (one sort of 2^26 takes it about ten seconds).", e.threads, log2(sortSelfMax))}
	peers := table{Section: "sort", Title: "kernels.Sort vs C++ sorts",
		About: fmt.Sprintf("Intel x86-simd-sort (AVX-512 quicksort, OpenMP), ips4o and ips2ra (parallel in-place samplesort and radix sort), built with g++ -O3 -march=native -fopenmp from bench/third_party; %d threads each (OMP_NUM_THREADS). Per round, each side takes the best of as many sorts as above; the C++ round is one process run that sorts the same kind of keys with each.", e.threads)}
	for _, typ := range []string{"f64", "i64"} {
		for _, n := range sizes {
			label := fmt.Sprintf("%s 2^%d", map[string]string{"f64": "float64", "i64": "int64"}[typ], log2(n))
			a := goSortSide(typ, n, sortRuns(n), "kernels.Sort", kernels.Sort[float64], kernels.Sort[int64])
			if n <= sortSelfMax {
				b := goSortSide(typ, n, sortRuns(n), "slices.Sort", slices.Sort[[]float64], slices.Sort[[]int64])
				rs, err := runPairs(comparison{a: a, b: b, rows: []row{{Label: label, A: "sort", B: "sort"}}}, e.pairs)
				if err != nil {
					return nil, err
				}
				self.Results = append(self.Results, rs...)
			}
			if cxx != "" {
				c := command("C++ sorts", []string{"OMP_NUM_THREADS=" + strconv.Itoa(e.threads)}, nil, cxx, typ, strconv.Itoa(n), strconv.Itoa(sortRuns(n)))
				rows := []row{{label, "sort", "xss-" + typ}, {label, "sort", "ips4o-" + typ}, {label, "sort", "ips2ra-" + typ}}
				rs, err := runPairs(comparison{a: a, b: c, rows: rows}, e.pairs)
				if err != nil {
					return nil, err
				}
				for i, p := range []string{"x86-simd-sort", "ips4o", "ips2ra"} {
					rs[i].Peer = p
				}
				peers.Results = append(peers.Results, rs...)
			}
		}
	}
	var out []table
	if len(self.Results) > 0 {
		out = append(out, self)
	}
	if len(peers.Results) > 0 {
		out = append(out, peers)
	}
	return out, nil
}

// sortRuns is how many sorts of n keys a round takes the best of: a sort
// of 2^20 keys takes a few milliseconds here, and one such time measures
// the neighbours as much as the sort.
func sortRuns(n int) int {
	switch {
	case n <= 1<<20:
		return 5
	case n <= 1<<22:
		return 3
	}
	return 1
}

// goSortSide sorts a fresh copy of one set of keys runs times per round
// with f or g, and reports the best time.
func goSortSide(typ string, n, runs int, name string, f func([]float64), g func([]int64)) side {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	if typ == "f64" {
		src := make([]float64, n)
		for i := range src {
			src[i] = r.Float64()
		}
		return side{name: name, run: bestSort(src, runs, name+": float64", f)}
	}
	src := make([]int64, n)
	for i := range src {
		src[i] = int64(r.Uint64())
	}
	return side{name: name, run: bestSort(src, runs, name+": int64", g)}
}

// bestSort returns a round that sorts a fresh copy of src with sort runs
// times, checks each result, and reports the best time. Each round copies
// into memory mapped for it, as each run of the C++ program allocates its
// own (sharcKernelSide says why).
func bestSort[T float64 | int64](src []T, runs int, what string, sort func([]T)) func() (map[string]float64, error) {
	return func() (map[string]float64, error) {
		x, free, err := mapSlice[T](len(src))
		if err != nil {
			return nil, err
		}
		defer free()
		best := math.Inf(1)
		for range runs {
			copy(x, src)
			t := time.Now()
			sort(x)
			best = min(best, float64(time.Since(t).Nanoseconds()))
			if !slices.IsSorted(x) {
				return nil, fmt.Errorf("%s result not sorted", what)
			}
		}
		return map[string]float64{"sort": best}, nil
	}
}

func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}
