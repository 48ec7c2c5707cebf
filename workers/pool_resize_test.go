package workers

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdleShrinkAndRegrowth(t *testing.T) {
	p := NewPool(Options{MinWorkers: 1, MaxWorkers: 4, IdleTimeout: 20 * time.Millisecond})
	defer p.CloseNow()
	assert.Equal(t, 1, p.Stats().Workers, "MinWorkers started eagerly")
	for round := range 2 {
		started := make(chan struct{}, 4)
		release := make(chan struct{})
		var tasks []*Task[int]
		for range 4 {
			tk, err := Submit(bg, p, blocker(started, release))
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
		for range 4 {
			<-started
		}
		assert.Equal(t, 4, p.Stats().Workers, "round %d: grown to max", round)
		close(release)
		for _, tk := range tasks {
			_, err := tk.Wait(bg)
			require.NoError(t, err)
		}
		waitFor(t, "idle shrink", func() bool { return p.Stats().Workers == 1 })
		time.Sleep(60 * time.Millisecond)
		assert.Equal(t, 1, p.Stats().Workers, "round %d: MinWorkers kept", round)
	}
}

func TestResizeUnderLoad(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2, MaxQueue: Unbounded})
	defer p.CloseNow()
	var cur, peak atomic.Int64
	var done atomic.Int64
	task := func(context.Context) (int, error) {
		n := cur.Add(1)
		for m := peak.Load(); n > m && !peak.CompareAndSwap(m, n); m = peak.Load() {
		}
		time.Sleep(300 * time.Microsecond)
		cur.Add(-1)
		done.Add(1)
		return 0, nil
	}
	const n = 600
	var tasks []*Task[int]
	submit := func(k int) {
		for range k {
			tk, err := Submit(bg, p, task)
			require.NoError(t, err)
			tasks = append(tasks, tk)
		}
	}
	submit(n / 3)
	p.Resize(6)
	waitFor(t, "growth", func() bool { return p.Stats().Workers == 6 || p.Stats().Queued == 0 })
	assert.Equal(t, 6, p.Stats().MaxWorkers)
	submit(n / 3)
	time.Sleep(5 * time.Millisecond)
	assert.GreaterOrEqual(t, peak.Load(), int64(3), "grew beyond the old size")
	p.Resize(1)
	waitFor(t, "shrink", func() bool { return p.Stats().Workers <= 1 })
	peak.Store(0)
	submit(n / 3)
	for _, tk := range tasks {
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
	assert.EqualValues(t, n, done.Load(), "no task lost")
	assert.EqualValues(t, 1, peak.Load(), "at most one running after shrinking")
	assert.Panics(t, func() { p.Resize(0) })
}
