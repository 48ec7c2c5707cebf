package serve

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/sharc-go/sharc/internal/testchild"
)

// startChild runs the test called name in a child process (testchild)
// with env added, and returns it with the first line it printed: the
// servers these tests start print their address once they listen. The
// child is killed when the test ends.
func startChild(t *testing.T, name string, env ...string) (*testchild.Child, string) {
	t.Helper()
	c := testchild.Command(t, name, env...)
	first := &firstLine{line: make(chan string, 1)}
	c.Cmd.Stdout = io.MultiWriter(c.Cmd.Stdout, first)
	c.Start()
	ended := make(chan testchild.Result, 1)
	go func() { ended <- c.Wait() }()
	select {
	case line := <-first.line:
		return c, line
	case res := <-ended:
		t.Fatalf("the child ended before printing a line: %v", res)
	case <-time.After(30 * time.Second):
		t.Fatal("the child printed nothing in 30 s")
	}
	return nil, ""
}

// firstLine hands on the first line written to it, without its newline.
type firstLine struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	sent bool
	line chan string
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.sent {
		f.buf.Write(p)
		if l, _, ok := bytes.Cut(f.buf.Bytes(), []byte("\n")); ok {
			f.sent = true
			f.line <- string(l)
		}
	}
	return len(p), nil
}
