// Package serve holds sharc's demo servers: a sudoku-solving HTTP server and
// a password-hashing auth server, both of which move their CPU-heavy work off
// the request path onto a bounded worker pool, plus a closed-loop load
// generator that measures what the pool buys.
//
// The handlers reach the pool through a small unexported seam, runner
// (runner.go): a task is admitted or refused at once (503 with Retry-After),
// waits in the queue only as long as its request lives, and runs with the
// request's context so a client that goes away cancels its work.
package serve
