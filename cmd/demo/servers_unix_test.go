//go:build unix

package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineWriter signals when the first write arrives: the server prints its
// address only after the signal handler is installed.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	w.mu.Unlock()
	w.once.Do(func() { close(w.ready) })
	return n, err
}

// String returns what has been written so far.
func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestSudokuServerSIGTERM(t *testing.T) {
	for _, args := range [][]string{{"-workers", "1"}, {"-processes", "2"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if args[0] == "-processes" && runtime.GOOS != "linux" {
				t.Skip("process workers run on Linux")
			}
			out := &lineWriter{ready: make(chan struct{})}
			var errb bytes.Buffer
			errc := make(chan error, 1)
			go func() { errc <- runSudokuServer(append([]string{"-addr", "127.0.0.1:0"}, args...), out, &errb) }()
			select {
			case <-out.ready:
			case err := <-errc:
				t.Fatal(err)
			case <-time.After(10 * time.Second):
				t.Fatal("server did not start")
			}
			addr, ok := strings.CutPrefix(strings.Fields(out.String())[2], "http://")
			require.True(t, ok, out.String())
			resp, err := http.Post("http://"+addr+"/solve", "application/json", strings.NewReader(`{"puzzle":"`+hardPuzzle+`"}`))
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Equal(t, 200, resp.StatusCode, string(b))
			resp, err = http.Get("http://" + addr + "/stats")
			require.NoError(t, err)
			b, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			want := "goroutines"
			if args[0] == "-processes" {
				want = "processes"
			}
			assert.Contains(t, string(b), `"runner":"`+want+`"`)
			http.DefaultClient.CloseIdleConnections()

			require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
			select {
			case err := <-errc:
				require.NoError(t, err)
			case <-time.After(15 * time.Second):
				t.Fatal("server did not stop on SIGTERM")
			}
			assert.Contains(t, errb.String(), "stopped cleanly")
		})
	}
}
