package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
	"github.com/sharc-go/sharc/workers"
)

// Bounds of POST /solve/all.
const (
	// MaxSolutions is the most solutions one request may ask for.
	MaxSolutions = 1000
	// DefaultSolutions is how many it gets when it does not say.
	DefaultSolutions = 100
	// allBudget is the search nodes one stream may spend: a single
	// solve's budget.
	allBudget = sudoku.DefaultBudget
)

// AllRequest is the body of POST /solve/all.
type AllRequest struct {
	Puzzle string `json:"puzzle"`
	// Limit is how many solutions to send at most, 1..MaxSolutions;
	// 0 means DefaultSolutions.
	Limit int `json:"limit,omitempty"`
}

// AllLine is one line of POST /solve/all's NDJSON answer: a solution, or
// the last line, which says the stream is done, how many solutions it
// sent and, if the search stopped early, why.
type AllLine struct {
	Solution string `json:"solution,omitempty"`
	Done     bool   `json:"done,omitempty"`
	Count    int    `json:"count,omitempty"`
	Error    string `json:"error,omitempty"`
}

// all answers POST /solve/all: the puzzle's solutions as NDJSON, one line
// each as the search finds them, then a line with "done". The status is
// chosen when the first solution arrives, so a puzzle with none, a busy
// server or a failed worker get the JSON errors /solve gives. A client
// that goes away cancels the search.
func (s *SudokuServer) all(w http.ResponseWriter, r *http.Request) {
	var req AllRequest
	if msg, ok := decodeBody(w, r, solveBodyLimit, &req); !ok {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = min(DefaultSolutions, s.allLimit)
	case limit < 0 || limit > s.allLimit:
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`"limit" must be 1..%d, got %d`, s.allLimit, limit))
		return
	}
	g, ok := parsePuzzle(w, req.Puzzle)
	if !ok {
		return
	}
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		writeBusy(w)
		return
	}

	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	count := 0
	for sol, err := range s.solutions(r.Context(), g, limit) {
		if err != nil {
			if count == 0 {
				s.failed(w, r, err)
				return
			}
			last := AllLine{Done: true, Count: count, Error: err.Error()}
			if errors.Is(err, sudoku.ErrTooHard) {
				last.Error = tooHard
			} else if errors.Is(err, errWorkerDied) {
				s.logf("solve/all: %v", err)
				last.Error = workerDiedMsg
			}
			_ = enc.Encode(last)
			return
		}
		if count == 0 {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
		}
		count++
		if enc.Encode(AllLine{Solution: sol.String()}) != nil || rc.Flush() != nil {
			return // the client went away: leaving the loop cancels the search
		}
	}
	if count == 0 { // only a stream stopped by a leaving client ends so
		writeBusy(w)
		return
	}
	_ = enc.Encode(AllLine{Done: true, Count: count})
}

// solutions returns the solutions of g, up to limit, from the runner; a
// puzzle with none ends with sudoku.ErrUnsolvable, a search over budget
// with sudoku.ErrTooHard. Leaving the range early cancels the search.
func (s *SudokuServer) solutions(ctx context.Context, g sudoku.Grid, limit int) iter.Seq2[sudoku.Grid, error] {
	switch r := s.r.(type) {
	case *procRunner:
		return func(yield func(sudoku.Grid, error) bool) {
			for b, err := range r.stream(ctx, taskAll, encodeAll(g, limit, s.allBudget)) {
				switch {
				case err != nil:
					yield(sudoku.Grid{}, err)
					return
				case len(b) == 81:
					if !yield(sudoku.Grid(b), nil) {
						return
					}
				case len(b) == 1:
					if err := errOf(b[0]); err != nil {
						yield(sudoku.Grid{}, err)
					}
					return
				default:
					yield(sudoku.Grid{}, fmt.Errorf("serve: solve/all item of %d bytes from a worker", len(b)))
					return
				}
			}
		}
	case *poolRunner:
		return poolStream(ctx, r, func(ctx context.Context, yield func(sudoku.Grid) bool) error {
			return allTask(ctx, g, limit, s.allBudget, yield)
		})
	}
	// The other runners run a task on the handler's goroutine: the search
	// yields straight into the handler's loop.
	return func(yield func(sudoku.Grid, error) bool) {
		stopped := false
		_, err := s.r.run(ctx, func(ctx context.Context) (any, error) {
			return nil, allTask(ctx, g, limit, s.allBudget, func(sol sudoku.Grid) bool {
				stopped = !yield(sol, nil)
				return !stopped
			})
		})
		if err != nil && !stopped {
			yield(sudoku.Grid{}, err)
		}
	}
}

// poolStream runs task on r's pool with workers.Stream, on a niced thread
// as r.run would, and reports a closed pool as errBusy.
func poolStream[T any](ctx context.Context, r *poolRunner, task func(ctx context.Context, yield func(T) bool) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for v, err := range workers.Stream(ctx, r.p, func(ctx context.Context, y func(T) bool) error {
			if r.nice > 0 {
				_ = lowerThreadPriority(r.nice)
			}
			return task(ctx, y)
		}) {
			if errors.Is(err, workers.ErrClosed) {
				r.rejected.Add(1)
				err = fmt.Errorf("%w: %w: %w", errBusy, errRunnerClosed, err)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// streamSlots is how many POST /solve/all streams a server on r runs at
// once: one per worker.
func streamSlots(r runner) int {
	switch r := r.(type) {
	case *poolRunner:
		return r.p.Stats().MaxWorkers
	case *procRunner:
		return r.p.Stats().MaxWorkers
	case *localRunner:
		return r.workers
	}
	return 1024 // the naive server bounds nothing else either
}
