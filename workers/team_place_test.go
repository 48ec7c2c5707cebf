package workers

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTeamMoveOffDecision(t *testing.T) {
	now := time.Now()
	long := now.Add(-time.Hour)
	for _, tc := range []struct {
		name      string
		cpu       int
		caller    int32
		placed    time.Time
		wantLeave bool
	}{
		{"CPU unknown", -1, -1, long, false},
		{"caller unknown", 1, -1, long, false},
		{"different CPUs", 1, 0, long, false},
		{"same CPU", 1, 1, long, true},
		{"same CPU, moved just now", 1, 1, now.Add(-teamPlaceEvery / 2), false},
		{"same CPU, moved a while ago", 0, 0, now.Add(-teamPlaceEvery), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tm Team
			tm.callerCPU.Store(tc.caller)
			placed := tc.placed
			assert.Equal(t, tc.wantLeave, tm.mustMove(tc.cpu, now, &placed))
			if tc.wantLeave {
				assert.Equal(t, now, placed, "the move is noted")
			} else {
				assert.Equal(t, tc.placed, placed, "no move, nothing noted")
			}
		})
	}
}

// A worker woken from its park on the CPU its caller runs on moves off it,
// once per wake-up; with placement off it never looks.
func TestTeamWokenWorkerMovesOff(t *testing.T) {
	for _, place := range []bool{true, false} {
		var moves, reads atomic.Int32
		tm := newTeam(2, place, func() int { reads.Add(1); return 3 }, func(cpu int) bool {
			assert.Equal(t, 3, cpu)
			moves.Add(1)
			return true
		})
		for i := range 3 {
			time.Sleep(20 * time.Millisecond) // past every spin budget: the worker parks
			ran := make(chan struct{}, 2)
			tm.For(2, 1, func(lo, hi int) {
				ran <- struct{}{}
				time.Sleep(time.Millisecond)
			})
			require.Len(t, ran, 2)
			if place {
				require.Equal(t, int32(i+1), moves.Load(), "one move per wake-up")
			}
		}
		tm.Close()
		if place {
			assert.Equal(t, int32(3), moves.Load())
		} else {
			assert.Zero(t, moves.Load())
			assert.Zero(t, reads.Load(), "no placement, no CPU reads")
		}
	}
}
