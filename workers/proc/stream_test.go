//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

// produced is the count a streaming test task keeps in word 0 of its
// region, if it was given one, so the parent can see how far it ran.
type counter struct{ p *uint64 }

func (c counter) Add(n uint64) { atomic.AddUint64(c.p, n) }
func (c counter) Load() uint64 { return atomic.LoadUint64(c.p) }

func produced(rs []*shm.Region) counter {
	if len(rs) == 0 {
		return counter{new(uint64)}
	}
	w, _ := shm.View[uint64](rs[0], 0, 1)
	return counter{&w[0]}
}

func init() {
	RegisterStream("stream-count", func(ctx context.Context, arg []byte, rs []*shm.Region, emit func([]byte) bool) error {
		n := binary.LittleEndian.Uint64(arg)
		count := produced(rs)
		for i := range n {
			if !emit(binary.LittleEndian.AppendUint64(nil, i)) {
				return ctx.Err()
			}
			count.Add(1)
		}
		return nil
	})
	RegisterStream("stream-fail", func(ctx context.Context, arg []byte, rs []*shm.Region, emit func([]byte) bool) error {
		emit([]byte("a"))
		emit([]byte("b"))
		return errors.New("stream failed")
	})
	RegisterStream("stream-panic", func(ctx context.Context, arg []byte, rs []*shm.Region, emit func([]byte) bool) error {
		emit([]byte("a"))
		panic("stream panic")
	})
	RegisterStream("stream-sigkill", func(ctx context.Context, arg []byte, rs []*shm.Region, emit func([]byte) bool) error {
		emit([]byte("a"))
		time.Sleep(10 * time.Millisecond)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
		return nil
	})
}

func u64(n uint64) []byte { return binary.LittleEndian.AppendUint64(nil, n) }

func TestStreamItemsInOrder(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	for _, n := range []uint64{0, 1, 5000} {
		var got []uint64
		for b, err := range p.Stream(context.Background(), "stream-count", u64(n)) {
			require.NoError(t, err)
			got = append(got, binary.LittleEndian.Uint64(b))
		}
		require.Len(t, got, int(n))
		for i, v := range got {
			require.EqualValues(t, i, v)
		}
	}
	// A Call on a stream task discards the items.
	out, err := p.Call(context.Background(), "stream-count", u64(100))
	require.NoError(t, err)
	assert.Empty(t, out)
	// The child is ready for the next call.
	out, err = p.Call(context.Background(), "echo", []byte("x"))
	require.NoError(t, err)
	assert.Equal(t, "echo:x", string(out))
}

func TestStreamBackpressureAndEarlyBreak(t *testing.T) {
	// A long grace period, so that waiting for it cannot pass for a slow
	// machine.
	p := newPool(t, Options{Workers: 1, Grace: 10 * time.Second})
	r, err := shm.New(4096)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	count := produced([]*shm.Region{r})
	const n = 1_000_000
	seen := 0
	start := time.Now()
	for b, err := range p.Stream(context.Background(), "stream-count", u64(n), Share(r)) {
		require.NoError(t, err)
		require.EqualValues(t, seen, binary.LittleEndian.Uint64(b))
		seen++
		if seen == 1 {
			// A consumer that does not take items stops the task: it runs
			// ahead only by what the buffers hold.
			time.Sleep(100 * time.Millisecond)
			ahead := count.Load()
			time.Sleep(50 * time.Millisecond)
			assert.Equal(t, ahead, count.Load(), "the task went on while the consumer waited")
			assert.Less(t, ahead, uint64(n/10), "items produced ahead of the consumer")
			t.Logf("a stalled consumer lets the task run %d items ahead", ahead)
		}
		if seen == 100 {
			break
		}
	}
	// The child stopped its task at once (no kill after the grace period)
	// and takes the next call.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := p.Call(ctx, "echo", []byte("y"))
	require.NoError(t, err)
	assert.Equal(t, "echo:y", string(out))
	assert.Zero(t, p.Stats().Killed)
	assert.Less(t, time.Since(start), 8*time.Second, "the early break waited for the grace period")
	assert.Less(t, count.Load(), uint64(n), "the task ran to the end")
}

func TestStreamErrors(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	collect := func(name string) (items []string, errs []error) {
		for b, err := range p.Stream(context.Background(), name, nil) {
			if err != nil {
				errs = append(errs, err)
			} else {
				items = append(items, string(b))
			}
		}
		return
	}
	items, errs := collect("stream-fail")
	assert.Equal(t, []string{"a", "b"}, items)
	require.Len(t, errs, 1)
	var te *TaskError
	require.ErrorAs(t, errs[0], &te)
	assert.Equal(t, "stream failed", te.Msg)

	items, errs = collect("stream-panic")
	assert.Equal(t, []string{"a"}, items)
	require.Len(t, errs, 1)
	require.ErrorAs(t, errs[0], &te)
	assert.True(t, te.Panic)

	items, errs = collect("stream-sigkill")
	assert.Equal(t, []string{"a"}, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrWorkerDied)

	_, errs = collect("no-such-task")
	require.Len(t, errs, 1)

	closed := newPool(t, Options{Workers: 1})
	closed.CloseNow()
	for _, err := range closed.Stream(context.Background(), "stream-count", u64(3)) {
		assert.ErrorIs(t, err, ErrClosed)
	}
}
