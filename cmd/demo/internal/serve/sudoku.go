package serve

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
)

// MaxBatch is the most puzzles POST /solve/batch takes.
const MaxBatch = 1000

const (
	solveBodyLimit = 4 << 10
	batchBodyLimit = 256 << 10
)

// SudokuConfig configures a sudoku server.
type SudokuConfig struct {
	Workers int // tasks solving at once; at least 1
	Queue   int // tasks waiting beyond those; 0 refuses as soon as every worker is busy
	// NoPool solves directly in the handler, with no bound and no queue:
	// the naive server, for comparison.
	NoPool bool
	// WorkerNice, when in 1..19, runs each worker on its own OS thread
	// lowered to that nice value (Linux; elsewhere the threads keep their
	// priority), so the threads answering cheap requests win the CPU from
	// the solvers. It helps only if the request path has Ps of its own:
	// see Headroom.
	WorkerNice int
	// Processes, when > 0, solves in that many child processes
	// (workers/proc) instead of on goroutines, and Workers is not used: a
	// solver that crashes costs its own request a 500, never the server,
	// and a replacement process starts in the background. The binary's
	// main must call proc.RunChildIfRequested first thing. WorkerNice
	// then nices the processes.
	Processes int
	Logger    *log.Logger // nil: no logs
}

// SudokuServer answers POST /solve, POST /solve/batch, GET /healthz,
// GET /stats and serves a page at /.
type SudokuServer struct {
	r      runner
	mux    *http.ServeMux
	logger *log.Logger
	// solveBudget and batchBudget are the search nodes one puzzle and
	// one batch may spend.
	solveBudget, batchBudget int
	// allLimit and allBudget bound POST /solve/all: the solutions one
	// stream may send and the search nodes it may spend.
	allLimit, allBudget int
	// streams admits POST /solve/all requests, at most one per worker at
	// a time; more get 503.
	streams chan struct{}
}

// NewSudokuServer returns a server solving on a runner sized by cfg. It
// fails only if cfg.Processes > 0 and the processes cannot start.
func NewSudokuServer(cfg SudokuConfig) (*SudokuServer, error) {
	r, err := newRunner(cfg.Workers, cfg.Queue, cfg.WorkerNice, cfg.Processes, cfg.NoPool)
	if err != nil {
		return nil, err
	}
	return newSudokuServer(r, cfg.Logger), nil
}

// newRunner returns the runner a server's configuration asks for.
func newRunner(workersN, queue, nice, processes int, noPool bool) (runner, error) {
	switch {
	case noPool && processes > 0:
		return nil, errors.New("serve: NoPool and Processes exclude each other")
	case noPool:
		return &directRunner{}, nil
	case processes > 0:
		return newProcRunner(processes, queue, nice)
	}
	return newPoolRunner(workersN, queue, nice), nil
}

func newSudokuServer(r runner, logger *log.Logger) *SudokuServer {
	s := &SudokuServer{r: r, logger: logger, solveBudget: sudoku.DefaultBudget, batchBudget: batchBudget,
		allLimit: MaxSolutions, allBudget: allBudget, streams: make(chan struct{}, streamSlots(r))}
	s.mux = newMux([]route{
		{"POST", "/solve", s.solve},
		{"POST", "/solve/batch", s.batch},
		{"POST", "/solve/all", s.all},
		{"GET", "/healthz", healthz},
		{"GET", "/stats", s.statsHandler},
		{"GET", "/favicon.ico", favicon},
		{"GET", "/{$}", page},
	})
	return s
}

// Handler returns the server's HTTP handler.
func (s *SudokuServer) Handler() http.Handler { return s.mux }

// Close stops admitting work and waits for admitted solves until ctx ends.
func (s *SudokuServer) Close(ctx context.Context) error { return s.r.close(ctx) }

// SolveRequest is the body of POST /solve.
type SolveRequest struct {
	Puzzle string `json:"puzzle"`
}

// SolveResponse is the answer of POST /solve.
type SolveResponse struct {
	Solution string  `json:"solution"`
	Unique   bool    `json:"unique"`
	Ms       float64 `json:"ms"` // solving time on the worker
}

// BatchRequest is the body of POST /solve/batch.
type BatchRequest struct {
	Puzzles []string `json:"puzzles"`
}

// BatchItem is one answer of a batch, in request order: a solution, or an
// error for an unsolvable puzzle.
type BatchItem struct {
	Solution string `json:"solution,omitempty"`
	Unique   bool   `json:"unique"`
	Error    string `json:"error,omitempty"`
}

// BatchResponse is the answer of POST /solve/batch.
type BatchResponse struct {
	Results []BatchItem `json:"results"`
	Ms      float64     `json:"ms"`
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *SudokuServer) statsHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.r.stats())
}

// parsePuzzle parses a request's puzzle, or answers 400 naming what is
// wrong with it (and the cell, where one is to blame) and reports false.
func parsePuzzle(w http.ResponseWriter, puzzle string) (sudoku.Grid, bool) {
	g, err := sudoku.Parse(puzzle)
	if err != nil {
		e := apiError{Error: "puzzle: " + err.Error()}
		if ce := (*sudoku.CellError)(nil); errors.As(err, &ce) {
			e.Cell = ce.Cell
		}
		writeJSON(w, http.StatusBadRequest, e)
		return g, false
	}
	return g, true
}

