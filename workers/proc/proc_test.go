package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
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

func fdCount(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(ents)
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

func TestShareZeroCopy(t *testing.T) {
	fdsBefore := fdCount(t)
	p := newPool(t, Options{Workers: 2})
	r, err := shm.New(8 * 100003)
	require.NoError(t, err)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, r.Len()/8)
	var want float64
	for i := range xs {
		xs[i] = float64(i%1000) / 7
		want += xs[i]
	}
	out, err := p.Call(context.Background(), "sum", nil, Share(r))
	require.NoError(t, err)
	assert.InDelta(t, want, math.Float64frombits(binary.LittleEndian.Uint64(out)), 1e-6)

	_, err = p.Call(context.Background(), "scale", nil, Share(r))
	require.NoError(t, err)
	assert.Equal(t, 2*float64(999%1000)/7, xs[999], "the child wrote through the shared pages")

	out, err = p.Call(context.Background(), "echo", []byte("hi"))
	require.NoError(t, err)
	assert.Equal(t, "echo:hi", string(out))

	require.NoError(t, p.Close(context.Background()))
	r.Close()
	assert.Equal(t, fdsBefore, fdCount(t), "no fds left open after Close")
	_, err = p.Call(context.Background(), "echo", nil)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestTransferUnmapsParent(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r, err := shm.New(4096)
	require.NoError(t, err)
	_, err = p.Call(context.Background(), "scale", nil, Transfer(r))
	require.NoError(t, err)
	assert.Nil(t, r.Bytes(), "the parent's mapping is gone")
	_, err = shm.View[float64](r, 0, 1)
	assert.ErrorIs(t, err, shm.ErrClosed)
}

func TestChildDeaths(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	tests := []struct {
		fn   string
		how  string
		died bool
	}{
		{"panic-goroutine", "exit code 2", true},
		{"exit", "exit code 7", true},
		{"sigkill", "killed by SIGKILL", true},
	}
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			_, err := p.Call(context.Background(), tt.fn, nil)
			require.ErrorIs(t, err, ErrWorkerDied)
			assert.Contains(t, err.Error(), tt.how)
			// The pool replaced the child and serves on.
			out, err := p.Call(context.Background(), "echo", []byte("after "+tt.fn))
			require.NoError(t, err)
			assert.Equal(t, "echo:after "+tt.fn, string(out))
		})
	}
	_, err := p.Call(context.Background(), "panic", nil)
	var pe *TaskError
	require.ErrorAs(t, err, &pe)
	assert.True(t, pe.Panic)
	assert.Contains(t, pe.Msg, "assignment to entry in nil map")
	_, err = p.Call(context.Background(), "fail", nil)
	var te *TaskError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "bad input", te.Msg)
	assert.NotErrorIs(t, err, ErrWorkerDied)
	assert.Equal(t, uint64(3), p.Stats().Died)
	// Replacements start in the background; the last may still be on its way.
	assert.Eventually(t, func() bool { return p.Stats().Restarts == 3 }, 10*time.Second, time.Millisecond)
}

func TestOutOfMemory(t *testing.T) {
	p := newPool(t, Options{Workers: 2, MemoryLimit: 128 << 20})
	r, err := shm.New(8 * 4099)
	require.NoError(t, err)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, r.Len()/8)
	var want float64
	for i := range xs {
		xs[i] = float64(i)
		want += xs[i]
	}
	// The other child keeps serving, on the shared region, while one runs
	// out of memory.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sums atomicCounter
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			out, err := p.Call(context.Background(), "sum", nil, Share(r))
			if assert.NoError(t, err) {
				assert.Equal(t, want, math.Float64frombits(binary.LittleEndian.Uint64(out)))
				sums.add()
			}
		}
	})
	_, err = p.Call(context.Background(), "hog", nil)
	close(stop)
	wg.Wait()
	require.ErrorIs(t, err, ErrWorkerDied)
	if raceMemoryFactor == 1 { // the runtime names either the heap or its arena metadata
		assert.Regexp(t, "fatal error: (runtime: )?out of memory", err.Error(), "how it died")
	} else { // the race detector's shadow memory runs out first
		assert.Regexp(t, "fatal error: runtime: .*memory|ThreadSanitizer failed to allocate", err.Error(), "how it died")
	}
	t.Log(err)
	assert.Positive(t, sums.load())
	out, err := p.Call(context.Background(), "sum", nil, Share(r))
	require.NoError(t, err, "a replacement serves")
	assert.Equal(t, want, math.Float64frombits(binary.LittleEndian.Uint64(out)))
	assert.Equal(t, uint64(1), p.Stats().Died)
}

