package workers

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapOrder(t *testing.T) {
	pools(t, Options{MaxWorkers: 3}, func(t *testing.T, p *Pool) {
		for _, n := range []int{0, 1, 2, 7, 1001} {
			xs := make([]int, n)
			for i := range xs {
				xs[i] = rand.IntN(1000)
			}
			got, err := Map(bg, p, xs, func(ctx context.Context, x int) (string, error) {
				if x%16 == 0 {
					time.Sleep(time.Duration(x) * time.Microsecond)
				}
				return string(rune('a' + x%26)), nil
			})
			require.NoError(t, err)
			require.Len(t, got, n)
			for i, x := range xs {
				require.Equal(t, string(rune('a'+x%26)), got[i])
			}
		}
	})
}

func TestMapFirstErrorCancels(t *testing.T) {
	pools(t, Options{MaxWorkers: 2}, func(t *testing.T, p *Pool) {
		boom := errors.New("boom")
		var ran atomic.Int32
		xs := make([]int, 10_000)
		_, err := Map(bg, p, xs, func(ctx context.Context, x int) (int, error) {
			if ran.Add(1) == 10 {
				return 0, boom
			}
			return x, nil
		})
		assert.Equal(t, boom, err)
		assert.Less(t, ran.Load(), int32(100), "calls after the failure")

		_, err = Map(bg, p, []int{1, 2, 3}, func(ctx context.Context, x int) (int, error) {
			if x == 2 {
				panic("two")
			}
			return x, nil
		})
		var pe *PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "two", pe.Value)

		ctx, cancel := context.WithCancel(bg)
		cancel()
		_, err = Map(ctx, p, xs, func(ctx context.Context, x int) (int, error) { ran.Add(1); return x, nil })
		assert.ErrorIs(t, err, context.Canceled)
	})
}

func TestForEach(t *testing.T) {
	pools(t, Options{MaxWorkers: 3}, func(t *testing.T, p *Pool) {
		var sum atomic.Int64
		require.NoError(t, ForEach(bg, p, slices.Values([]int{1, 2, 3, 4}), func(ctx context.Context, x int) error {
			sum.Add(int64(x))
			return nil
		}))
		assert.EqualValues(t, 10, sum.Load())

		// The first failure stops the reading of the sequence.
		boom := errors.New("boom")
		read := 0
		infinite := func(yield func(int) bool) {
			for i := 0; ; i++ {
				read++
				if !yield(i) {
					return
				}
			}
		}
		err := ForEach(bg, p, infinite, func(ctx context.Context, x int) error {
			if x == 50 {
				return boom
			}
			return nil
		})
		assert.Equal(t, boom, err)
		assert.Less(t, read, 1_000_000)
	})
}
