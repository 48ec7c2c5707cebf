//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// echoEnv makes the runner binary a bare echo process on fd 3: the floor of
// any process round trip on this machine.
const echoEnv = "SHARC_BENCH_ECHO"

func init() {
	proc.Register("bench.echo", func(_ context.Context, arg []byte, _ []*shm.Region) ([]byte, error) { return arg, nil })
}

// runChildIfRequested turns this process into a proc.Pool worker or the
// echo process when it was started as one.
func runChildIfRequested() {
	proc.RunChildIfRequested()
	if os.Getenv(echoEnv) == "" {
		return
	}
	buf := make([]byte, 4096)
	for {
		n, err := unix.Read(3, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			os.Exit(0)
		}
		for {
			if _, err = unix.Write(3, buf[:n]); err != unix.EINTR {
				break
			}
		}
		if err != nil {
			os.Exit(0)
		}
	}
}

// ipcTables compares proc.Pool calls of a tiny task, through the children's
// shared-memory queues (the default), with a bare SOCK_SEQPACKET ping-pong
// between two processes, with the same pool on its socket transport
// (proc.Options.Socket), with Node.js child_process messages and with
// piscina's lone-task round trip.
func ipcTables(e *env) ([]table, error) {
	if e.smoke {
		return nil, nil
	}
	n := 20_000
	if e.quick {
		n = 5_000
	}
	var out []table
	add := func(t table, c comparison) error {
		rs, err := runPairs(c, e.pairs)
		if err != nil {
			return err
		}
		t.Results = rs
		out = append(out, t)
		return nil
	}
	floor := side{name: "socket ping-pong", run: func() (map[string]float64, error) { return socketFloor(n) }}
	if err := add(table{Section: "ipc", Title: "Process worker round trip vs the socket floor",
		About: fmt.Sprintf("A proc.Pool call of a task that returns its 4-byte argument (1 worker process, calls and results through its shared-memory queues) vs a bare ping-pong of 4 bytes over a SOCK_SEQPACKET socketpair with an echo child (blocking read/write on both sides): the floor of any round trip through the kernel. %d round trips per round, back to back; mean and p50.", n)},
		comparison{a: procSide(proc.Options{Workers: 1}, n), b: floor,
			rows: []row{{"tiny call, mean", "call", "rt"}, {"tiny call, p50", "call-p50", "rt-p50"}}}); err != nil {
		return nil, err
	}
	parked := max(n/100, 50)
	if err := add(table{Section: "ipc", Title: "Process worker round trip after the child has parked: queues vs socket",
		About: fmt.Sprintf("The same call, one every millisecond, so the child has gone to sleep (futex on its queue, or a blocking read of its socket) before each: proc.Pool with its queues vs with proc.Options{Socket: true}. %d calls per round; p50.", parked)},
		comparison{a: procSpacedSide(proc.Options{Workers: 1}, parked), b: procSpacedSide(proc.Options{Workers: 1, Socket: true}, parked),
			rows: []row{{"parked child, p50", "call-p50", "call-p50"}}}); err != nil {
		return nil, err
	}
	if err := add(table{Section: "ipc", Title: "Pipelined calls: queues vs socket",
		About: fmt.Sprintf("%d tiny calls per round from 8 goroutines to a pool of 2 children: proc.Pool with its queues vs with proc.Options{Socket: true} (the transport every call used before the queues); time per call, after %d untimed calls that start each round on both sides: the pool has been idle while the other side ran, and the first thousands of calls after an idle spell run at several times the pace of the rest (docs/design/process-workers.md). The second row times the %d calls that follow in the same round, once the pool has been busy for a while.", n, pipelinedWarm, pipelinedMore*n)},
		comparison{a: procPipelinedSide(proc.Options{Workers: 2, MaxQueue: proc.Unbounded}, n, pipelinedMore*n),
			b:    procPipelinedSide(proc.Options{Workers: 2, MaxQueue: proc.Unbounded, Socket: true}, n, pipelinedMore*n),
			rows: []row{{"pipelined tiny calls", "call", "call"}, {"pipelined tiny calls, the next " + strconv.Itoa(pipelinedMore*n), "more", "more"}}}); err != nil {
		return nil, err
	}
	if err := add(table{Section: "ipc", Title: "Pipelined calls to one child: queues vs socket",
		About: fmt.Sprintf("The same %d tiny calls from 8 goroutines after the same untimed ones, to a pool of 1 child: proc.Pool with its queues vs with proc.Options{Socket: true}; time per call. With one child the parent and the child each have a CPU of this 2-core machine to spin on; with two (above), three processes share two CPUs and a child is often descheduled while calls wait in its queue.", n)},
		comparison{a: procPipelinedSide(proc.Options{Workers: 1, MaxQueue: proc.Unbounded}, n, 0),
			b:    procPipelinedSide(proc.Options{Workers: 1, MaxQueue: proc.Unbounded, Socket: true}, n, 0),
			rows: []row{{"pipelined tiny calls, 1 child", "call", "call"}}}); err != nil {
		return nil, err
	}
	if err := add(table{Section: "ipc", Title: "Pipelined calls: several in flight per child vs one",
		About: fmt.Sprintf("The same %d tiny calls from 8 goroutines after the same untimed ones, to 2 children through the queues: with the default proc.Options.MaxInFlight (2: a call waits in a child's call queue while it runs the one before) vs MaxInFlight 1 (a child gets its next call only after its answer was read); time per call.", n)},
		comparison{a: procPipelinedSide(proc.Options{Workers: 2, MaxQueue: proc.Unbounded}, n, 0),
			b:    procPipelinedSide(proc.Options{Workers: 2, MaxQueue: proc.Unbounded, MaxInFlight: 1}, n, 0),
			rows: []row{{"pipelined tiny calls", "call", "call"}}}); err != nil {
		return nil, err
	}
	if e.noPeers {
		return out, nil
	}
	if !have("node") {
		e.note("Node.js child_process and piscina round trips skipped: node not installed")
		return out, nil
	}
	nn := n / 4
	if err := add(table{Section: "ipc", Title: "Process worker round trip vs Node.js child_process",
		About: fmt.Sprintf("A proc.Pool call of a tiny task vs bench/node/ipc (child_process.fork, process.send and a 'message' back, default serialization); %d round trips timed as one batch per round on the Node.js side.", nn)},
		comparison{a: procSide(proc.Options{Workers: 1}, n), b: command("Node.js", nil, nil, "node", e.bench+"/node/ipc/ipc.mjs", "-n", strconv.Itoa(nn)),
			rows: []row{{"tiny call", "call", "ipc"}}}); err != nil {
		return nil, err
	}
	if _, err := os.Stat(e.bench + "/node/pool/node_modules/piscina"); err != nil {
		e.note("piscina lone-task round trip skipped: run (cd bench/node/pool && npm ci)")
		return out, nil
	}
	if err := add(table{Section: "ipc", Title: "Process worker round trip vs piscina's lone task",
		About: fmt.Sprintf("p50 of a proc.Pool call of a tiny task (a child process) vs p50 of piscina's run() of a tiny task through an idle 2-thread pool, one at a time, submit to result (bench/node/ipc/piscina.mjs); %d of each per round.", nn)},
		comparison{a: procSide(proc.Options{Workers: 1}, nn), b: command("piscina", nil, nil, "node", e.bench+"/node/ipc/piscina.mjs", "-n", strconv.Itoa(nn)),
			rows: []row{{"lone tiny task, p50", "call-p50", "lone-p50"}}}); err != nil {
		return nil, err
	}
	return out, nil
}

