package serve_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/sharc-go/sharc/internal/serve"
)

func ExampleNewSudokuServer() {
	s := serve.NewSudokuServer(serve.SudokuConfig{Workers: 2, Queue: 8})
	defer s.Close(context.Background())
	rec := httptest.NewRecorder()
	body := `{"puzzle":"53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"}`
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/solve", strings.NewReader(body)))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), `"solution":"534678912`))
	// Output: 200 true
}
