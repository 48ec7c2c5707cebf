// Command runner is bench/run: it runs every comparison sharc makes with
// peers as alternated, paired rounds and writes docs/benchmarks.md and
// docs/benchmarks.json.
//
//	bench/run [-quick] [-pairs 7] [-passes 2] [-only kernels,sort,...] [-no-peers] [-out docs/benchmarks.md] [-against docs/benchmarks.json]
//	bench/run -merge a.json,b.json [-out docs/benchmarks.md]
//
// -merge runs nothing: it writes one report from runs made at different
// times, each row summarizing the pairs of all of them (mergeReports).
// -passes goes through the sections that many times, each pass running a
// share of every row's pairs, and summarizes each row over all its pairs
// the same way (mergeTables).
//
// Peers that need something not installed (gcc, OpenBLAS, TBB, node, npm
// packages) are skipped with a note naming the package to install.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

// env is what every section gets.
type env struct {
	quick   bool
	noPeers bool
	smoke   bool // tests: the smallest sizes, to check that everything runs
	pairs   int
	// passes is how many times the run goes through its sections, each
	// pass running a share of every row's pairs (at least 1).
	passes  int
	threads int
	bench   string // the bench directory
	tmp     string // builds go here
	log     io.Writer
	notes   []string
	// against, if not nil, is a published report that the run's medians
	// are checked against (-against).
	against *report
}

func (e *env) note(format string, a ...any) {
	s := fmt.Sprintf(format, a...)
	fmt.Fprintln(e.log, "note:", s)
	e.notes = append(e.notes, s)
}

// table is one section's table in the report.
type table struct {
	Section string   `json:"section"`
	Title   string   `json:"title"`
	About   string   `json:"about"`
	Unit    string   `json:"unit"`
	Results []result `json:"results"`
	// Cores is the between-cores round trip (coreToCore) measured just
	// before and just after the table's section ran: on a VM it can move
	// by several times within one run, and rows move with it.
	Cores coreSpans `json:"core_to_core,omitempty"`
}

type section struct {
	name string
	run  func(e *env) ([]table, error)
}

func sections() []section {
	return []section{
		{"kernels", kernelTables},
		{"team", teamTables},
		{"matmul", matmulTables},
		{"sort", sortTables},
		{"pool", poolTables},
		{"piscina", piscinaTables},
		{"share", shareTables},
		{"ipc", ipcTables},
	}
}

func main() {
	runChildIfRequested()
	quick := flag.Bool("quick", false, "a short subset (small sizes, fewer cases)")
	pairs := flag.Int("pairs", 7, "paired rounds per comparison (at least 7)")
	passes := flag.Int("passes", 0, "times to go through the sections, each running a share of the pairs (default 2, 1 with -quick)")
	only := flag.String("only", "", "comma-separated sections to run (default all): "+sectionNames())
	noPeers := flag.Bool("no-peers", false, "skip peers that are not Go (C, C++, Node.js)")
	out := flag.String("out", "", "Markdown report path (default <repo>/docs/benchmarks.md; JSON beside it); - for none")
	against := flag.String("against", "", "a report's JSON (docs/benchmarks.json) to check this run's medians against: lists the rows outside its ranges and exits 1 if any fell below")
	merge := flag.String("merge", "", "comma-separated reports' JSON, from runs at different times: run nothing, write one report whose rows summarize all their pairs")
	flag.Parse()
	if *pairs < 7 {
		fmt.Fprintf(os.Stderr, "bench/run: -pairs must be at least 7, got %d\n", *pairs)
		os.Exit(2)
	}
	bench, err := benchDir()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/run:", err)
		os.Exit(2)
	}
	if *out == "" {
		*out = filepath.Join(bench, "..", "docs", "benchmarks.md")
	}
	if *merge != "" {
		if *only != "" || *against != "" || *quick || *noPeers || *passes != 0 {
			fmt.Fprintln(os.Stderr, "bench/run: -merge runs nothing: it takes only -out")
			os.Exit(2)
		}
		if err := mergeFiles(strings.Split(*merge, ","), *out); err != nil {
			fmt.Fprintln(os.Stderr, "bench/run:", err)
			os.Exit(1)
		}
		return
	}
	if *passes == 0 {
		*passes = 2
		if *quick {
			*passes = 1
		}
	}
	if *passes < 1 || *passes > *pairs {
		fmt.Fprintf(os.Stderr, "bench/run: -passes must be between 1 and -pairs (%d), got %d\n", *pairs, *passes)
		os.Exit(2)
	}
	var want []string
	if *only != "" {
		want = strings.Split(*only, ",")
		for _, w := range want {
			if !slices.ContainsFunc(sections(), func(s section) bool { return s.name == w }) {
				fmt.Fprintf(os.Stderr, "bench/run: -only: unknown section %q (have %s)\n", w, sectionNames())
				os.Exit(2)
			}
		}
	}
	e := &env{quick: *quick, noPeers: *noPeers, pairs: *pairs, passes: *passes, threads: runtime.GOMAXPROCS(0), bench: bench, log: os.Stderr}
	if *against != "" {
		// Read before the run, not after it: a wrong path should not
		// cost fifteen minutes.
		was, err := readReport(*against)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/run: -against:", err)
			os.Exit(2)
		}
		e.against = &was
	}
	if err := run(e, want, *out, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench/run:", err)
		os.Exit(1)
	}
}

