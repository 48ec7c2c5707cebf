//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/placement"
	"github.com/sharc-go/sharc/shm"
)

func init() {
	Register("proc.test.cpu", func(context.Context, []byte, []*shm.Region) ([]byte, error) {
		return binary.LittleEndian.AppendUint32(nil, uint32(int32(placement.CPU()))), nil
	})
}

func TestChildMustLeaveTheCallersCPU(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tests := []struct {
		name   string
		took   uint64
		caller int32
		cpu    int
		placed time.Time
		want   bool
	}{
		{"same CPU on a probe round", probeRound, 1, 1, time.Time{}, true},
		{"same CPU, second probe round", 5 * probeRound, 0, 0, t0.Add(-placeEvery), true},
		{"same CPU between probe rounds", probeRound + 1, 1, 1, time.Time{}, false},
		{"another CPU", probeRound, 0, 1, time.Time{}, false},
		{"CPU unknown here", probeRound, -1, -1, time.Time{}, false},
		{"moved too recently", probeRound, 1, 1, t0.Add(-placeEvery / 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			took, caller := tt.took, tt.caller
			s := &server{q: &queues{took: &took, caller: &caller}, placed: tt.placed}
			assert.Equal(t, tt.want, s.mustLeave(tt.cpu, t0))
			if tt.want {
				assert.Equal(t, t0, s.placed, "the move is noted")
			} else {
				assert.Equal(t, tt.placed, s.placed)
			}
		})
	}
}

// TestCallerCPUReachesTheChild checks the word a child compares its CPU
// with: after each call it holds the CPU the caller sent from.
func TestCallerCPUReachesTheChild(t *testing.T) {
	if placement.CPU() < 0 {
		t.Skip("no cheap CPU number on this platform")
	}
	p := newPool(t, Options{Workers: 1})
	for range 3 * probeRound {
		out, err := p.Call(context.Background(), "proc.test.cpu", nil)
		require.NoError(t, err)
		require.Len(t, out, 4)
		assert.GreaterOrEqual(t, int32(binary.LittleEndian.Uint32(out)), int32(0), "the child's CPU")
	}
	var seen int32 = -2
	p.mu.Lock()
	for c := range p.live {
		if c.q != nil {
			seen = atomic.LoadInt32(c.q.caller)
		}
	}
	p.mu.Unlock()
	assert.GreaterOrEqual(t, seen, int32(0), "the caller's CPU in the queues' region")
}