// socketFloor times n round trips of 4 bytes with an echo child.
func socketFloor(n int) (map[string]float64, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), echoEnv+"=1", "GOMAXPROCS=1")
	childEnd := os.NewFile(uintptr(fds[1]), "echo")
	cmd.ExtraFiles = []*os.File{childEnd}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		childEnd.Close()
		unix.Close(fds[0])
		return nil, err
	}
	childEnd.Close()
	defer func() { unix.Close(fds[0]); _ = cmd.Wait() }()
	msg, buf := []byte("ping"), make([]byte, 64)
	rt := func() error {
		if _, err := unix.Write(fds[0], msg); err != nil {
			return err
		}
		for {
			_, err := unix.Read(fds[0], buf)
			if err != unix.EINTR {
				return err
			}
		}
	}
	for range 1000 {
		if err := rt(); err != nil {
			return nil, err
		}
	}
	lat := make([]float64, n)
	t := time.Now()
	for i := range n {
		t0 := time.Now()
		if err := rt(); err != nil {
			return nil, err
		}
		lat[i] = float64(time.Since(t0).Nanoseconds())
	}
	return map[string]float64{"rt": float64(time.Since(t).Nanoseconds()) / float64(n), "rt-p50": p50(lat)}, nil
}

// p50 returns the median of xs, which it sorts.
func p50(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// procPoolSide returns a side that starts a proc.Pool with opts at its first
// round, keeps it until the comparison ends and times each round with run.
func procPoolSide(name string, opts proc.Options, run func(*proc.Pool) (map[string]float64, error)) side {
	var pool *proc.Pool
	s := side{name: name, close: func() {
		if pool != nil {
			_ = pool.Close(context.Background())
		}
	}}
	s.run = func() (map[string]float64, error) {
		if pool == nil {
			var err error
			if pool, err = proc.NewPool(opts); err != nil {
				return nil, err
			}
			for range 1000 { // warm up
				if _, err := pool.Call(context.Background(), "bench.echo", []byte("ping")); err != nil {
					return nil, err
				}
			}
		}
		return run(pool)
	}
	return s
}

func transportName(opts proc.Options) string {
	switch {
	case opts.Socket:
		return "proc.Pool (socket)"
	case opts.MaxInFlight == 1:
		return "proc.Pool (queues, MaxInFlight 1)"
	}
	return "proc.Pool (queues)"
}

// procSide times n calls of a tiny task back to back per round: their
// mean and p50.
func procSide(opts proc.Options, n int) side {
	tiny := []byte("ping")
	return procPoolSide(transportName(opts), opts, func(pool *proc.Pool) (map[string]float64, error) {
		ctx := context.Background()
		lat := make([]float64, n)
		t := time.Now()
		for i := range n {
			t0 := time.Now()
			if _, err := pool.Call(ctx, "bench.echo", tiny); err != nil {
				return nil, err
			}
			lat[i] = float64(time.Since(t0).Nanoseconds())
		}
		return map[string]float64{"call": float64(time.Since(t).Nanoseconds()) / float64(n), "call-p50": p50(lat)}, nil
	})
}

// procSpacedSide times n calls of a tiny task made 1 ms apart, so the
// child sleeps before each: their p50.
func procSpacedSide(opts proc.Options, n int) side {
	tiny := []byte("ping")
	return procPoolSide(transportName(opts), opts, func(pool *proc.Pool) (map[string]float64, error) {
		ctx := context.Background()
		lat := make([]float64, n)
		for i := range n {
			time.Sleep(time.Millisecond)
			t0 := time.Now()
			if _, err := pool.Call(ctx, "bench.echo", tiny); err != nil {
				return nil, err
			}
			lat[i] = float64(time.Since(t0).Nanoseconds())
		}
		return map[string]float64{"call-p50": p50(lat)}, nil
	})
}

// pipelinedWarm is how many untimed calls start each round of
// procPipelinedSide, and pipelinedMore·n how many it times after the
// first n for the table that shows both.
const (
	pipelinedWarm = 4000
	pipelinedMore = 4
)

// procPipelinedSide times n tiny calls made from 8 goroutines at once,
// after pipelinedWarm untimed ones: the time per call ("call"). With more
// above 0 it then times more calls the same way ("more").
func procPipelinedSide(opts proc.Options, n, more int) side {
	tiny := []byte("ping")
	const goroutines = 8
	return procPoolSide(transportName(opts), opts, func(pool *proc.Pool) (map[string]float64, error) {
		burst := func(k int) (time.Duration, error) {
			ctx := context.Background()
			errs := make([]error, goroutines)
			var wg sync.WaitGroup
			t := time.Now()
			for g := range goroutines {
				wg.Go(func() {
					for range k / goroutines {
						if _, err := pool.Call(ctx, "bench.echo", tiny); err != nil {
							errs[g] = err
							return
						}
					}
				})
			}
			wg.Wait()
			return time.Since(t), errors.Join(errs...)
		}
		if _, err := burst(min(pipelinedWarm, n)); err != nil {
			return nil, err
		}
		d, err := burst(n)
		if err != nil {
			return nil, err
		}
		m := map[string]float64{"call": float64(d.Nanoseconds()) / float64(n/goroutines*goroutines)}
		if more > 0 {
			if d, err = burst(more); err != nil {
				return nil, err
			}
			m["more"] = float64(d.Nanoseconds()) / float64(more/goroutines*goroutines)
		}
		return m, nil
	})
}
