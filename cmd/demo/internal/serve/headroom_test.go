package serve

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHeadroom(t *testing.T) {
	orig := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(orig)

	runtime.GOMAXPROCS(1)
	assert.Equal(t, 1, Headroom(3))
	assert.Equal(t, 3+runtime.NumCPU(), runtime.GOMAXPROCS(0))

	// Already above: unchanged.
	runtime.GOMAXPROCS(64)
	assert.Equal(t, 64, Headroom(2))
	assert.Equal(t, 64, runtime.GOMAXPROCS(0))
}

// TestWorkerNice checks that tasks run on threads lowered to the nice
// value asked for, that every worker's thread is, and that the lowered
// priority does not leak to the rest of the process.
func TestWorkerNice(t *testing.T) {
	if !nicePerThread {
		t.Skip("nice values are per process here")
	}
	runtime.LockOSThread()
	base, err := threadNice() // 0 unless the test itself runs under nice
	runtime.UnlockOSThread()
	require.NoError(t, err)
	if base >= 7 {
		t.Skipf("the test already runs at nice %d", base)
	}
	const workersN = 3
	r := newPoolRunner(workersN, 8, 7)
	var wg sync.WaitGroup
	nices := make([]any, 3*workersN)
	for i := range nices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := r.run(context.Background(), func(context.Context) (any, error) { return threadNice() })
			assert.NoError(t, err)
			nices[i] = v
		}()
	}
	wg.Wait()
	require.NoError(t, r.close(context.Background()))
	for _, n := range nices {
		assert.Equal(t, 7, n)
	}

	// The workers' threads ended with them: no thread the scheduler hands
	// to other goroutines is niced. Probe many goroutines, each locked to
	// a thread of its own while it looks.
	var mu sync.Mutex
	seen := map[int]bool{}
	for range 4 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			n, err := threadNice()
			assert.NoError(t, err)
			mu.Lock()
			seen[n] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, map[int]bool{base: true}, seen)

	// Without nice, workers keep the process's priority.
	r0 := newPoolRunner(1, 1, 0)
	defer r0.close(context.Background())
	v, err := r0.run(context.Background(), func(context.Context) (any, error) { return threadNice() })
	require.NoError(t, err)
	assert.Equal(t, base, v)
}

func TestNewPoolRunnerPanics(t *testing.T) {
	assert.PanicsWithValue(t, "serve.newPoolRunner: workers = 0, want >= 1", func() { newPoolRunner(0, 1, 0) })
	assert.PanicsWithValue(t, "serve.newPoolRunner: nice = 20, want 0..19", func() { newPoolRunner(1, 1, 20) })
}
