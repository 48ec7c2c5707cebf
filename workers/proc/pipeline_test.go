//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
)

func init() {
	// mark adds 1 to the uint64 at the offset in arg of its region: a
	// side effect that shows whether a call ran.
	Register("mark", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		off := int(binary.LittleEndian.Uint64(arg))
		w := shmWord(rs[0], off)
		atomic.AddUint64(w, 1)
		return nil, nil
	})
	// hold sets the uint64 at offset 8 of its region to 1, waits until the
	// one at offset 0 is non-zero (or ctx ends), then returns.
	Register("hold", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		atomic.StoreUint64(shmWord(rs[0], 8), 1)
		w := shmWord(rs[0], 0)
		for atomic.LoadUint64(w) == 0 {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			time.Sleep(100 * time.Microsecond)
		}
		return []byte("held"), nil
	})
}

func shmWord(r *shm.Region, off int) *uint64 {
	xs, err := shm.View[uint64](r, off, 1)
	if err != nil {
		panic(err)
	}
	return &xs[0]
}

// sharedWords returns a region of n uint64 words, closed at the test's end.
func sharedWords(t *testing.T, n int) (*shm.Region, []uint64) {
	r, err := shm.New(8 * n)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	xs, err := shm.View[uint64](r, 0, n)
	require.NoError(t, err)
	return r, xs
}

func offArg(off int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(off)) }

// Many calls from many goroutines, several in flight per child: every
// answer reaches its own caller.
func TestPipelinedCalls(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4, 32} {
		t.Run(strconv.Itoa(inFlight), func(t *testing.T) {
			p := newPool(t, Options{Workers: 2, MaxInFlight: inFlight, MaxQueue: Unbounded})
			const goroutines, calls = 8, 300
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range calls {
						want := fmt.Sprintf("%d-%d", g, i)
						out, err := p.Call(context.Background(), "echo", []byte(want))
						if !assert.NoError(t, err) || !assert.Equal(t, "echo:"+want, string(out)) {
							return
						}
					}
				})
			}
			wg.Wait()
			st := p.Stats()
			assert.EqualValues(t, goroutines*calls, st.Completed)
			assert.Zero(t, st.Failed)
			assert.Zero(t, st.Queued)
			assert.Zero(t, st.Running)
		})
	}
}

func TestMaxInFlightBound(t *testing.T) {
	_, err := NewPool(Options{Workers: 1, MaxInFlight: maxInFlight + 1})
	assert.ErrorContains(t, err, "MaxInFlight")
}

// A call that waits in a child's queue behind a running one and is
// cancelled there never runs: it fails with ErrNotRun and ctx's error.
func TestCancelPipelined(t *testing.T) {
	p := newPool(t, Options{Workers: 1, MaxInFlight: 4})
	r, xs := sharedWords(t, 3)
	held := make(chan error, 1)
	go func() {
		_, err := p.Call(context.Background(), "hold", nil, Share(r))
		held <- err
	}()
	require.Eventually(t, func() bool { return atomic.LoadUint64(&xs[1]) == 1 }, 5*time.Second, time.Millisecond, "hold runs")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := p.Call(ctx, "mark", offArg(16), Share(r))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, workers.ErrNotRun)
	atomic.StoreUint64(&xs[0], 1) // let hold return
	require.NoError(t, <-held)
	// The child has passed the cancelled call: it did not run.
	_, err = p.Call(context.Background(), "echo", nil)
	require.NoError(t, err)
	assert.Zero(t, atomic.LoadUint64(&xs[2]), "the cancelled call ran")
	st := p.Stats()
	assert.EqualValues(t, 1, st.Cancelled)
	assert.EqualValues(t, 2, st.Completed)
	assert.Zero(t, st.Killed)
}

// A child killed with several calls in flight: the one it ran fails with
// ErrWorkerDied; the ones still in its queue never ran and go to its
// replacement; none gets a wrong answer.
func TestKilledWithCallsInFlight(t *testing.T) {
	p := newPool(t, Options{Workers: 1, MaxInFlight: 4, MaxQueue: Unbounded})
	r, xs := sharedWords(t, 2)
	var wg sync.WaitGroup
	dead := make(chan error, 1)
	wg.Go(func() {
		_, err := p.Call(context.Background(), "hold", nil, Share(r))
		dead <- err
	})
	require.Eventually(t, func() bool { return atomic.LoadUint64(&xs[1]) == 1 }, 5*time.Second, time.Millisecond, "hold runs")
	pids := childPids(t)
	require.Len(t, pids, 1)
	const queued = 3
	outs := make([]string, queued)
	errs := make([]error, queued)
	for i := range queued {
		wg.Go(func() {
			var out []byte
			out, errs[i] = p.Call(context.Background(), "echo", []byte(strconv.Itoa(i)))
			outs[i] = string(out)
		})
	}
	require.Eventually(t, func() bool { return p.Stats().Queued == queued }, 5*time.Second, time.Millisecond)
	require.NoError(t, syscall.Kill(pids[0], syscall.SIGKILL))
	wg.Wait()
	err := <-dead
	assert.ErrorIs(t, err, ErrWorkerDied)
	assert.Contains(t, err.Error(), "SIGKILL")
	for i := range queued {
		if assert.NoError(t, errs[i], "call %d never ran: it goes to the replacement", i) {
			assert.Equal(t, "echo:"+strconv.Itoa(i), outs[i])
		}
	}
	st := p.Stats()
	assert.EqualValues(t, 1, st.Died)
	assert.EqualValues(t, queued, st.Completed)
	assert.EqualValues(t, 1, st.Failed)
}

// A call goes to the child with the fewest calls in flight: not behind a
// busy child while another is free.
func TestLeastInFlight(t *testing.T) {
	p := newPool(t, Options{Workers: 2, MaxInFlight: 4})
	r, xs := sharedWords(t, 2)
	held := make(chan error, 1)
	go func() {
		_, err := p.Call(context.Background(), "hold", nil, Share(r))
		held <- err
	}()
	require.Eventually(t, func() bool { return atomic.LoadUint64(&xs[1]) == 1 }, 5*time.Second, time.Millisecond, "hold runs")
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := p.Call(ctx, "echo", nil)
		cancel()
		require.NoError(t, err, "an echo waited behind the held call")
	}
	atomic.StoreUint64(&xs[0], 1)
	require.NoError(t, <-held)
	// A lone caller keeps to one child.
	first, err := p.Call(context.Background(), "pid", nil)
	require.NoError(t, err)
	for range 10 {
		out, err := p.Call(context.Background(), "pid", nil)
		require.NoError(t, err)
		assert.Equal(t, string(first), string(out))
	}
}

// Recycling with calls in flight: no call fails, and each child serves at
// most MaxTasksPerWorker calls.
func TestRecyclePipelined(t *testing.T) {
	p := newPool(t, Options{Workers: 2, MaxInFlight: 4, MaxTasksPerWorker: 7, MaxQueue: Unbounded})
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		byPid = map[string]int{}
	)
	for range 6 {
		wg.Go(func() {
			for range 20 {
				out, err := p.Call(context.Background(), "pid", nil)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				byPid[string(out)]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for pid, n := range byPid {
		assert.LessOrEqual(t, n, 7, "child %s", pid)
	}
	st := p.Stats()
	assert.EqualValues(t, 120, st.Completed)
	assert.Positive(t, st.Recycled)
}
