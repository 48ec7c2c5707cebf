//go:build unix

package main

import (
	"bytes"
	"os"
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
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.ready) })
	return w.buf.Write(p)
}

func TestSudokuServerSIGTERM(t *testing.T) {
	out := &lineWriter{ready: make(chan struct{})}
	var errb bytes.Buffer
	errc := make(chan error, 1)
	go func() { errc <- runSudokuServer([]string{"-addr", "127.0.0.1:0", "-workers", "1"}, out, &errb) }()
	select {
	case <-out.ready:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop on SIGTERM")
	}
	assert.Contains(t, errb.String(), "stopped cleanly")
}
