package workers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsRendering(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 2})
	for range 20 {
		tk, err := Submit(bg, p, func(context.Context) (int, error) {
			deadline := time.Now().Add(200 * time.Microsecond)
			for time.Now().Before(deadline) {
			}
			return 0, nil
		})
		require.NoError(t, err)
		_, err = tk.Wait(bg)
		require.NoError(t, err)
	}
	require.NoError(t, p.Close(bg))
	st := p.Stats()
	assert.Greater(t, st.Utilization, 0.0)
	assert.LessOrEqual(t, st.Utilization, 1.0)
	assert.Greater(t, st.UtilizationRecent, 0.0)
	assert.GreaterOrEqual(t, st.Run.P50, 150.0)
	assert.GreaterOrEqual(t, st.Run.Max, st.Run.P99)
	assert.GreaterOrEqual(t, st.Run.P99, st.Run.P50)
	b, err := json.Marshal(st)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"queued", "running", "completed", "failed", "cancelled", "workers", "utilization", "utilization_recent", "wait", "run"} {
		assert.Contains(t, m, k)
	}
	assert.Contains(t, m["run"], "p99_us")
	s := st.String()
	assert.NotContains(t, s, "\n")
	assert.True(t, strings.HasPrefix(s, "queued=0 "), s)
	assert.Contains(t, s, "completed=20")
}

func TestNoTiming(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 3, NoTiming: true})
	release := make(chan struct{})
	var blocked []*Task[int]
	for range 3 {
		tk, err := Submit(bg, p, func(context.Context) (int, error) { <-release; return 0, nil })
		require.NoError(t, err)
		blocked = append(blocked, tk)
	}
	ctx, cancel := context.WithCancel(bg)
	queued, err := Submit(ctx, p, func(context.Context) (int, error) { return 0, nil })
	require.NoError(t, err)
	waitFor(t, "three running", func() bool { return p.Stats().Running == 3 })
	st := p.Stats()
	assert.Equal(t, 1, st.Queued)
	cancel()
	_, err = queued.Wait(bg)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	for _, tk := range blocked {
		_, err := tk.Wait(bg)
		require.NoError(t, err)
	}
	const n = 37 // every fifth fails, one panics
	var tasks []*Task[int]
	for i := range n {
		tk, err := Submit(bg, p, func(context.Context) (int, error) {
			switch {
			case i == 11:
				panic("boom")
			case i%5 == 0:
				return 0, errors.New("failed")
			}
			return i, nil
		})
		require.NoError(t, err)
		tasks = append(tasks, tk)
	}
	for _, tk := range tasks {
		<-tk.Done()
	}
	require.NoError(t, p.Close(bg))

	st = p.Stats()
	assert.False(t, st.Timing)
	assert.EqualValues(t, 3+1+n, st.Submitted)
	assert.EqualValues(t, 3+n-8-1, st.Completed)
	assert.EqualValues(t, 8+1, st.Failed)
	assert.EqualValues(t, 1, st.Cancelled)
	assert.Zero(t, st.Running)
	assert.Zero(t, st.Queued)
	assert.Equal(t, Latency{}, st.Wait)
	assert.Equal(t, Latency{}, st.Run)
	assert.Zero(t, st.Utilization)
	assert.Zero(t, st.UtilizationRecent)

	b, err := json.Marshal(st)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, false, m["timing"])
	assert.EqualValues(t, 3+n-8-1, m["completed"])
	assert.EqualValues(t, 1, m["cancelled"])
	s := st.String()
	assert.NotContains(t, s, "\n")
	assert.Contains(t, s, fmt.Sprintf("completed=%d failed=9 cancelled=1 timing=off", 3+n-8-1))
	assert.NotContains(t, s, "util=")
}

// TestUtilizationOfLongStretch checks that a worker busy for longer than a
// second, without parking, counts in both utilization figures while still
// busy.
func TestUtilizationOfLongStretch(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 1.2 s")
	}
	p := NewPool(Options{MaxWorkers: 1})
	release := make(chan struct{})
	tk, err := Submit(bg, p, func(context.Context) (int, error) { <-release; return 0, nil })
	require.NoError(t, err)
	time.Sleep(1200 * time.Millisecond)
	st := p.Stats()
	assert.True(t, st.Timing)
	assert.Greater(t, st.Utilization, 0.8, st.String())
	assert.Greater(t, st.UtilizationRecent, 0.8, st.String())
	close(release)
	_, err = tk.Wait(bg)
	require.NoError(t, err)
	require.NoError(t, p.Close(bg))
	st = p.Stats()
	assert.Greater(t, st.Utilization, 0.8, st.String())
	assert.Greater(t, st.UtilizationRecent, 0.8, st.String())
	assert.EqualValues(t, 1, st.Run.Count)
	assert.GreaterOrEqual(t, st.Run.P50, 1e6)
}

// TestUtilizationAcrossResize checks that the recent utilization weighs
// each stretch of the window by the size the pool had then: two of four
// workers busy is half, before and just after a shrink to two.
func TestUtilizationAcrossResize(t *testing.T) {
	p := NewPool(Options{MaxWorkers: 4})
	release1, release2 := occupy(t, p), occupy(t, p)
	time.Sleep(300 * time.Millisecond)
	before := p.Stats()
	p.Resize(2)
	after := p.Stats()
	release1()
	release2()
	require.NoError(t, p.Close(bg))
	assert.InDelta(t, 0.5, before.UtilizationRecent, 0.15, before.String())
	assert.InDelta(t, 0.5, after.UtilizationRecent, 0.15, after.String())
	assert.InDelta(t, 0.5, after.Utilization, 0.15, after.String())
}
