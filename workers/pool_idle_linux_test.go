package workers

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdlePoolParks(t *testing.T) {
	// After a burst the workers watch the ring for a bounded time, then
	// park: an idle pool must not keep burning a core.
	p := NewPool(Options{Workers: 2})
	defer p.Close(context.Background())
	var wg sync.WaitGroup
	for range 20000 {
		wg.Add(1)
		require.NoError(t, p.Go(context.Background(), func(context.Context) error { wg.Done(); return nil }, nil))
	}
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // longer than any spin budget
	c0 := processCPU()
	time.Sleep(200 * time.Millisecond)
	used := processCPU() - c0
	// Two spinning workers would use ~400ms; allow for the test binary's
	// own background work.
	assert.Less(t, used, 60*time.Millisecond, "CPU used while idle")
}
