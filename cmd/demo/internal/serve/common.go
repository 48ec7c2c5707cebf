package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// apiError is the JSON body of every error answer.
type apiError struct {
	Error string `json:"error"`
	// Cell is the puzzle cell an error is about, 1..81 row by row (the
	// sudoku page highlights it); 0 when none.
	Cell int `json:"cell,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Error: msg})
}

// writeBusy answers a refused task: 503 with Retry-After, so clients back
// off instead of piling on.
func writeBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, "server busy, retry later")
}

// Server is a demo server: an HTTP handler plus the runner behind it.
type Server interface {
	Handler() http.Handler
	// Close stops the runner, waiting for admitted work until ctx ends.
	Close(ctx context.Context) error
}

// Run serves s on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish for up to grace, then cancels
// the contexts of those still running (which cancels their tasks) and
// closes the runner. It returns nil after a clean shutdown.
func Run(ctx context.Context, ln net.Listener, s Server, grace time.Duration, logger *log.Logger) error {
	return RunLimited(ctx, ln, s, grace, logger, Limits{})
}

// RunLimited is Run with the timeouts and connection cap of lim.
func RunLimited(ctx context.Context, ln net.Listener, s Server, grace time.Duration, logger *log.Logger, lim Limits) error {
	lim = lim.withDefaults()
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	cl := newConnLimiter(ln, lim.MaxConns)
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: lim.ReadHeaderTimeout,
		ReadTimeout:       lim.ReadTimeout,
		WriteTimeout:      lim.WriteTimeout,
		IdleTimeout:       lim.IdleTimeout,
		ConnState:         cl.connState,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          logger,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(cl) }()

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if logger != nil {
		logger.Printf("shutting down: finishing in-flight requests (up to %v)", grace)
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		// Deadline passed: cancel what is left and drop the connections.
		cancelBase()
		_ = srv.Close()
		err = nil
	}
	<-errc // Serve has returned http.ErrServerClosed
	cctx, cancel2 := context.WithTimeout(context.Background(), grace)
	defer cancel2()
	if cerr := s.Close(cctx); cerr != nil {
		err = fmt.Errorf("serve: closing the runner: %w", cerr)
	}
	return err
}

// ListenAndServeUntilSignal serves s on addr within lim until SIGINT or
// SIGTERM, then shuts down gracefully as Run does, and returns nil after a clean
// shutdown: the demo commands exit 0 then. It prints the address to stdout
// once the signals are caught, so a supervisor may signal from then on.
func ListenAndServeUntilSignal(addr string, s Server, grace time.Duration, lim Limits, logger *log.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on http://%s (Ctrl-C to stop)\n", ln.Addr())
	if err := RunLimited(ctx, ln, s, grace, logger, lim); err != nil {
		return err
	}
	if logger != nil {
		logger.Print("stopped cleanly")
	}
	return nil
}
