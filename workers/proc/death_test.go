//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

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
	fdsBefore := fdTable(t)
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
	assertNoNewFDs(t, fdsBefore)
	assert.Zero(t, childCount(t), "no child process outlives Close")
}