// mergeFiles merges the reports at paths (mergeReports), prints its tables
// and writes it to out unless out is "-".
func mergeFiles(paths []string, out string) error {
	var rs []report
	for _, p := range paths {
		r, err := readReport(p)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	m, err := mergeReports(rs, paths)
	if err != nil {
		return err
	}
	for _, t := range m.Tables {
		printTable(os.Stderr, t)
	}
	for _, n := range m.Notes {
		fmt.Fprintln(os.Stderr, "note:", n)
	}
	if out == "-" {
		return nil
	}
	if err := m.write(out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "merged %d runs into %s and %s\n", len(m.Runs), out, jsonPath(out))
	return nil
}

func sectionNames() string {
	var s []string
	for _, x := range sections() {
		s = append(s, x.name)
	}
	return strings.Join(s, ",")
}

// run runs the wanted sections (all if want is empty) and writes the
// report to out unless out is "-".
func run(e *env, want []string, out string, args []string) error {
	return runSections(e, sections(), want, out, args)
}

// runSections is run over a given list of sections. A section that fails
// is noted as not run; the others still run and the report is still
// written, and the error returned names the failed sections.
func runSections(e *env, secs []section, want []string, out string, args []string) error {
	tmp, err := os.MkdirTemp("", "sharc-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e.tmp = tmp
	e.passes = max(e.passes, 1)
	// Between cores before the next section: the run's start figure,
	// then each section's end figure.
	before := coreToCore()
	cores := nsString(before)
	mem := memoryCopy(e.threads)
	start := time.Now()
	// Each pass runs every wanted section with its share of the pairs;
	// a section that fails is noted and left out of the later passes and
	// of the report.
	total := e.pairs
	defer func() { e.pairs = total }()
	var passes [][]table
	var failed []string
	for p := range e.passes {
		e.pairs = total*(p+1)/e.passes - total*p/e.passes
		var tables []table
		tables, before = runPass(e, secs, want, p, before, &failed)
		passes = append(passes, tables)
	}
	var ran []string
	for _, s := range secs {
		if (len(want) == 0 || slices.Contains(want, s.name)) && !slices.Contains(failed, s.name) {
			ran = append(ran, s.name)
		}
	}
	tables := passes[0]
	if len(passes) > 1 {
		// A section that failed in a later pass has tables in the
		// earlier ones: they go, as the section is reported not run.
		var names []string
		for p := range passes {
			passes[p] = slices.DeleteFunc(passes[p], func(t table) bool { return slices.Contains(failed, t.Section) })
			names = append(names, fmt.Sprintf("pass %d", p+1))
		}
		tables, e.notes = mergeTables(passes, names, e.notes)
		fmt.Fprintf(e.log, "== all %d passes together\n", len(passes))
		for _, t := range tables {
			printTable(e.log, t)
		}
	}
	took := time.Since(start).Round(time.Second)
	fmt.Fprintf(e.log, "done in %s\n", took)
	cores = startAndEnd(cores, func() string { return nsString(before) })
	mem = startAndEnd(mem, func() string { return memoryCopy(e.threads) })
	var errFailed error
	if len(failed) > 0 {
		errFailed = fmt.Errorf("sections that failed (see the notes): %s", strings.Join(failed, ", "))
	}
	var recheck *recheckSummary
	if e.against != nil {
		s := summarize(*e.against, rechecks(*e.against, tables, ran))
		printRechecks(e.log, s, cores)
		if s.Below > 0 && errFailed == nil {
			errFailed = fmt.Errorf("%d rows fell below the range published on %s", s.Below, e.against.Date)
		}
		recheck = &s
	}
	if out == "-" {
		return errFailed
	}
	rep := report{Machine: machine(), Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Args: strings.Join(args, " "),
		Took: took.String(), Cores: cores, Pairs: total, Passes: passesField(e.passes), Tables: tables, Notes: e.notes, Recheck: recheck, Memory: mem, Threads: e.threads}
	if err := rep.write(out); err != nil {
		return err
	}
	fmt.Fprintf(e.log, "wrote %s and %s\n", out, jsonPath(out))
	return errFailed
}

// runPass runs once, with e.pairs pairs each, the wanted sections that
// have not failed, and returns their tables. before is the between-cores
// figure measured last; runPass measures it again after each section and
// returns the last one. A section that fails is noted and added to failed.
func runPass(e *env, secs []section, want []string, p int, before float64, failed *[]string) ([]table, float64) {
	var tables []table
	for _, s := range secs {
		if len(want) > 0 && !slices.Contains(want, s.name) || slices.Contains(*failed, s.name) {
			continue
		}
		name := s.name
		if e.passes > 1 {
			name = fmt.Sprintf("%s, pass %d of %d (%d pairs)", s.name, p+1, e.passes, e.pairs)
		}
		fmt.Fprintf(e.log, "== %s\n", name)
		// Each section starts from a collected heap handed back to
		// the kernel: the sort section leaves gigabytes of garbage,
		// and collecting it, or faulting its pages back in, would be
		// charged to whatever ran next.
		runtime.GC()
		debug.FreeOSMemory()
		t0 := time.Now()
		ts, err := s.run(e)
		fmt.Fprintf(e.log, "== %s took %s\n", s.name, time.Since(t0).Round(time.Second))
		after := coreToCore()
		if before > 0 && after > 0 {
			fmt.Fprintf(e.log, "== between cores: %s before %s, %s after it\n", nsString(before), s.name, nsString(after))
			for i := range ts {
				ts[i].Cores = coreSpans{{Start: before, End: after}}
				if e.passes > 1 {
					ts[i].Cores[0].Pass = p + 1
				}
			}
		}
		before = after
		if err != nil {
			// One broken peer must not cost the other sections:
			// the report says what did not run and why.
			e.note("%s not run: %v", s.name, firstLine(err))
			*failed = append(*failed, s.name)
			continue
		}
		for _, t := range ts {
			printTable(e.log, t)
		}
		tables = append(tables, ts...)
	}
	return tables, before
}

// passesField is e.passes as the report keeps it: 0 for a single pass, so
// that single-pass reports read as they did before passes existed.
func passesField(n int) int {
	if n > 1 {
		return n
	}
	return 0
}

// startAndEnd joins a figure measured at the start of the run with the
// same one measured again now; "" (a failed probe) at the start stays "".
func startAndEnd(start string, measure func() string) string {
	if start == "" {
		return ""
	}
	if end := measure(); end != "" {
		return start + " at the start, " + end + " at the end"
	}
	return start
}

// benchDir finds the bench module's directory: SHARC_BENCH_DIR (which
// bench/run sets), else the working directory or one above it.
func benchDir() (string, error) {
	if d := os.Getenv("SHARC_BENCH_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err != nil {
			return "", fmt.Errorf("SHARC_BENCH_DIR=%s is not the bench module: %w", d, err)
		}
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/sharc-go/sharc/bench\n") {
			return d, nil
		}
		if _, err := os.Stat(filepath.Join(d, "bench", "go.mod")); err == nil {
			return filepath.Join(d, "bench"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no bench module above %s", wd)
		}
	}
}
