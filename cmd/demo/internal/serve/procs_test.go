//go:build linux

package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// procStats reads GET /stats of a server on process workers.
func procStats(t *testing.T, h http.Handler) poolStats {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/stats", nil))
	require.Equal(t, 200, rec.Code)
	var st poolStats
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st), rec.Body.String())
	return st
}

func TestProcessSudoku(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Processes: 2, Queue: 4})
	defer s.Close(context.Background())
	h := s.Handler()

	unsolvable := []byte(classic)
	unsolvable[2] = '2'
	norvig := ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."
	tests := []struct {
		name, body string
		status     int
		want       string // in the body
	}{
		{"classic", `{"puzzle":"` + classic + `"}`, 200, classicS},
		{"inkala", `{"puzzle":"` + inkala + `"}`, 200, `"unique":true`},
		{"unsolvable", `{"puzzle":"` + string(unsolvable) + `"}`, 422, "no solution"},
		{"too hard", `{"puzzle":"` + norvig + `"}`, 422, tooHard},
		{"bad puzzle", `{"puzzle":"12"}`, 400, "81 cells"},
		{"text/plain", "", 415, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rec *httptest.ResponseRecorder
			if tc.status == 415 {
				req := httptest.NewRequest(http.MethodPost, "/solve", strings.NewReader(`{"puzzle":"`+classic+`"}`))
				req.Header.Set("Content-Type", "text/plain")
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, req)
			} else {
				rec = post(t, h, "/solve", tc.body)
			}
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Body.String(), tc.want)
		})
	}

	// A batch runs as chunks on the processes, each within the budgets.
	puzzles := make([]string, 300)
	for i := range puzzles {
		puzzles[i] = classic
	}
	puzzles[7] = string(unsolvable)
	puzzles[8] = norvig
	body, _ := json.Marshal(BatchRequest{Puzzles: puzzles})
	rec := post(t, h, "/solve/batch", string(body))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var res BatchResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	require.Len(t, res.Results, len(puzzles))
	assert.Equal(t, "no solution", res.Results[7].Error)
	assert.Equal(t, tooHard, res.Results[8].Error)
	assert.Equal(t, BatchItem{Solution: classicS, Unique: true}, res.Results[299])

	st := procStats(t, h)
	assert.Equal(t, "processes", st.Runner)
	assert.Equal(t, 2, st.MaxWorkers)
	assert.Greater(t, st.Completed, uint64(len(tests)), "the batch ran as several calls")
	assert.Zero(t, st.Failed)
}

// TestProcessBatchBudget: a batch's budget holds across process workers.
func TestProcessBatchBudget(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Processes: 1, Queue: 4})
	defer s.Close(context.Background())
	s.solveBudget = 10_000
	s.batchBudget = 2*s.solveBudget + 500
	norvig := ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."
	body, _ := json.Marshal(BatchRequest{Puzzles: []string{norvig, norvig, norvig, classic}})
	rec := post(t, s.Handler(), "/solve/batch", string(body))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var res BatchResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	assert.Equal(t, []BatchItem{{Error: tooHard}, {Error: tooHard}, {Error: tooHard}, {Error: batchSpent}}, res.Results)
}

// TestProcessCrash makes a solver or hasher process die in each way a
// process can (exit, SIGKILL, a nil dereference on a goroutine of its own)
// and checks that only that request fails, with a JSON 500, while the
// server goes on answering and a new process takes the dead one's place.
func TestProcessCrash(t *testing.T) {
	for _, mode := range []string{"exit", "kill", "segv"} {
		t.Run(mode, func(t *testing.T) {
			t.Setenv(CrashEnv, mode) // the children inherit it
			s := newSudoku(t, SudokuConfig{Processes: 2, Queue: 4})
			defer s.Close(context.Background())
			h := s.Handler()

			rec := post(t, h, "/solve", `{"puzzle":"`+CrashPuzzle+`"}`)
			require.Equal(t, 500, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, workerDiedMsg, errorOf(t, rec))

			for range 4 { // more calls than processes: every one answers
				rec = post(t, h, "/solve", `{"puzzle":"`+classic+`"}`)
				require.Equal(t, 200, rec.Code, rec.Body.String())
			}
			require.Eventually(t, func() bool {
				st := procStats(t, h)
				return st.Died == 1 && st.Restarts >= 1 && st.Workers == 2
			}, 10*time.Second, 5*time.Millisecond, "a new process replaces the dead one: %+v", procStats(t, h))

			// A stream whose process dies ends with the same error.
			rec = post(t, h, "/solve/all", `{"puzzle":"`+CrashPuzzle+`"}`)
			require.Equal(t, 500, rec.Code, rec.Body.String())
			assert.Equal(t, workerDiedMsg, errorOf(t, rec))
			rec = post(t, h, "/solve", `{"puzzle":"`+inkala+`"}`)
			require.Equal(t, 200, rec.Code, rec.Body.String())
		})
	}
}

func TestProcessAuthCrash(t *testing.T) {
	t.Setenv(CrashEnv, "segv")
	s, err := NewAuthServer(AuthConfig{Processes: 1, Queue: 2})
	require.NoError(t, err)
	defer s.Close(context.Background())
	h := s.Handler()

	rec := post(t, h, "/register", `{"user":"mallory","password":"`+CrashPassword+`"}`)
	require.Equal(t, 500, rec.Code, rec.Body.String())
	assert.Equal(t, workerDiedMsg, errorOf(t, rec))

	rec = post(t, h, "/register", `{"user":"alice","password":"correct horse"}`)
	require.Equal(t, 201, rec.Code, rec.Body.String())
	rec = post(t, h, "/login", `{"user":"alice","password":"correct horse"}`)
	require.Equal(t, 200, rec.Code, rec.Body.String())

	st := procStats(t, h)
	assert.Equal(t, "processes", st.Runner)
	assert.EqualValues(t, 1, st.Died)
}

// TestProcessBusy: a full queue of process workers is refused at once
// with 503 and Retry-After.
func TestProcessBusy(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Processes: 1, Queue: 1})
	defer s.Close(context.Background())
	s.solveBudget = 50_000_000 // Norvig's unsolvable puzzle runs for seconds
	norvig := ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 2)
	for range 2 { // one runs, one waits
		go func() {
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/solve", strings.NewReader(`{"puzzle":"`+norvig+`"}`))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			done <- rec.Code
		}()
	}
	require.Eventually(t, func() bool {
		st := procStats(t, s.Handler())
		return st.Running == 1 && st.Queued == 1
	}, 10*time.Second, time.Millisecond)
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 503, rec.Code, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	cancel() // the clients go away: their calls are cancelled
	for range 2 {
		<-done
	}
	rec = post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 200, rec.Code, fmt.Sprint(procStats(t, s.Handler())))
}
