package serve

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/workers"
)

// TestDisconnectCancelsPoolWork checks, over real TCP and on the real
// workers.Pool, that a client that goes away cancels its task: a queued
// solve is dropped without running, and a running batch stops early.
func TestDisconnectCancelsPoolWork(t *testing.T) {
	r := newPoolRunner(1, 4, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, ln, newSudokuServer(r, nil), 5*time.Second, nil) }()
	defer func() { stop(); require.NoError(t, <-errc) }()
	url := "http://" + ln.Addr().String()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	stats := func() workers.Stats { return r.p.Stats() }

	// A request the client abandons, started in the background.
	abandon := func(path, body string) (cancel func(), done <-chan struct{}) {
		ctx, cancel := context.WithCancel(context.Background())
		d := make(chan struct{})
		go func() {
			defer close(d)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := client.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
		return cancel, d
	}

	// Queued: the only worker is busy, so the solve waits in the queue.
	gate := make(chan struct{})
	blocked := make(chan struct{})
	go func() {
		defer close(blocked)
		_, _ = r.run(context.Background(), func(context.Context) (any, error) { <-gate; return nil, nil })
	}()
	require.Eventually(t, func() bool { return stats().Running == 1 }, 5*time.Second, time.Millisecond)
	cancel, done := abandon("/solve", `{"puzzle":"`+classic+`"}`)
	require.Eventually(t, func() bool { return stats().Queued == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	<-done
	require.Eventually(t, func() bool { return stats().Cancelled == 1 && stats().Queued == 0 }, 5*time.Second, time.Millisecond,
		"the server must notice the closed connection and drop the queued task")
	close(gate)
	<-blocked
	require.Eventually(t, func() bool { return stats().Running == 0 }, 5*time.Second, time.Millisecond)
	assert.EqualValues(t, 1, stats().Completed, "only the blocking task ran")

	// Running: a batch of the hardest puzzle, abandoned as soon as it runs.
	puzzles := make([]string, MaxBatch)
	for i := range puzzles {
		puzzles[i] = inkala
	}
	body, err := json.Marshal(BatchRequest{Puzzles: puzzles})
	require.NoError(t, err)
	cancel, done = abandon("/solve/batch", string(body))
	// Running counts a task from its hand-off to the worker; give the
	// worker time to start it (the batch takes far longer than this).
	require.Eventually(t, func() bool { return stats().Running == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	cancel()
	<-done
	require.Eventually(t, func() bool { return stats().Running == 0 }, 5*time.Second, time.Millisecond)
	st := stats()
	// The batch runs as chunks of a few ms each: the chunk running when
	// the client left was cancelled or finished, and no chunk ran after
	// it. The whole batch is about 200 chunks.
	assert.Less(t, st.Completed, uint64(100), "the batch did not run to its end")
	completed := st.Completed
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, completed, stats().Completed, "no chunk runs after the client left")

	// The server still solves.
	resp, err := client.Post(url+"/solve", "application/json", strings.NewReader(`{"puzzle":"`+classic+`"}`))
	require.NoError(t, err)
	var res SolveResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	resp.Body.Close()
	assert.Equal(t, classicS, res.Solution)
}

// TestShutdownCancelsAfterGrace checks that Run, once the grace period is
// over, cancels the work still running instead of waiting for it, and
// still returns nil.
func TestShutdownCancelsAfterGrace(t *testing.T) {
	r := newPoolRunner(1, 1, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	const grace = 100 * time.Millisecond
	go func() { errc <- Run(ctx, ln, newSudokuServer(r, nil), grace, nil) }()
	url := "http://" + ln.Addr().String()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()

	puzzles := make([]string, MaxBatch)
	for i := range puzzles {
		puzzles[i] = inkala
	}
	body, err := json.Marshal(BatchRequest{Puzzles: puzzles})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := (&http.Client{Transport: tr}).Post(url+"/solve/batch", "application/json", strings.NewReader(string(body)))
		if err == nil {
			resp.Body.Close()
		}
	}()
	require.Eventually(t, func() bool { return r.p.Stats().Running == 1 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	stop()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its grace period")
	}
	assert.Less(t, time.Since(start), 5*time.Second)
	<-done
	st := r.p.Stats()
	// The chunk running at the deadline was cancelled, or had just ended
	// and no other started.
	assert.LessOrEqual(t, st.CancelledRunning, uint64(1))
	assert.Less(t, st.Completed, uint64(100), "the batch (about 200 chunks) did not run to its end")
	assert.True(t, st.Closed)
}
