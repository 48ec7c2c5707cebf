package serve_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/sharc-go/sharc/cmd/demo/internal/serve"
)

func ExampleNewSudokuServer() {
	s, err := serve.NewSudokuServer(serve.SudokuConfig{Workers: 2, Queue: 8})
	if err != nil {
		panic(err)
	}
	defer s.Close(context.Background())
	rec := httptest.NewRecorder()
	body := `{"puzzle":"53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"}`
	req := httptest.NewRequest(http.MethodPost, "/solve", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	s.Handler().ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `"solution":"534678912`))
	// Output: 200 true
}

// Headroom before building a server: every worker can be busy and the
// request path still has Ps of its own.
func ExampleHeadroom() {
	prev := serve.Headroom(2)
	defer runtime.GOMAXPROCS(prev)
	s, err := serve.NewSudokuServer(serve.SudokuConfig{Workers: 2, Queue: 8, WorkerNice: 10})
	if err != nil {
		panic(err)
	}
	defer s.Close(context.Background())
	fmt.Println(runtime.GOMAXPROCS(0) >= 2+runtime.NumCPU())
	// Output: true
}

// A server as the demo commands run it: until SIGINT or SIGTERM, then a
// graceful shutdown. (Not run: it would wait for a signal.)
func ExampleListenAndServeUntilSignal() {
	logger := log.New(os.Stderr, "sudoku-server: ", log.LstdFlags)
	s, err := serve.NewSudokuServer(serve.SudokuConfig{Workers: 2, Queue: 16, WorkerNice: 10})
	if err != nil {
		logger.Fatal(err)
	}
	if err := serve.ListenAndServeUntilSignal("127.0.0.1:8080", s, 10*time.Second, serve.Limits{}, logger, os.Stdout); err != nil {
		logger.Fatal(err)
	}
}
