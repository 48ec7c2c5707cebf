package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
)

// norvigImpossible has consistent givens and no solution; an unbounded
// search takes seconds on it.
const norvigImpossible = ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."

func TestSolveBudget422(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1, Queue: 1})
	defer s.Close(context.Background())
	if raceEnabled {
		s.solveBudget /= 10
	}
	start := time.Now()
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+norvigImpossible+`"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"error":"too hard: search budget exhausted"}`, rec.Body.String())
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestSolveErrorNamesCell(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1})
	defer s.Close(context.Background())
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"55`+classic[2:]+`"}`)
	require.Equal(t, 400, rec.Code)
	var e apiError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	assert.Equal(t, 2, e.Cell, "the second 5, 1-based")
	rec = post(t, s.Handler(), "/solve", `{"puzzle":"é`+classic[1:]+`"}`)
	require.Equal(t, 400, rec.Code)
	assert.Contains(t, errorOf(t, rec), `'é' at cell 1 (row 1, column 1)`)
}

// TestBatchBudget checks that a batch of puzzles built to exhaust the
// search stops at the batch's budget: a bounded number of them are tried,
// the rest answered without work.
func TestBatchBudget(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1, Queue: 1})
	defer s.Close(context.Background())
	s.solveBudget = 10_000
	s.batchBudget = 2*s.solveBudget + 500
	puzzles := make([]string, 10)
	for i := range puzzles {
		puzzles[i] = norvigImpossible
	}
	puzzles[0] = classic
	body, _ := json.Marshal(BatchRequest{Puzzles: puzzles})
	rec := post(t, s.Handler(), "/solve/batch", string(body))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var res BatchResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	require.Len(t, res.Results, 10)
	assert.Equal(t, classicS, res.Results[0].Solution)
	for i, r := range res.Results[1:] {
		if i < 3 { // the third gets what the first two and classic left
			assert.Equal(t, tooHard, r.Error, i)
		} else {
			assert.Equal(t, "too hard: batch budget exhausted", r.Error, i)
		}
	}
}

// TestBatchDoesNotStarveSolves runs a long batch on the only worker and
// checks that a single solve sent meanwhile is answered long before the
// batch ends: the batch yields the worker between chunks.
func TestBatchDoesNotStarveSolves(t *testing.T) {
	r := newLocalRunner(1, 4)
	s := newSudokuServer(r, nil)
	defer s.Close(context.Background())
	puzzles := make([]string, 300)
	for i := range puzzles {
		puzzles[i] = inkala
	}
	body, _ := json.Marshal(BatchRequest{Puzzles: puzzles})
	batchDone := make(chan time.Time, 1)
	go func() {
		rec := post(t, s.Handler(), "/solve/batch", string(body))
		assert.Equal(t, 200, rec.Code)
		batchDone <- time.Now()
	}()
	require.Eventually(t, func() bool { return r.running.Load() == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	solved := time.Now()
	require.Equal(t, 200, rec.Code, rec.Body.String())
	end := <-batchDone
	t.Logf("single solve answered in %v; the batch ended %v later", solved.Sub(start), end.Sub(solved))
	assert.True(t, solved.Before(end), "the single solve must not wait for the whole batch")
	assert.Greater(t, end.Sub(solved), solved.Sub(start), "the solve waited less than the rest of the batch took")
	assert.Greater(t, r.completed.Load(), int64(2), "the batch ran as several tasks")
}

func TestBatchStopsWhenRunnerCloses(t *testing.T) {
	r := newLocalRunner(1, 0)
	s := newSudokuServer(r, nil)
	grids := []sudoku.Grid{}
	g, _ := sudoku.Parse(classic)
	for range 3 {
		grids = append(grids, g)
	}
	require.NoError(t, s.Close(context.Background()))
	_, err := s.solveBatch(context.Background(), grids)
	require.ErrorIs(t, err, errBusy)
}
