package workers

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func threadNice(t *testing.T) int {
	prio, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	require.NoError(t, err)
	return 20 - prio
}

// Options.Nice lowers the priority of the workers' threads, and of nothing
// else: the threads end with their workers.
func TestNiceLowersWorkerThreads(t *testing.T) {
	base := threadNice(t)
	if base+3 > 19 {
		t.Skip("already at the lowest priority")
	}
	p := NewPool(Options{Workers: 2, Nice: 3})
	for range 4 {
		task, err := Submit(bg, p, func(context.Context) (int, error) {
			prio, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
			return 20 - prio, err
		})
		require.NoError(t, err)
		nice, err := task.Wait(bg)
		require.NoError(t, err)
		assert.Equal(t, base+3, nice)
	}
	require.NoError(t, p.Close(bg))
	assert.Equal(t, base, threadNice(t), "the test's own thread is untouched")
}
