//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
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

// ipcTables compares a proc.Pool call of a tiny task with a bare
// SOCK_SEQPACKET ping-pong between two processes and with Node.js
// child_process messages.
func ipcTables(e *env) ([]table, error) {
	if e.smoke {
		return nil, nil
	}
	n := 20_000
	if e.quick {
		n = 5_000
	}
	sharc, floor := procSide(n), side{name: "socket ping-pong", run: func() (map[string]float64, error) { return socketFloor(n) }}
	fl := table{Section: "ipc", Title: "Process worker round trip vs the socket floor",
		About: fmt.Sprintf("A proc.Pool call of a task that returns its 4-byte argument (1 worker process) vs a bare ping-pong of 4 bytes over a SOCK_SEQPACKET socketpair with an echo child (blocking read/write on both sides): the floor of any process round trip here. %d round trips timed as one batch per round.", n)}
	rs, err := runPairs(comparison{a: sharc, b: floor, rows: []row{{"tiny call", "call", "rt"}}}, e.pairs)
	if err != nil {
		return nil, err
	}
	fl.Results = rs
	out := []table{fl}
	if e.noPeers {
		return out, nil
	}
	if !have("node") {
		e.note("Node.js child_process round trip skipped: node not installed")
		return out, nil
	}
	nn := n / 4
	node := table{Section: "ipc", Title: "Process worker round trip vs Node.js child_process",
		About: fmt.Sprintf("A proc.Pool call of a tiny task vs bench/node/ipc (child_process.fork, process.send and a 'message' back, default serialization); %d round trips timed as one batch per round on the Node.js side.", nn)}
	rs, err = runPairs(comparison{a: procSide(n), b: command("Node.js", nil, nil, "node", e.bench+"/node/ipc/ipc.mjs", "-n", strconv.Itoa(nn)),
		rows: []row{{"tiny call", "call", "ipc"}}}, e.pairs)
	if err != nil {
		return nil, err
	}
	node.Results = rs
	return append(out, node), nil
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
	t := time.Now()
	for range n {
		if err := rt(); err != nil {
			return nil, err
		}
	}
	return map[string]float64{"rt": float64(time.Since(t).Nanoseconds()) / float64(n)}, nil
}

// procSide times n calls of a tiny task through a one-worker proc.Pool per
// round; the pool lives until the comparison ends.
func procSide(n int) side {
	tiny := []byte("ping")
	var pool *proc.Pool
	sharc := side{name: "proc.Pool", close: func() {
		if pool != nil {
			_ = pool.Close(context.Background())
		}
	}}
	sharc.run = func() (map[string]float64, error) {
		if pool == nil {
			var err error
			if pool, err = proc.NewPool(proc.Options{Workers: 1}); err != nil {
				return nil, err
			}
		}
		ctx := context.Background()
		for range 1000 { // warm up
			if _, err := pool.Call(ctx, "bench.echo", tiny); err != nil {
				return nil, err
			}
		}
		t := time.Now()
		for range n {
			if _, err := pool.Call(ctx, "bench.echo", tiny); err != nil {
				return nil, err
			}
		}
		return map[string]float64{"call": float64(time.Since(t).Nanoseconds()) / float64(n)}, nil
	}
	return sharc
}
