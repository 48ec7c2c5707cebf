//go:build linux

package proc

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/shm"
)

const (
	childEnv = "SHARC_PROC_CHILD" // set to the parent's pid
	niceEnv  = "SHARC_PROC_NICE"
	sockFd   = 3
)

// RunChildIfRequested serves tasks and exits if this process was started as
// a child by a Pool; otherwise it returns at once. Call it early in main,
// after registering task functions.
func RunChildIfRequested() {
	ppid := os.Getenv(childEnv)
	if ppid == "" {
		return
	}
	os.Exit(serveChild(ppid))
}

func serveChild(ppid string) int {
	if nice, err := strconv.Atoi(os.Getenv(niceEnv)); err == nil && nice != 0 {
		cur, _ := unix.Getpriority(unix.PRIO_PROCESS, 0)
		// Getpriority returns 20 - nice on Linux.
		_ = unix.Setpriority(unix.PRIO_PROCESS, 0, 20-cur+nice)
	}
	// Pdeathsig covers the parent's death; this covers a parent that died
	// before the child set up, when Pdeathsig came too late.
	if want, err := strconv.Atoi(ppid); err == nil {
		go func() {
			for range time.Tick(200 * time.Millisecond) {
				if os.Getppid() != want {
					os.Exit(3)
				}
			}
		}()
	}
	fc, err := net.FileConn(os.NewFile(sockFd, "sharc-parent"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "proc child:", err)
		return 2
	}
	conn := fc.(*net.UnixConn)
	var (
		mu     sync.Mutex
		cancel context.CancelFunc
	)
	rd := newReader(conn)
	for {
		m, files, err := rd.recv()
		if err != nil {
			return 0 // parent closed the socket: the pool is closing
		}
		switch m.Kind {
		case "cancel":
			mu.Lock()
			if cancel != nil {
				cancel()
			}
			mu.Unlock()
		case "call":
			ctx, c := context.WithCancel(context.Background())
			mu.Lock()
			cancel = c
			mu.Unlock()
			go func() {
				res := runTask(ctx, m, files)
				c()
				send(conn, res, nil)
			}()
		}
	}
}

func runTask(ctx context.Context, m message, files []*os.File) (res message) {
	res.Kind = "result"
	var regions []*shm.Region
	defer func() {
		for _, r := range regions {
			r.Close()
		}
	}()
	for _, f := range files {
		r, err := shm.OpenFile(f)
		if err != nil {
			res.Err = "mapping a region: " + err.Error()
			return res
		}
		regions = append(regions, r)
	}
	fn, ok := lookup(m.Fn)
	if !ok {
		res.Err = fmt.Sprintf("no task function registered as %q in the child", m.Fn)
		return res
	}
	defer func() {
		if v := recover(); v != nil {
			res.Err = fmt.Sprintf("panic: %v\n\n%s", v, debug.Stack())
			res.Panic = true
		}
	}()
	out, err := fn(ctx, m.Arg, regions)
	if err != nil {
		res.Err = err.Error()
		return res
	}
	res.Arg = out
	return res
}
