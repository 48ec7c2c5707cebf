//go:build linux

package proc

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

func init() {
	// half-reply writes a well-formed result into the result queue's ring
	// without committing it, and dies: what a child killed in the middle
	// of writing its reply leaves behind.
	Register("half-reply", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		q := childQueues.Load()
		b, err := q.results.Reserve(ctx, 64)
		if err != nil {
			return nil, err
		}
		copy(b, appendResult(nil, 1, statusOK, []byte("garbled")))
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
		return nil, nil
	})
	// scribble overwrites 8 bytes of the queues' region at the offset in
	// arg and returns.
	Register("scribble", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		off := int(binary.LittleEndian.Uint64(arg))
		b := childQueues.Load().r.Bytes()
		copy(b[off:], bytes.Repeat([]byte{0xA5}, 8))
		return []byte("done"), nil
	})
}

// A child killed while writing its reply leaves a reservation nobody
// committed: the parent reports ErrWorkerDied, never the half-made reply,
// and the next call runs on a fresh child.
func TestKilledMidReply(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	for range 3 {
		start := time.Now()
		out, err := p.Call(context.Background(), "half-reply", nil)
		assert.ErrorIs(t, err, ErrWorkerDied)
		assert.Contains(t, err.Error(), "SIGKILL")
		assert.Nil(t, out)
		assert.Less(t, time.Since(start), 5*time.Second)
		out, err = p.Call(context.Background(), "echo", []byte("next"))
		require.NoError(t, err)
		assert.Equal(t, "echo:next", string(out))
	}
	assert.EqualValues(t, 3, p.Stats().Died)
}

// A child that scribbles over its queues' headers fails a call or has its
// child replaced, but never crashes or wedges the parent.
func TestScribbledQueueHeader(t *testing.T) {
	results := shm.QueueSize(queueRing)
	for _, tc := range []struct {
		name string
		off  int
		// fails: the scribbling call itself fails (the result queue is
		// damaged); otherwise the damage shows at the next call, which
		// fails with ErrWorkerDied or goes to a fresh child.
		fails bool
	}{
		{"result-magic", results, true},
		{"result-head", results + 128, true},
		{"result-tail", results + 256, false}, // the parent may be past its check, and overwrites it
		{"call-magic", 0, false},
		{"call-head", 128, false},
		{"call-tail", 256, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPool(t, Options{Workers: 1})
			start := time.Now()
			out, err := p.Call(context.Background(), "scribble", binary.LittleEndian.AppendUint64(nil, uint64(tc.off)))
			if tc.fails {
				require.ErrorIs(t, err, ErrWorkerDied)
				t.Log(err)
			} else if err != nil {
				require.ErrorIs(t, err, ErrWorkerDied)
			} else {
				assert.Equal(t, "done", string(out))
			}
			if _, err := p.Call(context.Background(), "echo", nil); err != nil {
				require.ErrorIs(t, err, ErrWorkerDied)
				t.Log(err)
			}
			for i := range 3 {
				want := strconv.Itoa(i)
				out, err = p.Call(context.Background(), "echo", []byte(want))
				require.NoError(t, err)
				assert.Equal(t, "echo:"+want, string(out))
			}
			assert.Less(t, time.Since(start), 10*time.Second)
		})
	}
}

// A call whose child has not taken it from the queue yet (the child is
// stopped) still ends at its deadline or cancel; the child is reclaimed
// once it answers, or killed after the grace period.
func TestCancelWhileQueued(t *testing.T) {
	p := newPool(t, Options{Workers: 1, Grace: 300 * time.Millisecond})
	_, err := p.Call(context.Background(), "echo", nil)
	require.NoError(t, err)
	pids := childPids(t)
	require.Len(t, pids, 1)
	stop := func() { require.NoError(t, syscall.Kill(pids[0], syscall.SIGSTOP)) }
	cont := func() { syscall.Kill(pids[0], syscall.SIGCONT) }
	t.Cleanup(cont)

	// Deadline, child back within the grace period: reclaimed.
	stop()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	start := time.Now()
	_, err = p.Call(ctx, "echo", []byte("late"))
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	cont()
	out, err := p.Call(context.Background(), "echo", []byte("a"))
	require.NoError(t, err)
	assert.Equal(t, "echo:a", string(out), "not the late answer")
	assert.Zero(t, p.Stats().Killed)

	// Cancel, child stopped past the grace period: killed and replaced.
	// The cancel comes 20 ms after the call is running (sent, whatever
	// its ctx does from then on): a cancel that came first, on a loaded
	// machine, would leave the call unsent and nothing to kill.
	stop()
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	cancelled := make(chan time.Time, 1)
	go func() {
		for end := time.Now().Add(5 * time.Second); p.Stats().Running == 0 && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond)
		cancelled <- time.Now()
		cancel()
	}()
	_, err = p.Call(ctx, "echo", []byte("late"))
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(<-cancelled), time.Second)
	require.Eventually(t, func() bool { return p.Stats().Killed == 1 }, 5*time.Second, time.Millisecond)
	// Should the child still be stopped, the call below fails at its
	// deadline instead of waiting for ever.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err = p.Call(ctx, "echo", []byte("b"))
	require.NoError(t, err)
	assert.Equal(t, "echo:b", string(out))
}

