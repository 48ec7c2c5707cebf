//go:build linux

package proc

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

// leaked is what the "leak" task keeps for good, in the child.
var leaked [][]byte

func init() {
	Register("leak", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		b := make([]byte, 8<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1 // resident, not just reserved
		}
		leaked = append(leaked, b)
		return []byte(strconv.Itoa(os.Getpid())), nil
	})
	Register("pid", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		return []byte(strconv.Itoa(os.Getpid())), nil
	})
}

// A task that leaks grows its child past MaxRSS: the pool retires that
// child after the call and starts a fresh one; no call fails, and the fresh
// child is small.
func TestRecycleByRSS(t *testing.T) {
	const maxRSS = 64 << 20
	p := newPool(t, Options{Workers: 1, MaxRSS: maxRSS})
	pids := map[string]bool{}
	for i := range 16 {
		out, err := p.Call(context.Background(), "leak", nil)
		require.NoError(t, err, "call %d", i)
		pids[string(out)] = true
	}
	st := p.Stats()
	assert.Zero(t, st.Failed)
	assert.EqualValues(t, 16, st.Completed)
	assert.Positive(t, st.Recycled, "16 × 8 MiB must cross 64 MiB")
	assert.Greater(t, len(pids), 1, "a recycled child was replaced")
	assert.Zero(t, st.Died)
	// The child serving now is below the limit.
	out, err := p.Call(context.Background(), "pid", nil)
	require.NoError(t, err)
	pid, err := strconv.Atoi(string(out))
	require.NoError(t, err)
	rss, err := residentBytes(pid)
	require.NoError(t, err)
	assert.Less(t, rss, int64(maxRSS), "the fresh child is small")
}

func TestRecycleByTaskCount(t *testing.T) {
	p := newPool(t, Options{Workers: 1, MaxTasksPerWorker: 3})
	var pids []string
	for range 7 {
		out, err := p.Call(context.Background(), "pid", nil)
		require.NoError(t, err)
		pids = append(pids, string(out))
	}
	for i := range pids {
		assert.Equal(t, pids[i/3*3], pids[i], "call %d runs on the child of call %d", i, i/3*3)
	}
	assert.NotEqual(t, pids[0], pids[3])
	assert.NotEqual(t, pids[3], pids[6])
	st := p.Stats()
	assert.EqualValues(t, 2, st.Recycled)
	assert.Zero(t, st.Failed)
}