func TestStatsLatency(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	const n = 37
	for i := range n {
		_, err := p.Call(context.Background(), "echo", []byte{byte(i)})
		require.NoError(t, err)
	}
	st := p.Stats()
	assert.EqualValues(t, n, st.Completed)
	for _, l := range []Latency{st.Wait, st.Run} {
		assert.EqualValues(t, n, l.Count)
		assert.LessOrEqual(t, l.P50, l.P90)
		assert.LessOrEqual(t, l.P90, l.P99)
		assert.LessOrEqual(t, l.P99, l.Max)
	}
	assert.Positive(t, st.Run.P50, "a round trip through a child takes time")
	assert.Less(t, st.Wait.P50, st.Run.P50, "idle children: taking one is quicker than the round trip")
}

// A child that dies during a call with a region leaves the region whole in
// the parent: its fd stays open and the next call maps it again.
func TestRegionSurvivesChildDeath(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r := newWordRegion(t, 4096, 77)
	defer r.Close()
	fd := r.Fd()
	_, err := p.Call(context.Background(), "sigkill", nil, Share(r))
	require.ErrorIs(t, err, ErrWorkerDied)
	require.Equal(t, fd, r.Fd())
	_, _, err = keyOf(fd)
	require.NoError(t, err, "the region's fd is still open")
	assert.EqualValues(t, 77, firstWord(t, p, Share(r)), "the replacement maps it afresh")
}

func TestLargeArguments(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 4093, 212_993, 700_001} {
		arg := make([]byte, n)
		for i := range arg {
			arg[i] = byte(r.Uint32())
		}
		out, err := p.Call(context.Background(), "echo", arg)
		require.NoError(t, err, "n=%d", n)
		assert.Equal(t, append([]byte("echo:"), arg...), out, "n=%d", n)
	}
	_, err := p.Call(context.Background(), "echo", make([]byte, maxPacket+1))
	assert.ErrorContains(t, err, "is too large: at most")
	assert.ErrorContains(t, err, fmt.Sprintf("argument of %d bytes", maxPacket+1))
	assert.Zero(t, p.Stats().Died)
}

// A child that dies while idle costs no task: the call that finds it dead
// goes to a replacement.
func TestIdleChildDeath(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	out, err := p.Call(context.Background(), "echo", []byte("a"))
	require.NoError(t, err)
	assert.Equal(t, "echo:a", string(out))
	pids := childPids(t)
	require.Len(t, pids, 1)
	require.NoError(t, syscall.Kill(pids[0], syscall.SIGKILL))
	require.Eventually(t, func() bool {
		// A zombie with no thread left exiting has closed its files,
		// the socket among them.
		dir := "/proc/" + strconv.Itoa(pids[0])
		b, err := os.ReadFile(dir + "/stat")
		tasks, _ := os.ReadDir(dir + "/task")
		return err != nil || strings.Contains(string(b), ") Z ") && len(tasks) <= 1
	}, 5*time.Second, time.Millisecond)
	out, err = p.Call(context.Background(), "echo", []byte("b"))
	require.NoError(t, err)
	assert.Equal(t, "echo:b", string(out))
	st := p.Stats()
	assert.Equal(t, uint64(1), st.Died)
	assert.Equal(t, uint64(2), st.Completed)
}

