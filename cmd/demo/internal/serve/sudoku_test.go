package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sharc-go/sharc/cmd/demo/internal/sudoku"
	"github.com/sharc-go/sharc/workers/proc"
)

func TestMain(m *testing.M) {
	// Process workers (Processes > 0) are this test binary started again.
	proc.RunChildIfRequested()
	goleak.VerifyTestMain(m)
}

const (
	classic  = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	classicS = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
	inkala   = "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."
)

// newSudoku returns a sudoku server made by NewSudokuServer.
func newSudoku(t testing.TB, cfg SudokuConfig) *SudokuServer {
	t.Helper()
	s, err := NewSudokuServer(cfg)
	require.NoError(t, err)
	return s
}

func post(t *testing.T, h http.Handler, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var e apiError
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	return e.Error
}

func TestSolveStatuses(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 2, Queue: 4})
	defer s.Close(context.Background())
	h := s.Handler()

	unsolvable := []byte(classic)
	unsolvable[2] = '2'
	tests := []struct {
		name   string
		body   string
		status int
		errMsg string
	}{
		{"classic", `{"puzzle":"` + classic + `"}`, 200, ""},
		{"zeros", `{"puzzle":"` + strings.ReplaceAll(classic, ".", "0") + `"}`, 200, ""},
		{"short", `{"puzzle":"123"}`, 400, "81 cells, got 3"},
		{"bad char", `{"puzzle":"x` + classic[1:] + `"}`, 400, "bad character"},
		{"contradiction", `{"puzzle":"55` + classic[2:] + `"}`, 400, "contradictory givens"},
		{"not JSON", `puzzle=1`, 400, "not JSON"},
		{"truncated JSON", `{"puzzle":`, 400, "not JSON"},
		{"empty body", ``, 400, "empty body"},
		{"wrong type", `{"puzzle":5}`, 400, `field "puzzle" must be string`},
		{"two values", `{"puzzle":"` + classic + `"} {}`, 400, "more than one"},
		{"too large", `{"puzzle":"` + strings.Repeat(".", 5000) + `"}`, 400, "body too large"},
		{"unsolvable", `{"puzzle":"` + string(unsolvable) + `"}`, 422, "no solution"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, h, "/solve", tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			if tc.status != 200 {
				assert.Contains(t, errorOf(t, rec), tc.errMsg)
				return
			}
			var res SolveResponse
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
			assert.Equal(t, classicS, res.Solution)
			assert.True(t, res.Unique)
			assert.GreaterOrEqual(t, res.Ms, 0.0)
		})
	}
}

func TestSolveNotUnique(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1})
	defer s.Close(context.Background())
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+strings.Repeat(".", 81)+`"}`)
	require.Equal(t, 200, rec.Code)
	var res SolveResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	assert.False(t, res.Unique)
	g, err := sudoku.Parse(res.Solution)
	require.NoError(t, err)
	assert.True(t, sudoku.Valid(g))
}

func TestBatch(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 2, Queue: 2})
	defer s.Close(context.Background())
	h := s.Handler()

	unsolvable := []byte(classic)
	unsolvable[2] = '2'
	body, _ := json.Marshal(BatchRequest{Puzzles: []string{classic, inkala, string(unsolvable), classic}})
	rec := post(t, h, "/solve/batch", string(body))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	var res BatchResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	require.Len(t, res.Results, 4)
	assert.Equal(t, classicS, res.Results[0].Solution)
	assert.Equal(t, classicS, res.Results[3].Solution)
	assert.Contains(t, res.Results[2].Error, "no solution")
	g, err := sudoku.Parse(res.Results[1].Solution)
	require.NoError(t, err)
	assert.True(t, sudoku.Valid(g))

	tooMany, _ := json.Marshal(BatchRequest{Puzzles: make([]string, MaxBatch+1)})
	bad, _ := json.Marshal(BatchRequest{Puzzles: []string{classic, "12"}})
	for _, tc := range []struct{ body, msg string }{
		{`{"puzzles":[]}`, "at least one"},
		{string(tooMany), "at most 1000 puzzles per batch, got 1001"},
		{string(bad), "puzzle 1: sudoku: puzzle must have 81 cells, got 2"},
		{`[1,2]`, "must be"},
	} {
		rec := post(t, h, "/solve/batch", tc.body)
		require.Equal(t, 400, rec.Code, rec.Body.String())
		assert.Contains(t, errorOf(t, rec), tc.msg)
	}

	// The largest batch is accepted.
	full := make([]string, MaxBatch)
	for i := range full {
		full[i] = classic
	}
	body, _ = json.Marshal(BatchRequest{Puzzles: full})
	rec = post(t, h, "/solve/batch", string(body))
	require.Equal(t, 200, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	require.Len(t, res.Results, MaxBatch)
	assert.Equal(t, classicS, res.Results[MaxBatch-1].Solution)
}

