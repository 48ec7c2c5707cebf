package serve

import (
	"mime"
	"net/http"
	"slices"
	"strings"
)

// route is one endpoint of a server: a method, a path pattern and its
// handler.
type route struct {
	method, path string
	h            http.HandlerFunc
}

// newMux returns a mux serving routes whose every answer is JSON: a path
// asked with a method it does not take gets 405 with Allow, an unknown
// path 404, and a POST whose body is not declared application/json gets
// 415 (a cross-site form can send text/plain without a preflight, never
// application/json).
func newMux(routes []route) *http.ServeMux {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	var paths []string
	for _, rt := range routes {
		h := rt.h
		if rt.method == http.MethodPost {
			h = requireJSON(h)
		}
		mux.HandleFunc(rt.method+" "+rt.path, h)
		if _, ok := allow[rt.path]; !ok {
			paths = append(paths, rt.path)
		}
		allow[rt.path] = append(allow[rt.path], rt.method)
		if rt.method == http.MethodGet {
			allow[rt.path] = append(allow[rt.path], http.MethodHead)
		}
	}
	for _, p := range paths {
		methods := strings.Join(slices.Sorted(slices.Values(allow[p])), ", ")
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", methods)
			writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+methods)
		})
	}
	if !slices.Contains(paths, "/") {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "no such path: "+r.URL.Path)
		})
	}
	return mux
}

// requireJSON answers 415 unless the request declares a JSON body.
func requireJSON(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
			return
		}
		h(w, r)
	}
}