func TestChildNeverReady(t *testing.T) {
	fdsBefore := fdCount(t)
	t.Setenv("SHARC_PROC_TEST_NO_SERVE", "1")
	_, err := NewPool(Options{Workers: 2})
	require.Error(t, err)
	assert.ErrorContains(t, err, "RunChildIfRequested")
	assert.Zero(t, childCount(t))
	assert.Equal(t, fdsBefore, fdCount(t))
}

// An idle child sleeps: it is not woken every 10 ms by the runtime's
// preemption signals, as a raw read without a timeout would be.
func TestIdleChildSleeps(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	_, err := p.Call(context.Background(), "echo", nil)
	require.NoError(t, err)
	pids := childPids(t)
	require.Len(t, pids, 1)
	switches := func() (n int) {
		dir := "/proc/" + strconv.Itoa(pids[0]) + "/task/"
		tasks, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, task := range tasks {
			b, _ := os.ReadFile(dir + task.Name() + "/status")
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "voluntary_ctxt_switches:" {
					v, _ := strconv.Atoi(f[1])
					n += v
				}
			}
		}
		return n
	}
	time.Sleep(50 * time.Millisecond)
	before := switches()
	time.Sleep(time.Second)
	woke := switches() - before
	t.Logf("an idle child woke %d times in 1 s", woke)
	assert.Less(t, woke, 120, "about 200 with a preemption signal every 10 ms to two threads")
}

