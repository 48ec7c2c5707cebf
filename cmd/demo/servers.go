package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/sharc-go/sharc/cmd/demo/internal/serve"
)

// hardPuzzle is Arto Inkala's 2012 "world's hardest sudoku".
const hardPuzzle = "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."

func runSudokuServer(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sudoku-server", stderr)
	o := addServerFlags(fs, serverHelp{
		addr:      "127.0.0.1:8080",
		workers:   "puzzles solved at once",
		queue:     "puzzles waiting beyond those; more get 503",
		noPool:    "solve in the handler with no bound or queue (the naive server, for comparison)",
		processes: "solve in this many child processes instead of goroutines (-workers is then unused): a crashing solver costs one request, not the server",
	})
	if err := o.parse(fs, args); err != nil {
		return err
	}
	logger := log.New(stderr, "sudoku-server: ", log.LstdFlags)
	defer o.headroom(logger)()
	s, err := serve.NewSudokuServer(serve.SudokuConfig{Workers: o.workers, Queue: o.queue, NoPool: o.noPool, WorkerNice: o.nice, Processes: o.processes, Logger: logger})
	if err != nil {
		return err
	}
	if o.processes > 0 {
		logger.Printf("solving in %d child processes", o.processes)
	}
	return o.listenAndServe(s, logger, stdout)
}

// serverOptions holds the flags both servers share.
type serverOptions struct {
	addr                                      string
	workers, queue, processes, nice, maxConns int
	noPool, headroomOn                        bool
	grace                                     time.Duration
}

// serverHelp is what the shared flags say of one server's work.
type serverHelp struct{ addr, workers, queue, noPool, processes string }

// addServerFlags defines the shared flags in fs, to be filled by parse.
func addServerFlags(fs *flag.FlagSet, h serverHelp) *serverOptions {
	o := &serverOptions{}
	fs.StringVar(&o.addr, "addr", h.addr, "listen address")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), h.workers)
	fs.IntVar(&o.queue, "queue", 64, h.queue)
	fs.BoolVar(&o.noPool, "no-pool", false, h.noPool)
	fs.IntVar(&o.processes, "processes", 0, h.processes)
	fs.IntVar(&o.nice, "nice", 10, "nice value of the workers' threads (Linux), so requests win the CPU; 0 keeps normal priority")
	fs.BoolVar(&o.headroomOn, "headroom", true, "raise GOMAXPROCS to workers + CPUs so requests need not wait for a worker's P")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "how long shutdown lets in-flight requests finish")
	fs.IntVar(&o.maxConns, "max-conns", 0, "connections held open at most; past it the longest-idle one is closed (default: the fd limit less 64, at most 4096)")
	return o
}

// parse parses args into fs and checks the shared flags.
func (o *serverOptions) parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serverFlags(o.workers, o.queue, o.nice, o.maxConns, o.grace, o.processes, o.noPool)
}

// headroom applies headroom when the server's workers are goroutines of a
// pool and -headroom asks for it; undo restores what it changed.
func (o *serverOptions) headroom(logger *log.Logger) (undo func()) {
	if o.noPool || o.processes != 0 || !o.headroomOn {
		return func() {}
	}
	return headroom(o.workers, logger)
}

// listenAndServe serves s on -addr until a signal, then shuts down within
// -grace.
func (o *serverOptions) listenAndServe(s serve.Server, logger *log.Logger, stdout io.Writer) error {
	return serve.ListenAndServeUntilSignal(o.addr, s, o.grace, serve.Limits{MaxConns: o.maxConns}, logger, stdout)
}

// headroom gives the request path Ps of its own beside the pool's workers
// (serve.Headroom), and, unless GOGC is set, collects garbage a quarter as
// often: each collection stops the world, and stopping it means waiting
// for the workers' low-priority threads to get the CPU back. undo restores
// both, for the tests that run a server in their own process.
func headroom(workers int, logger *log.Logger) (undo func()) {
	prev := serve.Headroom(workers)
	logger.Printf("GOMAXPROCS %d -> %d: %d workers plus room for the request path", prev, runtime.GOMAXPROCS(0), workers)
	gc := -2 // unchanged
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(400)
	}
	return func() {
		runtime.GOMAXPROCS(prev)
		if gc != -2 {
			debug.SetGCPercent(gc)
		}
	}
}

// serverFlags checks the flags both servers share.
func serverFlags(workers, queue, nice, maxConns int, grace time.Duration, processes int, noPool bool) error {
	if noPool && processes > 0 {
		return badFlag("-processes and -no-pool exclude each other")
	}
	for _, err := range []error{
		inRange("workers", workers, 1, 1024),
		atLeast("queue", queue, 0),
		inRange("nice", nice, 0, 19),
		atLeast("max-conns", maxConns, 0),
		inRange("processes", processes, 0, 256),
	} {
		if err != nil {
			return err
		}
	}
	if grace < 0 {
		return badFlag("-grace must be ≥ 0, got %v", grace)
	}
	return nil
}

