package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
)

// allRunners returns a sudoku server on each kind of runner.
func allRunners(t *testing.T) map[string]func() (*SudokuServer, func() int64) {
	t.Helper()
	m := map[string]func() (*SudokuServer, func() int64){
		"local": func() (*SudokuServer, func() int64) {
			r := newLocalRunner(2, 4)
			return newSudokuServer(r, nil), r.running.Load
		},
		"goroutines": func() (*SudokuServer, func() int64) {
			r := newPoolRunner(2, 4, 5)
			return newSudokuServer(r, nil), func() int64 { return r.p.Stats().Running }
		},
	}
	if runtime.GOOS == "linux" {
		m["processes"] = func() (*SudokuServer, func() int64) {
			r, err := newProcRunner(2, 4, 0)
			require.NoError(t, err)
			return newSudokuServer(r, nil), func() int64 { return r.p.Stats().Running }
		}
	}
	return m
}

// readLines decodes an NDJSON answer.
func readLines(t *testing.T, body string) []AllLine {
	t.Helper()
	var lines []AllLine
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		var l AllLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		lines = append(lines, l)
	}
	return lines
}

func TestSolveAll(t *testing.T) {
	empty := strings.Repeat(".", 81)
	unsolvable := []byte(classic)
	unsolvable[2] = '2'
	for name, mk := range allRunners(t) {
		t.Run(name, func(t *testing.T) {
			s, _ := mk()
			defer s.Close(context.Background())
			h := s.Handler()

			// Several solutions: each a valid grid, distinct, then done.
			rec := post(t, h, "/solve/all", `{"puzzle":"`+empty+`","limit":25}`)
			require.Equal(t, 200, rec.Code, rec.Body.String())
			assert.Equal(t, "application/x-ndjson", rec.Header().Get("Content-Type"))
			lines := readLines(t, rec.Body.String())
			require.Len(t, lines, 26)
			seen := map[string]bool{}
			for _, l := range lines[:25] {
				g, err := sudoku.Parse(l.Solution)
				require.NoError(t, err)
				require.True(t, sudoku.Valid(g), l.Solution)
				require.False(t, seen[l.Solution], "solution sent twice")
				seen[l.Solution] = true
			}
			assert.Equal(t, AllLine{Done: true, Count: 25}, lines[25])

			// A unique puzzle: its solution, then done.
			rec = post(t, h, "/solve/all", `{"puzzle":"`+classic+`"}`)
			require.Equal(t, 200, rec.Code, rec.Body.String())
			assert.Equal(t, []AllLine{{Solution: classicS}, {Done: true, Count: 1}}, readLines(t, rec.Body.String()))

			// Over budget after some solutions: the last line says so.
			s.allBudget = 300
			rec = post(t, h, "/solve/all", `{"puzzle":"`+empty+`","limit":1000}`)
			require.Equal(t, 200, rec.Code, rec.Body.String())
			lines = readLines(t, rec.Body.String())
			last := lines[len(lines)-1]
			assert.Equal(t, AllLine{Done: true, Count: len(lines) - 1, Error: tooHard}, last)
			assert.Greater(t, len(lines), 2)
			s.allBudget = allBudget

			// Errors before any solution are the JSON errors of /solve.
			for _, tc := range []struct {
				body   string
				status int
				msg    string
			}{
				{`{"puzzle":"` + string(unsolvable) + `"}`, 422, "no solution"},
				{`{"puzzle":"` + classic + `","limit":1001}`, 400, `"limit" must be 1..1000, got 1001`},
				{`{"puzzle":"` + classic + `","limit":-1}`, 400, `"limit" must be 1..1000`},
				{`{"puzzle":"1"}`, 400, "81 cells"},
			} {
				rec = post(t, h, "/solve/all", tc.body)
				require.Equal(t, tc.status, rec.Code, rec.Body.String())
				assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
				assert.Contains(t, errorOf(t, rec), tc.msg)
			}
		})
	}
}

// TestSolveAllDisconnect: a client that reads one solution of a puzzle
// with millions and goes away cancels the search; its worker is free at
// once instead of running to the end of the stream.
func TestSolveAllDisconnect(t *testing.T) {
	empty := strings.Repeat(".", 81)
	for name, mk := range allRunners(t) {
		t.Run(name, func(t *testing.T) {
			s, running := mk()
			defer s.Close(context.Background())
			s.allLimit = 10_000_000 // minutes of search, were it not cancelled
			s.allBudget = math.MaxInt32
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()

			resp, err := http.Post(srv.URL+"/solve/all", "application/json", strings.NewReader(`{"puzzle":"`+empty+`","limit":10000000}`))
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			line, err := bufio.NewReader(resp.Body).ReadString('\n')
			require.NoError(t, err)
			assert.Contains(t, line, `"solution"`)
			require.EqualValues(t, 1, running(), "the search runs")
			resp.Body.Close() // unread: closes the connection
			start := time.Now()
			require.Eventually(t, func() bool { return running() == 0 }, 5*time.Second, time.Millisecond,
				"the search must stop when its client goes away")
			t.Logf("search stopped %v after the client left", time.Since(start))

			// The stream slot is free again.
			rec := post(t, s.Handler(), "/solve/all", `{"puzzle":"`+classic+`"}`)
			require.Equal(t, 200, rec.Code, rec.Body.String())
		})
	}
}

// TestSolveAllBusy: streams beyond one per worker are refused with 503.
func TestSolveAllBusy(t *testing.T) {
	r := newLocalRunner(1, 4)
	s := newSudokuServer(r, nil)
	defer s.Close(context.Background())
	s.streams <- struct{}{} // a stream is running
	rec := post(t, s.Handler(), "/solve/all", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 503, rec.Code, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	<-s.streams
	rec = post(t, s.Handler(), "/solve/all", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 200, rec.Code, rec.Body.String())
}
