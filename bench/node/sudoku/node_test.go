// Package sudoku checks the Node.js counterpart of demo sudoku-server
// (bench/node/sudoku): it starts, answers /solve with the Go server's JSON
// and statuses, and stops cleanly on SIGTERM.
package sudoku

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	inkala  = "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."
	inkalaS = "812753649943682175675491283154237896369845721287169534521974368438526917796318452"
	norvig  = ".....5.8....6.1.43..........1.5........1.6...3.......553.....61........4........."
)

// startNode starts server.mjs on a loopback port and returns its base URL;
// it skips the test when node or piscina is not installed.
func startNode(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	if _, err := os.Stat("node_modules/piscina"); err != nil {
		t.Skip("piscina is not installed: run npm ci in bench/node/sudoku")
	}
	cmd := exec.Command(node, "server.mjs", "-addr", "127.0.0.1:0", "-threads", "2", "-queue", "4")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, out)
		close(exited)
	}()
	select {
	case line := <-lines:
		rest, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			t.Fatalf("server.mjs said %q", line)
		}
		url, _, _ := strings.Cut(rest, " ")
		return url, cmd
	case <-time.After(30 * time.Second):
		t.Fatal("server.mjs did not start")
	}
	return "", nil
}

func TestNodeSudokuServer(t *testing.T) {
	url, cmd := startNode(t)
	client := &http.Client{Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	do := func(method, path, ctype, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, string(b)
	}

	code, hdr, body := do("POST", "/solve", "application/json", `{"puzzle":"`+inkala+`"}`)
	if code != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("POST /solve: %d %s %s", code, hdr.Get("Content-Type"), body)
	}
	var res struct {
		Solution string  `json:"solution"`
		Unique   bool    `json:"unique"`
		Ms       float64 `json:"ms"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	if res.Solution != inkalaS || !res.Unique || res.Ms <= 0 {
		t.Errorf("POST /solve answered %+v", res)
	}

	for _, tc := range []struct {
		method, path, ctype, body string
		status                    int
		msg                       string
	}{
		{"POST", "/solve", "application/json", `{"puzzle":"123"}`, 400, "puzzle must have 81 cells, got 3"},
		{"POST", "/solve", "application/json", `{"puzzle":"x` + inkala[1:] + `"}`, 400, "bad character"},
		{"POST", "/solve", "application/json", `{"puzzle":`, 400, "not JSON"},
		{"POST", "/solve", "application/json", `{"puzzle":"` + strings.Repeat(".", 5000) + `"}`, 400, "body too large"},
		{"POST", "/solve", "text/plain", `{"puzzle":"` + inkala + `"}`, 415, "application/json"},
		{"POST", "/solve", "application/json", `{"puzzle":"` + norvig + `"}`, 422, "too hard: search budget exhausted"},
		{"GET", "/solve", "", "", 405, "not allowed"},
		{"GET", "/nope", "", "", 404, "no such path"},
	} {
		code, hdr, body := do(tc.method, tc.path, tc.ctype, tc.body)
		var e struct{ Error string }
		if err := json.Unmarshal([]byte(body), &e); err != nil || code != tc.status || !strings.Contains(e.Error, tc.msg) ||
			hdr.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s %.40s: %d %q, want %d and an error containing %q", tc.method, tc.path, tc.body, code, body, tc.status, tc.msg)
		}
	}

	if code, _, body := do("GET", "/healthz", "", ""); code != 200 || body != "ok\n" {
		t.Errorf("GET /healthz: %d %q", code, body)
	}
	code, _, body = do("GET", "/stats", "", "")
	var st map[string]any
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("GET /stats: %d %q", code, body)
	}
	for _, k := range []string{"runner", "workers", "queued", "running", "completed", "rejected"} {
		if _, ok := st[k]; !ok {
			t.Errorf("GET /stats lacks %q: %s", k, body)
		}
	}

	client.CloseIdleConnections()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server.mjs after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("server.mjs did not stop on SIGTERM")
	}
}
