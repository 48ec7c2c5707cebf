package shm

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// panicErr runs f and returns the error it panicked with (nil if none).
func panicErr(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		e, ok := r.(error)
		require.Truef(t, ok, "panic value %v is not an error", r)
		err = e
	}()
	f()
	return nil
}

func requireDetached(t *testing.T, b *Buffer[float64]) {
	t.Helper()
	assert.True(t, b.Detached())
	assert.Equal(t, 0, b.Len())
	for name, f := range map[string]func(){
		"Data":     func() { b.Data() },
		"Clone":    func() { b.Clone() },
		"Transfer": func() { b.Transfer() },
	} {
		err := panicErr(t, f)
		require.Errorf(t, err, "%s on a detached buffer did not panic", name)
		assert.ErrorIs(t, err, ErrDetached, name)
		assert.Contains(t, err.Error(), name)
	}
	_, err := b.Detach()
	assert.ErrorIs(t, err, ErrDetached)
	assert.ErrorIs(t, b.Release(), ErrDetached)
}

func TestBufferTransferMovesOwnership(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000, 1<<16 + 3} {
		b := NewBuffer[float64](n)
		require.Equal(t, n, b.Len())
		require.False(t, b.Detached())
		d := b.Data()
		for i := range d {
			d[i] = rand.Float64()
		}
		want := append([]float64(nil), d...)

		nb := b.Transfer()
		requireDetached(t, b)
		require.False(t, nb.Detached())
		require.Equal(t, n, nb.Len())
		require.Equal(t, want, append([]float64(nil), nb.Data()...))
		if n > 0 {
			// No copy: the new handle owns the very same elements.
			assert.Same(t, &d[0], &nb.Data()[0])
		}
		// A second transfer of the same handle fails; of the new one works.
		_, err := b.Detach()
		require.ErrorIs(t, err, ErrDetached)
		nb2 := nb.Transfer()
		requireDetached(t, nb)
		require.Equal(t, n, nb2.Len())
	}
}

func TestBufferClone(t *testing.T) {
	b := NewBuffer[int32](1001)
	for i := range b.Data() {
		b.Data()[i] = int32(i * 3)
	}
	c := b.Clone()
	require.Equal(t, b.Data(), c.Data())
	c.Data()[5] = -1
	assert.Equal(t, int32(15), b.Data()[5], "clone shares memory with its source")
	assert.False(t, b.Detached())
}

func TestBufferRelease(t *testing.T) {
	b := NewBuffer[uint8](10)
	require.NoError(t, b.Release())
	requireDetachedAny(t, b)
}

func requireDetachedAny[T Number](t *testing.T, b *Buffer[T]) {
	t.Helper()
	assert.True(t, b.Detached())
	assert.Equal(t, 0, b.Len())
	assert.ErrorIs(t, panicErr(t, func() { b.Data() }), ErrDetached)
}

func TestNewBufferNegativePanics(t *testing.T) {
	assert.PanicsWithValue(t, "shm: NewBuffer: negative length -1", func() { NewBuffer[float32](-1) })
}

// TestBufferConcurrentTransfer races goroutines transferring the same handle:
// exactly one must win every time.
func TestBufferConcurrentTransfer(t *testing.T) {
	const rounds, racers = 500, 4
	for range rounds {
		b := NewBuffer[float64](16)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []*Buffer[float64]
			losers  int
		)
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				var nb *Buffer[float64]
				var err error
				if i%2 == 0 {
					nb, err = b.Detach()
				} else {
					err = panicErr(t, func() { nb = b.Transfer() })
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					assert.ErrorIs(t, err, ErrDetached)
					losers++
					return
				}
				winners = append(winners, nb)
			}()
		}
		close(start)
		wg.Wait()
		require.Len(t, winners, 1)
		require.Equal(t, racers-1, losers)
		require.Equal(t, 16, winners[0].Len())
		require.True(t, b.Detached())
	}
}

// TestBufferHandOverChannel passes a buffer back and forth between two
// goroutines, each writing its mark, as the transfer benchmark does.
func TestBufferHandOverChannel(t *testing.T) {
	to, back := make(chan *Buffer[int64]), make(chan *Buffer[int64])
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range to {
			b.Data()[0]++
			back <- b.Transfer()
		}
	}()
	b := NewBuffer[int64](333)
	for range 1000 {
		old := b
		to <- b.Transfer()
		require.True(t, old.Detached())
		b = <-back
		b.Data()[332]++
	}
	close(to)
	<-done
	assert.Equal(t, int64(1000), b.Data()[0])
	assert.Equal(t, int64(1000), b.Data()[332])
}

// BenchmarkHandOver compares Transfer with the Clone baseline, per size.
func BenchmarkHandOver(b *testing.B) {
	for _, n := range []int{128, 1 << 17, 1 << 21} {
		b.Run(fmt.Sprintf("clone/%dB", n*8), func(b *testing.B) {
			buf := NewBuffer[float64](n)
			b.SetBytes(int64(n * 8))
			for b.Loop() {
				buf = buf.Clone()
			}
		})
		b.Run(fmt.Sprintf("transfer/%dB", n*8), func(b *testing.B) {
			buf := NewBuffer[float64](n)
			b.SetBytes(int64(n * 8))
			for b.Loop() {
				buf = buf.Transfer()
			}
		})
	}
}

func TestBufferOfRegion(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := BufferOf[float64](r, 64, 100)
	require.NoError(t, err)
	for i := range b.Data() {
		b.Data()[i] = float64(i) * 1.5
	}
	c := b.Transfer()
	assert.True(t, b.Detached())
	assert.Equal(t, 100, c.Len())
	v, err := View[float64](r, 64, 100)
	require.NoError(t, err)
	assert.Equal(t, v, c.Data(), "the transferred handle still points into the region")
	_, err = BufferOf[float64](r, 4, 1)
	assert.ErrorIs(t, err, ErrAlignment)
	_, err = BufferOf[float64](r, 0, 1000)
	assert.ErrorIs(t, err, ErrRange)
}
