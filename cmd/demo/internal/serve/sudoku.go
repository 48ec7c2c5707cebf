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
	Logger     *log.Logger // nil: no logs
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
}

// NewSudokuServer returns a server solving on a runner sized by cfg.
func NewSudokuServer(cfg SudokuConfig) *SudokuServer {
	var r runner
	if cfg.NoPool {
		r = &directRunner{}
	} else {
		r = newPoolRunner(cfg.Workers, cfg.Queue, cfg.WorkerNice)
	}
	return newSudokuServer(r, cfg.Logger)
}

func newSudokuServer(r runner, logger *log.Logger) *SudokuServer {
	s := &SudokuServer{r: r, logger: logger, solveBudget: sudoku.DefaultBudget, batchBudget: batchBudget}
	s.mux = newMux([]route{
		{"POST", "/solve", s.solve},
		{"POST", "/solve/batch", s.batch},
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

func (s *SudokuServer) solve(w http.ResponseWriter, r *http.Request) {
	var req SolveRequest
	if msg, ok := decodeBody(w, r, solveBodyLimit, &req); !ok {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	// Validation is cheap and stays on the request path; only solving
	// goes to the runner.
	g, err := sudoku.Parse(req.Puzzle)
	if err != nil {
		e := apiError{Error: "puzzle: " + err.Error()}
		if ce := (*sudoku.CellError)(nil); errors.As(err, &ce) {
			e.Cell = ce.Cell
		}
		writeJSON(w, http.StatusBadRequest, e)
		return
	}
	v, err := s.r.run(r.Context(), func(ctx context.Context) (any, error) {
		start := time.Now()
		res, err := sudoku.SolveBudget(ctx, g, s.solveBudget)
		return SolveResponse{Solution: res.Solution.String(), Unique: res.Unique, Ms: ms(time.Since(start))}, err
	})
	if s.failed(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, v)
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
	out := make([]BatchItem, len(grids))
	budget := s.batchBudget
	var busy time.Duration
	next := 0
	for first := true; next < len(grids); first = false {
		v, err := s.r.run(ctx, func(ctx context.Context) (any, error) {
			start := time.Now()
			i := next
			for ; i < len(grids) && (i == next || time.Since(start) < batchSlice); i++ {
				if budget == 0 {
					out[i] = BatchItem{Error: "too hard: batch budget exhausted"}
					continue
				}
				res, err := sudoku.SolveBudget(ctx, grids[i], min(budget, s.solveBudget))
				budget -= res.Nodes
				switch {
				case errors.Is(err, sudoku.ErrUnsolvable):
					out[i] = BatchItem{Error: "no solution"}
				case errors.Is(err, sudoku.ErrTooHard):
					out[i] = BatchItem{Error: tooHard}
				case err != nil:
					return i, err
				default:
					out[i] = BatchItem{Solution: res.Solution.String(), Unique: res.Unique}
				}
			}
			busy += time.Since(start)
			return i, nil
		})
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
		next = v.(int)
	}
	return BatchResponse{Results: out, Ms: ms(busy)}, nil
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
	case r.Context().Err() != nil:
		// The client went away (or the server is shutting down): nobody
		// reads this answer, but keep it well-formed.
		writeBusy(w)
	default:
		if s.logger != nil {
			s.logger.Printf("solve: %v", err)
		}
		writeError(w, http.StatusInternalServerError, "internal error")
	}
	return true
}

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