// blockWorkers fills n worker slots of r with tasks that wait for release.
func blockWorkers(t *testing.T, r *localRunner, n int) (release func()) {
	t.Helper()
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = r.run(context.Background(), func(context.Context) (any, error) { <-gate; return nil, nil })
		}()
	}
	require.Eventually(t, func() bool { return r.running.Load() == int64(n) }, 5*time.Second, time.Millisecond)
	return func() { close(gate); wg.Wait() }
}

func TestBusy503AndHealthz(t *testing.T) {
	r := newLocalRunner(1, 0)
	s := newSudokuServer(r, nil)
	defer s.Close(context.Background())
	release := blockWorkers(t, r, 1)

	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Contains(t, errorOf(t, rec), "busy")

	// Health and stats never touch the runner.
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	hrec := httptest.NewRecorder()
	s.Handler().ServeHTTP(hrec, req)
	assert.Equal(t, 200, hrec.Code)
	assert.Equal(t, "ok\n", hrec.Body.String())

	srec := httptest.NewRecorder()
	s.Handler().ServeHTTP(srec, httptest.NewRequest(http.MethodGet, "/stats", nil))
	require.Equal(t, 200, srec.Code)
	var st localStats
	require.NoError(t, json.Unmarshal(srec.Body.Bytes(), &st))
	assert.EqualValues(t, 1, st.Running)
	assert.EqualValues(t, 1, st.Rejected)

	release()
	rec = post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 200, rec.Code)
}

func TestClientDisconnectCancelsQueuedTask(t *testing.T) {
	r := newLocalRunner(1, 4)
	s := newSudokuServer(r, nil)
	defer s.Close(context.Background())
	release := blockWorkers(t, r, 1)

	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/solve", strings.NewReader(`{"puzzle":"`+classic+`"}`))
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}()
	require.Eventually(t, func() bool { return r.queued.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	<-done
	assert.EqualValues(t, 1, r.cancelled.Load())
	assert.EqualValues(t, 0, r.queued.Load())
	release()
	assert.EqualValues(t, 1, r.completed.Load(), "only the blocking task ran; the abandoned solve did not")
}

func TestPageAndMethods(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1})
	defer s.Close(context.Background())
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), `fetch("/solve"`)
	assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")

	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/solve", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestNoPoolSolves(t *testing.T) {
	s := newSudoku(t, SudokuConfig{NoPool: true})
	defer s.Close(context.Background())
	rec := post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`)
	require.Equal(t, 200, rec.Code)
	assert.Contains(t, rec.Body.String(), classicS)
}

func TestRunGracefulShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := newSudoku(t, SudokuConfig{Workers: 1, Queue: 1})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, ln, s, 2*time.Second, nil) }()

	url := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(url+"/solve", "application/json", bytes.NewBufferString(`{"puzzle":"`+inkala+`"}`))
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(b))

	cancel()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	client.CloseIdleConnections()
	_, err = client.Get(url + "/healthz")
	require.Error(t, err, "the server must stop accepting")
}

func TestStatsJSONFields(t *testing.T) {
	s := newSudoku(t, SudokuConfig{Workers: 1})
	defer s.Close(context.Background())
	require.Equal(t, 200, post(t, s.Handler(), "/solve", `{"puzzle":"`+classic+`"}`).Code)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/stats", nil))
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	for _, k := range []string{"queued", "running", "completed", "failed", "rejected", "cancelled", "utilization", "wait", "run"} {
		assert.Contains(t, m, k)
	}
	assert.EqualValues(t, 1, m["completed"])
}
