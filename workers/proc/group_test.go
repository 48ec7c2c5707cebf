//go:build linux

package proc

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/workers"
)

func TestGroupChildKilled(t *testing.T) {
	p := newPool(t, Options{Workers: 3})
	t.Run("cancel", func(t *testing.T) {
		// The killed member fails with ErrWorkerDied; the running members
		// are cancelled in their children and the waiting ones never run.
		g := NewGroup(context.Background(), p, GroupOptions{})
		var cancelled, ran atomic.Int32
		for range 2 {
			g.Go(func(ctx context.Context) error {
				_, err := p.Call(ctx, "cooperative", nil)
				if errors.Is(err, context.Canceled) {
					cancelled.Add(1)
				}
				return err
			})
		}
		g.Call("sigkill", nil)
		for range 5 {
			g.Go(func(ctx context.Context) error { ran.Add(1); return nil })
		}
		err := g.Wait()
		require.ErrorIs(t, err, ErrWorkerDied)
		assert.Contains(t, err.Error(), "killed")
		assert.EqualValues(t, 2, cancelled.Load())
		assert.Zero(t, ran.Load())
	})
	t.Run("keep going", func(t *testing.T) {
		g := NewGroup(context.Background(), p, GroupOptions{KeepGoing: true})
		var ok atomic.Int32
		for i := range 12 {
			if i == 4 {
				g.Call("sigkill", nil)
				continue
			}
			g.Go(func(ctx context.Context) error {
				out, err := p.Call(ctx, "echo", []byte("x"))
				if err == nil && string(out) == "echo:x" {
					ok.Add(1)
				}
				return err
			})
		}
		require.ErrorIs(t, g.Wait(), ErrWorkerDied)
		assert.EqualValues(t, 11, ok.Load())
	})
}

func TestGroupShape(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	// The default limit is the number of children.
	g := NewGroup(context.Background(), p, GroupOptions{})
	release := make(chan struct{})
	var in atomic.Int32
	for range 2 {
		g.Go(func(ctx context.Context) error { in.Add(1); <-release; return nil })
	}
	assert.False(t, g.TryGo(func(ctx context.Context) error { return nil }))
	close(release)
	require.NoError(t, g.Wait())
	require.NoError(t, g.Wait())
	assert.EqualValues(t, 2, in.Load())

	g = NewGroup(context.Background(), p, GroupOptions{})
	g.Go(func(ctx context.Context) error { panic("member") })
	var pe *workers.PanicError
	require.ErrorAs(t, g.Wait(), &pe)

	g = NewGroup(context.Background(), p, GroupOptions{})
	require.NoError(t, g.Wait(), "empty")

	closed := newPool(t, Options{Workers: 1})
	closed.CloseNow()
	g = NewGroup(context.Background(), closed, GroupOptions{})
	g.Call("echo", nil)
	assert.ErrorIs(t, g.Wait(), ErrClosed)
}
