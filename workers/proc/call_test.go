//go:build linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
