package serve

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startLimited serves a sudoku server on loopback within lim for the
// test's duration and returns its address.
func startLimited(t *testing.T, lim Limits) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := newSudoku(t, SudokuConfig{Workers: 1, Queue: 2})
	ctx, stop := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- RunLimited(ctx, ln, s, time.Second, nil, lim) }()
	t.Cleanup(func() { stop(); require.NoError(t, <-errc) })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes c (after any answer)
// within d.
func closedWithin(t *testing.T, c net.Conn, d time.Duration) bool {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(d)))
	_, err := io.Copy(io.Discard, c)
	return err == nil // EOF, not the deadline
}

func TestTimeouts(t *testing.T) {
	addr := startLimited(t, Limits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("slow headers", func(t *testing.T) {
		c := dial()
		_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
		require.NoError(t, err)
		assert.True(t, closedWithin(t, c, 3*time.Second), "a connection that never ends its headers is closed")
	})
	t.Run("slow body", func(t *testing.T) {
		c := dial()
		_, err := io.WriteString(c, "POST /solve HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"puz")
		require.NoError(t, err)
		start := time.Now()
		assert.True(t, closedWithin(t, c, 3*time.Second), "a body that never arrives is cut off")
		assert.Less(t, time.Since(start), 2*time.Second)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial()
		_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		assert.True(t, closedWithin(t, c, 3*time.Second), "an idle keep-alive connection is closed")
	})
}

// TestManyIdleConnections opens more silent connections than the cap and
// checks that /healthz still answers: the limiter closes the longest idle.
func TestManyIdleConnections(t *testing.T) {
	addr := startLimited(t, Limits{MaxConns: 8})
	conns := holdIdle(t, addr, 40)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 3 * time.Second}
	for range 3 {
		resp, err := client.Get("http://" + addr + "/healthz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
	}
	// Most silent connections were closed by the server.
	closed := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	assert.GreaterOrEqual(t, closed, 40-8)
}

// holdIdle opens n connections to addr that send nothing, closed when the
// test ends, and returns them.
func holdIdle(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	return conns
}