func (s *SudokuServer) solve(w http.ResponseWriter, r *http.Request) {
	var req SolveRequest
	if msg, ok := decodeBody(w, r, solveBodyLimit, &req); !ok {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	// Validation is cheap and stays on the request path; only solving
	// goes to the runner.
	g, ok := parsePuzzle(w, req.Puzzle)
	if !ok {
		return
	}
	v, err := s.solveOne(r.Context(), g)
	if s.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// solveOne solves g on the runner: in this process, or in a process worker.
func (s *SudokuServer) solveOne(ctx context.Context, g sudoku.Grid) (SolveResponse, error) {
	if pr, ok := s.r.(*procRunner); ok {
		b, err := pr.call(ctx, taskSolve, encodeSolve(g, s.solveBudget))
		if err != nil {
			return SolveResponse{}, err
		}
		return decodeSolve(b)
	}
	v, err := s.r.run(ctx, func(ctx context.Context) (any, error) { return solveTask(ctx, g, s.solveBudget) })
	if err != nil {
		return SolveResponse{}, err
	}
	return v.(SolveResponse), nil
}

func (s *SudokuServer) batch(w http.ResponseWriter, r *http.Request) {
	var req BatchRequest
	if msg, ok := decodeBody(w, r, batchBodyLimit, &req); !ok {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if len(req.Puzzles) == 0 {
		writeError(w, http.StatusBadRequest, `"puzzles" must hold at least one puzzle`)
		return
	}
	if len(req.Puzzles) > MaxBatch {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("at most %d puzzles per batch, got %d", MaxBatch, len(req.Puzzles)))
		return
	}
	grids := make([]sudoku.Grid, len(req.Puzzles))
	for i, p := range req.Puzzles {
		g, err := sudoku.Parse(p)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("puzzle %d: %v", i, err))
			return
		}
		grids[i] = g
	}
	v, err := s.solveBatch(r.Context(), grids)
	if s.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// solveBatch solves grids in chunks of about batchSlice of work each, every
// chunk a task of its own: between chunks the batch goes back to the end of
// the queue, so single solves waiting there get a worker in between and a
// batch cannot hold one for long. The whole batch spends at most
// batchBudget search nodes; puzzles left when it is spent are answered
// with an error.
func (s *SudokuServer) solveBatch(ctx context.Context, grids []sudoku.Grid) (BatchResponse, error) {
	out := make([]BatchItem, 0, len(grids))
	budget := s.batchBudget
	var busy time.Duration
	for first := true; len(out) < len(grids); first = false {
		rest := grids[len(out):]
		c, err := s.chunk(ctx, rest, budget)
		if errors.Is(err, errBusy) && !errors.Is(err, errRunnerClosed) && !first {
			// Admitted already: wait for room like a queued task would.
			if serr := sleepCtx(ctx, batchRetry); serr != nil {
				return BatchResponse{}, serr
			}
			continue
		}
		if err != nil {
			return BatchResponse{}, err
		}
		if len(c.items) == 0 || len(c.items) > len(rest) {
			return BatchResponse{}, fmt.Errorf("serve: a chunk of %d puzzles answered %d", len(rest), len(c.items))
		}
		out = append(out, c.items...)
		budget = max(0, budget-c.used)
		busy += c.busy
	}
	return BatchResponse{Results: out, Ms: ms(busy)}, nil
}

// chunk runs one chunk of a batch on the runner.
func (s *SudokuServer) chunk(ctx context.Context, grids []sudoku.Grid, budget int) (chunkResult, error) {
	if pr, ok := s.r.(*procRunner); ok {
		b, err := pr.call(ctx, taskChunk, encodeChunk(grids[:min(len(grids), maxChunkSend)], budget, s.solveBudget))
		if err != nil {
			return chunkResult{}, err
		}
		return decodeChunk(b)
	}
	v, err := s.r.run(ctx, func(ctx context.Context) (any, error) { return solveChunk(ctx, grids, budget, s.solveBudget) })
	if err != nil {
		return chunkResult{}, err
	}
	return v.(chunkResult), nil
}

// Work bounds of a batch.
const (
	batchSlice = 5 * time.Millisecond // work per chunk before yielding
	batchRetry = 2 * time.Millisecond // wait before retrying a refused chunk
	// batchBudget lets a full batch of the hardest unique puzzles (under
	// a thousand nodes each) through, and bounds a hostile batch to about
	// ten times a single solve's work.
	batchBudget = 10 * sudoku.DefaultBudget
)

// tooHard is the error answered for a puzzle over its search budget.
const tooHard = "too hard: search budget exhausted"

// sleepCtx waits d or until ctx ends, and returns ctx.Err() then.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// failed answers err if it is not nil and reports whether it did.
func (s *SudokuServer) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, sudoku.ErrUnsolvable):
		writeError(w, http.StatusUnprocessableEntity, "puzzle has no solution")
	case errors.Is(err, sudoku.ErrTooHard):
		writeError(w, http.StatusUnprocessableEntity, tooHard)
	case errors.Is(err, errBusy):
		writeBusy(w)
	case errors.Is(err, errWorkerDied):
		s.logf("solve: %v", err)
		writeError(w, http.StatusInternalServerError, workerDiedMsg)
	case r.Context().Err() != nil:
		// The client went away (or the server is shutting down): nobody
		// reads this answer, but keep it well-formed.
		writeBusy(w)
	default:
		s.logf("solve: %v", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
	return true
}

func (s *SudokuServer) logf(format string, args ...any) {
	if s.logger != nil {
		s.logger.Printf(format, args...)
	}
}

// workerDiedMsg is the error answered (500) to a request whose process
// worker died under it.
const workerDiedMsg = "internal error: the worker process died; a new one is starting"

//go:embed sudoku.html
var sudokuPage []byte

//go:embed favicon.svg
var faviconSVG []byte

func favicon(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=86400")
	_, _ = w.Write(faviconSVG)
}

func page(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(sudokuPage)
}