func TestCancelAndTimeout(t *testing.T) {
	p := newPool(t, Options{Workers: 1, Grace: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Call(ctx, "cooperative", nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, uint64(0), p.Stats().Killed, "a cooperative task stops without a kill")
	// The child is back once it has answered the cancel: wait for it, so
	// that the next call's deadline does not pass while it is queued.
	_, err = p.Call(context.Background(), "echo", nil)
	require.NoError(t, err)
	assert.Equal(t, uint64(0), p.Stats().Killed)

	ctx2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	_, err = p.Call(ctx2, "stubborn", nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
	// Call returns at the deadline; the kill follows after the grace period.
	assert.Eventually(t, func() bool { return p.Stats().Killed == 1 }, 5*time.Second, time.Millisecond,
		"a stubborn task's child is killed after the grace period")
	out, err := p.Call(context.Background(), "echo", []byte("x"))
	require.NoError(t, err)
	assert.Equal(t, "echo:x", string(out))
}

func TestLimits(t *testing.T) {
	cur, _ := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	// One P: the child reads calls with a raw syscall; more: an ordinary
	// blocking one. Both serve calls and cancels.
	for _, gmp := range []int{1, 3} {
		t.Run(strconv.Itoa(gmp), func(t *testing.T) {
			p := newPool(t, Options{Workers: 1, GOMAXPROCS: gmp, MemoryLimit: 64 << 20, Nice: 5})
			out, err := p.Call(context.Background(), "env", nil)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%d %d %d", gmp, 64<<20, 20-cur+5), string(out))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err = p.Call(ctx, "cooperative", nil)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			out, err = p.Call(context.Background(), "echo", []byte("z"))
			require.NoError(t, err)
			assert.Equal(t, "echo:z", string(out))
			assert.Zero(t, p.Stats().Killed)
		})
	}
}

func TestQueueFullAndUnknown(t *testing.T) {
	p := newPool(t, Options{Workers: 1, MaxQueue: 1, Grace: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { p.Call(ctx, "cooperative", nil) })
	wg.Go(func() { p.Call(ctx, "cooperative", nil) })
	defer cancel()
	require.Eventually(t, func() bool {
		// A probe that gets in must not block the test: it gives up
		// after a moment, and its cancelled call keeps the slot until
		// the worker skips it.
		probe, stop := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer stop()
		_, err := p.TryCall(probe, "echo", nil)
		return errors.Is(err, ErrQueueFull)
	}, 5*time.Second, time.Millisecond)
	cancel()
	wg.Wait()
	_, err := p.Call(context.Background(), "no-such-task", nil)
	assert.ErrorContains(t, err, "no-such-task")
}

func TestBarrierSurvivorsWhenChildDies(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r, err := shm.New(4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := shm.NewBarrier(r, 0, 2)
	require.NoError(t, err)
	res := make(chan error, 1)
	go func() {
		_, err := p.Call(context.Background(), "barrier-die", nil, Share(r))
		res <- err
	}()
	for i := range 3 {
		require.NoError(t, b.Wait(context.Background()), "round %d", i)
	}
	// The child dies before round four: when the pool sees the death, the
	// survivor's Wait must end promptly (here through the deadline the
	// survivor sets from the pool's death report).
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		err := <-res
		res <- err
		cancel()
	}()
	start := time.Now()
	err = b.Wait(ctx)
	assert.ErrorIs(t, err, shm.ErrBroken)
	assert.Less(t, time.Since(start), 5*time.Second)
	died := <-res
	assert.ErrorIs(t, died, ErrWorkerDied)
	assert.Contains(t, died.Error(), "exit code "+strconv.Itoa(9))
}

func BenchmarkRoundTrip(b *testing.B) {
	p, err := NewPool(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseNow()
	b.Run("floor-pingpong", benchFloorNetpoll)
	// raw=on is the default one-P child, which waits for a call in a raw
	// recvmsg; raw=off reads with an ordinary blocking system call.
	for _, raw := range []string{"on", "off"} {
		b.Run("raw="+raw, func(b *testing.B) {
			if raw == "off" {
				b.Setenv(noRawEnv, "1")
			}
			p, err := NewPool(Options{Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer p.CloseNow()
			for b.Loop() {
				if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("tiny", func(b *testing.B) {
		lat := make(latencies, 0, 1<<16)
		for b.Loop() {
			t0 := time.Now()
			if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		lat.report(b)
	})
}

// soakDuration is short in the normal tests; SHARC_SOAK=5m runs longer.
func soakDuration() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("SHARC_SOAK")); err == nil {
		return d
	}
	return 2 * time.Second
}

// TestSoakRandomKills runs calls from several goroutines while some tasks
// kill their own child: every echo must come back right, every kill must be
// reported as a death, and nothing may leak.
func TestSoakRandomKills(t *testing.T) {
	fdsBefore := fdCount(t)
	p, err := NewPool(Options{Workers: 2})
	require.NoError(t, err)
	deadline := time.Now().Add(soakDuration())
	var wg sync.WaitGroup
	var echoes, deaths atomicCounter
	for g := range 4 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				switch (i + g) % 7 {
				case 3:
					_, err := p.Call(context.Background(), "sigkill", nil)
					if assert.ErrorIs(t, err, ErrWorkerDied) {
						deaths.add()
					}
					continue
				case 5: // cancelled while queued or running: the child is reclaimed, not killed
					ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%3)*time.Millisecond)
					_, err := p.Call(ctx, "cooperative", nil)
					cancel()
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					continue
				}
				want := fmt.Sprintf("%d-%d", g, i)
				out, err := p.Call(context.Background(), "echo", []byte(want))
				if assert.NoError(t, err) && assert.Equal(t, "echo:"+want, string(out)) {
					echoes.add()
				}
			}
		})
	}
	wg.Wait()
	require.NoError(t, p.Close(context.Background()))
	t.Logf("%d echoes, %d child deaths", echoes.load(), deaths.load())
	assert.Positive(t, deaths.load())
	st := p.Stats()
	assert.Equal(t, deaths.load(), int(st.Died))
	assert.EqualValues(t, st.Completed+st.Failed, st.Run.Count, "every call that got a child is in the run histogram")
	assert.EqualValues(t, st.Completed+st.Failed, st.Wait.Count)
	assert.Equal(t, uint64(echoes.load()), st.Completed)
	assert.Zero(t, st.Killed, "cooperative tasks stop within the grace period")
	assert.Equal(t, fdsBefore, fdCount(t))
	assert.Zero(t, childCount(t), "no child process outlives Close")
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
