package workers

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMustMove(t *testing.T) {
	const now = int64(10 * time.Second)
	every := int64(placeEvery)
	for _, tc := range []struct {
		name   string
		cpu    int
		waker  int32
		placed int64
		want   bool
	}{
		{"CPU unknown", -1, -1, 0, false},
		{"waker unknown", 1, -1, 0, false},
		{"different CPUs", 1, 0, 0, false},
		{"same CPU, never moved", 1, 1, 0, true},
		{"same CPU 0", 0, 0, 0, true},
		{"same CPU, moved just now", 1, 1, now - every/2, false},
		{"same CPU, moved a while ago", 1, 1, now - every, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			placed := tc.placed
			assert.Equal(t, tc.want, mustMove(tc.cpu, tc.waker, now, &placed))
			if tc.want {
				assert.Equal(t, now, placed, "the move is noted")
			} else {
				assert.Equal(t, tc.placed, placed, "no move, nothing noted")
			}
		})
	}
}

// fakePlacement stands for internal/placement: every thread is on CPU 3,
// and moves are counted.
type fakePlacement struct{ reads, moves atomic.Int32 }

func (f *fakePlacement) cpu() int { f.reads.Add(1); return 3 }

func (f *fakePlacement) leave(t *testing.T) func(int) bool {
	return func(cpu int) bool {
		assert.Equal(t, 3, cpu)
		f.moves.Add(1)
		return true
	}
}

// A Team worker woken from its park on the CPU its caller runs on moves off
// it, once per wake-up; with placement off it never looks.
func TestTeamWokenWorkerMovesOff(t *testing.T) {
	for _, place := range []bool{true, false} {
		var f fakePlacement
		tm := newTeam(2, place, f.cpu, f.leave(t))
		for i := range 3 {
			time.Sleep(20 * time.Millisecond) // past every spin budget: the worker parks
			ran := make(chan struct{}, 2)
			tm.For(2, 1, func(lo, hi int) {
				ran <- struct{}{}
				time.Sleep(time.Millisecond)
			})
			require.Len(t, ran, 2)
			if place {
				require.Equal(t, int32(i+1), f.moves.Load(), "one move per wake-up")
			}
		}
		tm.Close()
		if place {
			assert.Equal(t, int32(3), f.moves.Load(), "none at Close")
		} else {
			assert.Zero(t, f.moves.Load())
			assert.Zero(t, f.reads.Load(), "no placement, no CPU reads")
		}
	}
}
