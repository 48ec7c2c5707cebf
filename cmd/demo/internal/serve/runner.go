package serve

import (
	"context"
	"errors"
)

// runner is the seam between the HTTP handlers and whatever runs their
// CPU-heavy work. run must refuse at once, with an error matching errBusy,
// when its queue is full, rather than block the handler; it must give up
// with ctx.Err() when ctx ends while the task still waits, so abandoned work
// is never started; and it passes ctx on to fn so a running task can stop
// early.
type runner interface {
	run(ctx context.Context, fn func(ctx context.Context) (any, error)) (any, error)
	// stats returns a JSON-marshalable snapshot for GET /stats.
	stats() any
	// close stops admitting work and waits for admitted work to finish, or
	// for ctx to end.
	close(ctx context.Context) error
}

// errBusy is what a runner returns when it cannot take more work: its queue
// is full or it is closed. An adapter to workers.Pool wraps
// workers.ErrQueueFull and workers.ErrClosed with it. Handlers answer it
// with 503 and Retry-After.
var errBusy = errors.New("serve: server busy")

// errRunnerClosed is wrapped with errBusy when the runner is closed: no
// retry can succeed then.
var errRunnerClosed = errors.New("serve: runner closed")
