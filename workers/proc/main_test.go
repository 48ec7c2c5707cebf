//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/sharc-go/sharc/shm"
)

// The tasks most tests call. Children are this test binary re-executed, so
// registering at init makes the same tasks known on both sides.
func init() {
	Register("sum", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		xs, err := shm.View[float64](rs[0], 0, rs[0].Len()/8)
		if err != nil {
			return nil, err
		}
		var s float64
		for _, x := range xs {
			s += x
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(s)), nil
	})
	Register("scale", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		xs, _ := shm.View[float64](rs[0], 0, rs[0].Len()/8)
		for i := range xs {
			xs[i] *= 2
		}
		return nil, nil
	})
	Register("echo", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		return append([]byte("echo:"), arg...), nil
	})
	Register("fail", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		return nil, errors.New("bad input")
	})
	Register("panic", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		var m map[string]int
		m["x"] = 1 // recovered in the child: the task fails, the child lives
		return nil, nil
	})
	Register("panic-goroutine", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		go func() { panic("boom") }() // nobody can recover this: the child dies
		time.Sleep(time.Minute)
		return nil, nil
	})
	Register("exit", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		os.Exit(7)
		return nil, nil
	})
	Register("sigkill", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
		return nil, nil
	})
	Register("cooperative", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	Register("stubborn", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		time.Sleep(time.Minute)
		return nil, nil
	})
	Register("env", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		prio, _ := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
		return []byte(fmt.Sprintf("%d %s %d", runtime.GOMAXPROCS(0), os.Getenv("GOMEMLIMIT"), 20-prio)), nil
	})
	Register("hog", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		var keep [][]byte
		for {
			b := make([]byte, 8<<20)
			b[0] = 1
			keep = append(keep, b)
		}
	})
	Register("barrier-die", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		b, err := shm.OpenBarrier(rs[0], 0)
		if err != nil {
			return nil, err
		}
		for range 3 {
			if err := b.Wait(ctx); err != nil {
				return nil, err
			}
		}
		os.Exit(9) // dies before the fourth round
		return nil, nil
	})
}

func TestMain(m *testing.M) {
	runPingChildIfRequested()
	runPipeChildIfRequested()
	if os.Getenv("SHARC_PROC_TEST_NO_SERVE") != "" {
		os.Exit(0) // a program that forgot RunChildIfRequested (and did nothing)
	}
	forgetfulMain() // a program that forgot RunChildIfRequested and starts a pool
	RunChildIfRequested()
	goleak.VerifyTestMain(m)
}

var pollerOnce sync.Once

func fdCount(t *testing.T) int {
	return len(fdTable(t))
}

// fdTable maps this process's open descriptors to what they refer to. It
// starts the runtime's network poller first: the poller opens its own two
// descriptors (an epoll and an eventfd) the first time any file is
// registered with it, and a test that is the first to do so (run alone, or
// first) would otherwise count them as its own leak.
func fdTable(t *testing.T) map[string]string {
	pollerOnce.Do(func() {
		r, w, err := os.Pipe() // a pipe is registered with the poller
		require.NoError(t, err)
		r.Close()
		w.Close()
	})
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	fds := make(map[string]string, len(ents))
	for _, e := range ents {
		fds[e.Name()], _ = os.Readlink("/proc/self/fd/" + e.Name())
	}
	return fds
}

// assertNoNewFDs checks that every descriptor open now was open in before,
// naming those that were not.
func assertNoNewFDs(t *testing.T, before map[string]string) {
	t.Helper()
	var extra []string
	for fd, target := range fdTable(t) {
		if b, ok := before[fd]; !ok || b != target {
			extra = append(extra, fd+" -> "+target)
		}
	}
	assert.Empty(t, extra, "descriptors opened and not closed")
}

// childPids lists this process's child processes.
func childPids(t *testing.T) []int {
	tasks, err := os.ReadDir("/proc/self/task")
	require.NoError(t, err)
	var pids []int
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/children")
		if err == nil {
			for _, f := range strings.Fields(string(b)) {
				pid, _ := strconv.Atoi(f)
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

func childCount(t *testing.T) int { return len(childPids(t)) }

func newPool(t *testing.T, o Options) *Pool {
	p, err := NewPool(o)
	require.NoError(t, err)
	t.Cleanup(p.CloseNow)
	return p
}

type atomicCounter struct {
	mu sync.Mutex
	n  int
}

func (c *atomicCounter) add() { c.mu.Lock(); c.n++; c.mu.Unlock() }

func (c *atomicCounter) load() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
