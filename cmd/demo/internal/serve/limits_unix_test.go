//go:build unix

package serve

import (
	"context"
	"fmt"
	"net"
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

// serveFdChild is the server TestFdExhaustion runs: a descriptor limit of
// 64 and a connection cap far above it, so accepts fail with EMFILE. It
// prints its address and serves until killed.
func serveFdChild() {
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Println("setrlimit:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	s, err := NewSudokuServer(SudokuConfig{Workers: 1, Queue: 2})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	_ = RunLimited(context.Background(), ln, s, time.Second, nil, Limits{MaxConns: 10000})
	os.Exit(0)
}

// TestFdExhaustion holds more idle connections than the server has
// descriptors and checks that /healthz still answers.
func TestFdExhaustion(t *testing.T) {
	if testchild.Is(t.Name()) {
		serveFdChild()
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	_, line := startChild(t, t.Name())
	addr := strings.TrimSpace(line)
	require.NotContains(t, addr, " ", "child said %q", addr)

	holdIdle(t, addr, 150)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	start := time.Now()
	resp, err := client.Get("http://" + addr + "/healthz")
	require.NoError(t, err, "/healthz must answer while idle clients hold every descriptor")
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	t.Logf("/healthz answered in %v", time.Since(start))
}
