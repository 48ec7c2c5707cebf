package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJSONOnly checks both servers: POSTs need application/json (a
// cross-site form posts text/plain), and 405 and 404 answers are JSON.
func TestJSONOnly(t *testing.T) {
	sudokuS := newSudoku(t, SudokuConfig{Workers: 1})
	defer sudokuS.Close(context.Background())
	authS, err := NewAuthServer(AuthConfig{Workers: 1})
	require.NoError(t, err)
	defer authS.Close(context.Background())

	do := func(h http.Handler, method, path, ctype, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	solve := `{"puzzle":"` + classic + `"}`
	cred := `{"user":"alice","password":"correct horse"}`
	tests := []struct {
		name                string
		h                   http.Handler
		method, path, ctype string
		body                string
		status              int
		allow               string
	}{
		{"text/plain solve", sudokuS.Handler(), "POST", "/solve", "text/plain", solve, 415, ""},
		{"form batch", sudokuS.Handler(), "POST", "/solve/batch", "application/x-www-form-urlencoded", `{"puzzles":[]}`, 415, ""},
		{"no type", sudokuS.Handler(), "POST", "/solve", "", solve, 415, ""},
		{"text/plain register", authS.Handler(), "POST", "/register", "text/plain", cred, 415, ""},
		{"multipart login", authS.Handler(), "POST", "/login", "multipart/form-data; boundary=x", cred, 415, ""},
		{"json with charset", sudokuS.Handler(), "POST", "/solve", "application/json; charset=utf-8", solve, 200, ""},
		{"GET /solve", sudokuS.Handler(), "GET", "/solve", "", "", 405, "POST"},
		{"POST /healthz", sudokuS.Handler(), "POST", "/healthz", "application/json", "{}", 405, "GET, HEAD"},
		{"DELETE /", sudokuS.Handler(), "DELETE", "/", "", "", 405, "GET, HEAD"},
		{"GET /login", authS.Handler(), "GET", "/login", "", "", 405, "POST"},
		{"unknown path", sudokuS.Handler(), "GET", "/nope", "", "", 404, ""},
		{"unknown path auth", authS.Handler(), "POST", "/nope", "application/json", "{}", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(tc.h, tc.method, tc.path, tc.ctype, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			if tc.status != 200 {
				assert.NotEmpty(t, errorOf(t, rec))
			}
			assert.Equal(t, tc.allow, rec.Header().Get("Allow"))
		})
	}
	rec := do(sudokuS.Handler(), "GET", "/favicon.ico", "", "")
	require.Equal(t, 200, rec.Code)
	assert.Equal(t, "image/svg+xml", rec.Header().Get("Content-Type"))
}
