//go:build unix

package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
)

// serveSignalChild is the process TestSignalShutdown signals: the sudoku
// or auth server, as the demo commands run it, exiting 0 after a clean
// shutdown and 1 otherwise, as cmd/demo's main does.
func serveSignalChild(kind string) {
	logger := log.New(os.Stderr, kind+": ", 0)
	var (
		s   Server
		err error
	)
	switch kind {
	case "sudoku":
		s, err = NewSudokuServer(SudokuConfig{Workers: 1, Queue: 4, WorkerNice: 10, Logger: logger})
	case "auth":
		s, err = NewAuthServer(AuthConfig{Workers: 1, Queue: 4, WorkerNice: 10, Logger: logger})
	}
	if err == nil {
		err = ListenAndServeUntilSignal("127.0.0.1:0", s, 20*time.Second, Limits{}, logger, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestSignalShutdown runs each server in a child process, signals it with
// SIGINT or SIGTERM while a request is running on the pool, and checks
// that the request still gets its full answer, that the process exits 0,
// and that it says it stopped cleanly.
func TestSignalShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	puzzles := make([]string, 60)
	for i := range puzzles {
		puzzles[i] = inkala
	}
	batch, err := json.Marshal(BatchRequest{Puzzles: puzzles})
	require.NoError(t, err)
	tests := []struct {
		kind   string
		sig    syscall.Signal
		path   string
		body   string
		status int
	}{
		{"sudoku", syscall.SIGTERM, "/solve/batch", string(batch), 200},
		{"sudoku", syscall.SIGINT, "/solve/batch", string(batch), 200},
		{"auth", syscall.SIGTERM, "/register", `{"user":"alice","password":"correct horse"}`, 201},
		{"auth", syscall.SIGINT, "/register", `{"user":"alice","password":"correct horse"}`, 201},
	}
	for _, tc := range tests {
		t.Run(tc.kind+"_"+tc.sig.String(), func(t *testing.T) {
			if testchild.Is(t.Name()) {
				serveSignalChild(tc.kind)
			}
			c, line := startChild(t, t.Name())
			addr, ok := strings.CutPrefix(line, "listening on ")
			require.True(t, ok, "child said %q", line)
			url, _, _ := strings.Cut(addr, " ")

			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			type answer struct {
				status int
				body   []byte
				err    error
			}
			done := make(chan answer, 1)
			go func() {
				resp, err := client.Post(url+tc.path, "application/json", strings.NewReader(tc.body))
				if err != nil {
					done <- answer{err: err}
					return
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				done <- answer{resp.StatusCode, b, err}
			}()
			// Signal only once the request runs on the pool.
			require.Eventually(t, func() bool {
				resp, err := client.Get(url + "/stats")
				if err != nil {
					return false
				}
				defer resp.Body.Close()
				var st struct{ Running int }
				return json.NewDecoder(resp.Body).Decode(&st) == nil && st.Running == 1
			}, 20*time.Second, 2*time.Millisecond, "the request never ran")
			require.NoError(t, c.Cmd.Process.Signal(tc.sig))

			a := <-done
			require.NoError(t, a.err)
			require.Equal(t, tc.status, a.status, string(a.body))
			if tc.kind == "sudoku" {
				var res BatchResponse
				require.NoError(t, json.Unmarshal(a.body, &res))
				require.Len(t, res.Results, len(puzzles))
				assert.NotEmpty(t, res.Results[len(puzzles)-1].Solution)
			}
			res := c.Wait()
			require.Equal(t, 0, res.Code, res)
			assert.Contains(t, res.Stderr, "shutting down: finishing in-flight requests")
			assert.Contains(t, res.Stderr, "stopped cleanly")
			// The listener is gone with the process.
			_, err = client.Get(url + "/healthz")
			assert.Error(t, err)
		})
	}
}
