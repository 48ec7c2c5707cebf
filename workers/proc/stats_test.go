//go:build linux

package proc

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatsLatency(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	const n = 37
	for i := range n {
		_, err := p.Call(context.Background(), "echo", []byte{byte(i)})
		require.NoError(t, err)
	}
	st := p.Stats()
	assert.EqualValues(t, n, st.Completed)
	for _, l := range []Latency{st.Wait, st.Run} {
		assert.EqualValues(t, n, l.Count)
		assert.LessOrEqual(t, l.P50, l.P90)
		assert.LessOrEqual(t, l.P90, l.P99)
		assert.LessOrEqual(t, l.P99, l.Max)
	}
	assert.Positive(t, st.Run.P50, "a round trip through a child takes time")
	assert.Less(t, st.Wait.P50, st.Run.P50, "idle children: taking one is quicker than the round trip")
}