func runAuthServer(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("auth-server", stderr)
	o := addServerFlags(fs, serverHelp{
		addr:      "127.0.0.1:8081",
		workers:   "passwords hashed at once (19 MiB each)",
		queue:     "hashes waiting beyond those; more get 503",
		noPool:    "hash in the handler with no bound or queue (the naive server, for comparison)",
		processes: "hash in this many child processes instead of goroutines (-workers is then unused)",
	})
	data := fs.String("data", "", "file the users persist to (default: in memory)")
	if err := o.parse(fs, args); err != nil {
		return err
	}
	logger := log.New(stderr, "auth-server: ", log.LstdFlags)
	defer o.headroom(logger)()
	s, err := serve.NewAuthServer(serve.AuthConfig{Workers: o.workers, Queue: o.queue, NoPool: o.noPool, WorkerNice: o.nice, Processes: o.processes, DataFile: *data, Logger: logger})
	if err != nil {
		return err
	}
	return o.listenAndServe(s, logger, stdout)
}

func runLoad(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("load", stderr)
	url := fs.String("url", "", "URL to drive (required unless -c 0)")
	c := fs.Int("c", 64, "concurrent closed-loop clients; 0 only probes -health, e.g. from a process of its own")
	d := fs.Duration("d", 10*time.Second, "duration")
	bodyFile := fs.String("body", "", "file whose content is POSTed as JSON (default: GET)")
	health := fs.String("health", "", "URL probed every 10 ms during the run, e.g. http://127.0.0.1:8080/healthz")
	polite := fs.Bool("retry-after", false, "clients honour 503 Retry-After (default: retry at once, like a flood)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *c < 0:
		return badFlag("-c must be ≥ 0, got %d", *c)
	case *d <= 0:
		return badFlag("-d must be > 0, got %v", *d)
	case *url == "" && *c != 0:
		return badFlag("-url is required (or -c 0 with -health to only probe)")
	case *c == 0 && *health == "":
		return badFlag("-c 0 only probes, and needs -health")
	}
	for _, u := range []struct{ name, v string }{{"url", *url}, {"health", *health}} {
		if u.v != "" && !strings.HasPrefix(u.v, "http://") && !strings.HasPrefix(u.v, "https://") {
			return badFlag("-%s must be an http:// or https:// URL, got %q", u.name, u.v)
		}
	}
	var body []byte
	if *bodyFile != "" {
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			return err
		}
		body = b
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := serve.Load(ctx, serve.LoadConfig{URL: *url, Body: body, Concurrency: *c, Duration: *d, HealthURL: *health, HonorRetryAfter: *polite})
	if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
	}
	return rep.Failure()
}

func tourServers(w io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	// As the sudoku-server command runs it: workers on niced threads, and
	// Ps to spare for the request path.
	defer runtime.GOMAXPROCS(serve.Headroom(workers))
	s, err := serve.NewSudokuServer(serve.SudokuConfig{Workers: workers, Queue: 2 * workers, WorkerNice: 10})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve.Run(ctx, ln, s, 5*time.Second, nil) }()
	defer func() { cancel(); <-errc }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(w, "sudoku server on %s: %d workers (nice 10, GOMAXPROCS %d), queue of %d\n", base, workers, runtime.GOMAXPROCS(0), 2*workers)

	body := `{"puzzle":"` + hardPuzzle + `"}`
	resp, err := http.Post(base+"/solve", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	var res serve.SolveResponse
	err = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /solve: status %d", resp.StatusCode)
	}
	fmt.Fprintf(w, "POST /solve, Inkala's \"world's hardest\" puzzle:\n  %s\n  %s  (solved in %.2f ms, unique: %v)\n",
		hardPuzzle, res.Solution, res.Ms, res.Unique)
	if err := tourSolveAll(w, base); err != nil {
		return err
	}

	clients := 16 * workers
	fmt.Fprintf(w, "\n%d closed-loop clients POST the same puzzle for 2 s, /healthz probed every 10 ms:\n", clients)
	rep, err := serve.Load(context.Background(), serve.LoadConfig{
		URL: base + "/solve", Body: []byte(body), Concurrency: clients, Duration: 2 * time.Second,
		HealthURL: base + "/healthz", Check: serve.CheckSolution(res.Solution),
	})
	if err != nil {
		return err
	}
	rep.WriteText(w)
	wrong := "every 200 was the correct solution"
	if rep.Wrong > 0 {
		wrong = fmt.Sprintf("%d answers were WRONG", rep.Wrong)
	}
	fmt.Fprintf(w, "%s; overload was refused with 503 + Retry-After (%d of %d answers).\n", wrong, rep.Status["503"], rep.Requests)
	if rep.Health != nil && rep.Health.Count > 0 {
		fmt.Fprintf(w, "/healthz p99 %.2f ms against a solve request's p50 of %.2f ms in the same run", rep.Health.P99, rep.Latency.P50)
		if rep.Health.P99 <= rep.Latency.P50 {
			fmt.Fprintln(w, ": health checks do not queue behind solves.")
		} else {
			fmt.Fprintln(w, ": this run the probe waited longer than a typical request (a machine busier than the server alone).")
		}
	}
	return nil
}

// tourSolveAll streams the first solutions of a puzzle with many from
// POST /solve/all, one NDJSON line each as the search finds them.
func tourSolveAll(w io.Writer, base string) error {
	puzzle := "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	puzzle = "........." + puzzle[9:27] + "........." + puzzle[36:] // rows 1 and 4 emptied
	body := `{"puzzle":"` + puzzle + `","limit":3}`
	resp, err := http.Post(base+"/solve/all", "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /solve/all: status %d", resp.StatusCode)
	}
	fmt.Fprintf(w, "POST /solve/all {\"limit\":3}, two rows of a puzzle emptied: NDJSON, a line per solution as it is found:\n")
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		fmt.Fprintf(w, "  %s\n", sc.Text())
	}
	return sc.Err()
}