// cpuTicks returns a process's user and system time in clock ticks, from
// /proc/PID/stat (fields 14 and 15).
func cpuTicks(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	f := bytes.Fields(b[bytes.LastIndexByte(b, ')')+2:])
	utime, err := strconv.Atoi(string(f[11]))
	require.NoError(t, err)
	stime, err := strconv.Atoi(string(f[12]))
	require.NoError(t, err)
	return utime + stime
}

// cpuTime returns the CPU time a process's threads have used, from
// /proc/PID/task/*/schedstat (its first field, in ns): finer than the
// clock ticks of /proc/PID/stat.
func cpuTime(t *testing.T, pid int) time.Duration {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, err := os.ReadDir(dir)
	require.NoError(t, err)
	var sum time.Duration
	for _, task := range tasks {
		b, err := os.ReadFile(dir + task.Name() + "/schedstat")
		if err != nil {
			continue // the thread has exited
		}
		f := bytes.Fields(b)
		require.NotEmpty(t, f)
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		require.NoError(t, err)
		sum += time.Duration(ns)
	}
	return sum
}

// The children of an idle pool sleep on their queues' futex words: over
// 2 s they accumulate less than 1% of a CPU (20 ms) each.
func TestIdleChildrenUseNoCPU(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	for i := range 200 {
		_, err := p.Call(context.Background(), "echo", []byte(strconv.Itoa(i)))
		require.NoError(t, err)
	}
	pids := childPids(t)
	require.Len(t, pids, 2)
	time.Sleep(100 * time.Millisecond) // past every spin budget
	before := []time.Duration{cpuTime(t, pids[0]), cpuTime(t, pids[1])}
	ticks := []int{cpuTicks(t, pids[0]), cpuTicks(t, pids[1])}
	start := time.Now()
	time.Sleep(2 * time.Second)
	for i, pid := range pids {
		used, tk := cpuTime(t, pid)-before[i], cpuTicks(t, pid)-ticks[i]
		t.Logf("child %d: %v of CPU (%d ticks in /proc/PID/stat) in %v", pid, used, tk, time.Since(start).Round(time.Millisecond))
		assert.Less(t, used, 20*time.Millisecond, "child %d", pid)
		// Ticks are counted whole: 1% of 2 s is 2 ticks of 10 ms, and a
		// few ms that straddle two tick boundaries count as 2.
		assert.LessOrEqual(t, tk, 2, "child %d", pid)
	}
}

// The socket transport (Options.Socket) serves the same calls.
func TestSocketTransport(t *testing.T) {
	p := newPool(t, Options{Workers: 1, Socket: true})
	out, err := p.Call(context.Background(), "echo", []byte("s"))
	require.NoError(t, err)
	assert.Equal(t, "echo:s", string(out))
	_, err = p.Call(context.Background(), "fail", nil)
	var te *TaskError
	require.ErrorAs(t, err, &te)
	_, err = p.Call(context.Background(), "sigkill", nil)
	assert.ErrorIs(t, err, ErrWorkerDied)
	r, err := shm.New(4096)
	require.NoError(t, err)
	defer r.Close()
	binary.LittleEndian.PutUint64(r.Bytes(), 42)
	out, err = p.Call(context.Background(), "first-word", nil, Share(r))
	require.NoError(t, err)
	assert.EqualValues(t, 42, binary.LittleEndian.Uint64(out))
	n := 0
	for _, err := range p.Stream(context.Background(), "stream-count", u64(100)) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 100, n)
}

// Messages larger than a queue's limit go through the socket, in order
// with the rest.
func TestLargeMessagesThroughSocket(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	for _, n := range []int{0, 1, queueRing/2 - 64, queueRing / 2, queueRing + 7, 900 << 10} {
		arg := bytes.Repeat([]byte{byte(n)}, n)
		out, err := p.Call(context.Background(), "echo", arg)
		require.NoError(t, err, n)
		require.Equal(t, len(arg)+5, len(out), n)
		assert.True(t, bytes.Equal(arg, out[5:]), n)
	}
}

// BenchmarkPipelined runs tiny calls from 8 goroutines on 2 children, with
// the queues and with the socket (Options.Socket).
func BenchmarkPipelined(b *testing.B) {
	for _, socket := range []bool{false, true} {
		b.Run("socket="+strconv.FormatBool(socket), func(b *testing.B) {
			p, err := NewPool(Options{Workers: 2, MaxQueue: Unbounded, Socket: socket})
			if err != nil {
				b.Fatal(err)
			}
			defer p.CloseNow()
			const goroutines, each = 8, 250
			for b.Loop() {
				var wg sync.WaitGroup
				for range goroutines {
					wg.Go(func() {
						for range each {
							if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*goroutines*each), "ns/call")
		})
	}
}
