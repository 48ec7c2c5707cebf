// Package serve holds sharc's demo servers: a sudoku-solving HTTP server and
// a password-hashing auth server, both of which move their CPU-heavy work off
// the request path onto a bounded worker pool, plus a closed-loop load
// generator that measures what the pool buys.
//
// The handlers reach the pool through a small unexported seam, runner
// (runner.go): a task is admitted or refused at once (503 with Retry-After),
// waits in the queue only as long as its request lives, and runs with the
// request's context so a client that goes away cancels its work.
//
// Cheap endpoints stay fast while the workers saturate the CPU because the
// workers do not get all of it: Headroom gives the request path Ps of its
// own, and WorkerNice lowers the workers' OS threads so the kernel runs a
// woken request thread first.
package serve
