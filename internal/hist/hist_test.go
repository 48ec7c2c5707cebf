package hist

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBucketBounds(t *testing.T) {
	// Every value lies within its bucket, and buckets are contiguous.
	for i := 0; i < Buckets-1; i++ {
		require.Equal(t, i, BucketOf(BucketUpper(i)), "upper of %d", i)
		require.Equal(t, i+1, BucketOf(BucketUpper(i)+1), "after upper of %d", i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		v := r.Uint64() >> r.IntN(64)
		i := BucketOf(v)
		require.LessOrEqual(t, v, BucketUpper(i))
		if i > 0 {
			require.Greater(t, v, BucketUpper(i-1))
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 999, 10007} {
		var h Histogram
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = int64(r.ExpFloat64() * 50_000)
			h.Record(vals[i])
		}
		sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
		l := h.Snapshot()
		require.EqualValues(t, n, l.Count)
		assert.InDelta(t, float64(vals[n-1])/1e3, l.Max, 1e-9)
		for _, c := range []struct {
			q   float64
			got float64
		}{{0.5, l.P50}, {0.9, l.P90}, {0.99, l.P99}} {
			want := float64(vals[min(n-1, max(0, int(c.q*float64(n)+0.5)-1))]) / 1e3
			// Bucket upper bounds are at most 25% above the true value.
			assert.GreaterOrEqual(t, c.got, want*0.999, "n=%d q=%v", n, c.q)
			assert.LessOrEqual(t, c.got, want*1.26+0.004, "n=%d q=%v", n, c.q)
		}
	}
	var h Histogram
	assert.Equal(t, Latency{}, h.Snapshot())
	h.Record(-5)
	assert.EqualValues(t, 1, h.Snapshot().Count)
}
