package workers

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPace(t *testing.T) {
	const us = int64(time.Microsecond)
	type step struct {
		claimed bool
		g       uint32
		at      int64 // nanotime of a miss
		gap     int   // gap after the step
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a first miss sets no gap", []step{{g: 5, at: us, gap: 0}}},
		{"misses of tiny loops widen the gap", []step{
			{g: 1, at: 1 * us, gap: 0},
			{g: 11, at: 2 * us, gap: 1}, // 10 loops in 1 µs
			{g: 21, at: 3 * us, gap: 3},
			{g: 31, at: 4 * us, gap: 7},
		}},
		{"the gap stops at its bound", func() []step {
			s := []step{{g: 0, at: 1, gap: 0}}
			gap := 0
			for i := 1; i <= 12; i++ {
				gap = min(2*gap+1, teamGapMax)
				s = append(s, step{g: uint32(10 * i), at: int64(i) * us, gap: gap})
			}
			return s
		}()},
		{"a claim halves the gap and keeps the last miss", []step{
			{g: 1, at: 1 * us, gap: 0},
			{g: 11, at: 2 * us, gap: 1},
			{g: 21, at: 3 * us, gap: 3},
			{claimed: true, gap: 1},
			{g: 31, at: 4 * us, gap: 3},
		}},
		{"loops slower than the bound end the gap", []step{
			{g: 1, at: 1 * us, gap: 0},
			{g: 11, at: 2 * us, gap: 1},
			{g: 21, at: 3 * us, gap: 3},
			{g: 22, at: 4 * us, gap: 0}, // one loop in 1 µs
		}},
		{"the same epoch twice is no rate", []step{
			{g: 1, at: 1 * us, gap: 0},
			{g: 11, at: 2 * us, gap: 1},
			{g: 11, at: 2*us + 1, gap: 0},
		}},
		{"epochs that wrap still give the rate", []step{
			{g: ^uint32(0) - 4, at: 1 * us, gap: 0},
			{g: 5, at: 2 * us, gap: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p pace
			for i, s := range tc.steps {
				if s.claimed {
					p.claimed()
				} else {
					p.missed(s.g, s.at)
				}
				require.Equal(t, s.gap, p.gap, "after step %d", i)
			}
		})
	}
}

// A worker that has slowed its looks during a run of empty loops still
// takes part in the next loop that needs it, and soon.
func TestForSharesAfterTinyLoops(t *testing.T) {
	team := NewTeam(2)
	defer team.Close()
	empty := func(lo, hi int) {}
	for round := range 20 {
		for range 5000 {
			team.For(2, 1, empty)
		}
		// Each chunk waits until both have started, so For returns only
		// if the worker ran one.
		var started atomic.Int32
		start := time.Now()
		team.For(2, 1, func(lo, hi int) {
			started.Add(1)
			for started.Load() < 2 {
				if time.Since(start) > 10*time.Second {
					return
				}
			}
		})
		require.EqualValues(t, 2, started.Load(), "round %d: the worker never joined", round)
		// A look comes at most teamGapMax pauses late; allow for a
		// descheduled worker on a busy machine.
		assert.Less(t, time.Since(start), time.Second, "round %d", round)
	}
}

func TestLetWokenRun(t *testing.T) {
	const us = int64(time.Microsecond)
	for _, tc := range []struct {
		name      string
		since     int64 // ns since the wake
		yielded   int64 // ns since the last yield; 0: never
		left      int64 // chunks not handed out
		yields    int
		stillWoke bool
	}{
		{"a worker that may just be slow gets its grace", 5 * us, 0, 3, 0, true},
		{"chunks left after the grace: yield", 30 * us, 0, 3, 1, true},
		{"at most once per grace", 100 * us, 10 * us, 3, 0, true},
		{"again after the grace", 100 * us, 25 * us, 0, 1, true},
		{"past the window the wake is forgotten", int64(wakeWindow) + us, 0, 3, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yields := 0
			team := &Team{yield: func() { yields++ }}
			now := nanotime()
			team.wokeAt = now - tc.since
			if tc.yielded != 0 {
				team.yieldedAt = now - tc.yielded
			}
			team.left.Store(tc.left)
			team.letWokenRun(now)
			assert.Equal(t, tc.yields, yields)
			assert.Equal(t, tc.stillWoke, team.wokeAt != 0)
		})
	}
	// A wake is timed from the first loop that finds the worker absent.
	yields := 0
	team := &Team{yield: func() { yields++ }, wokeAt: -1}
	team.letWokenRun(nanotime())
	assert.Zero(t, yields)
	assert.Positive(t, team.wokeAt)
}

func TestRanAlone(t *testing.T) {
	const us = int64(time.Microsecond)
	for _, tc := range []struct {
		name       string
		alone      uint32 // the streak's length, this loop included
		since      int64  // ns since the streak last found a worker looking; 0: not timed yet
		seenBefore bool   // seen as the streak last found it
		absent     bool   // the workers are taken for woken and absent
		timed      bool   // aloneSince is set after the call
	}{
		{"the first loop of a streak reads no clock", 1, 0, true, false, false},
		{"the second starts the clock", 2, 0, true, false, true},
		{"no worker looked for wakeGrace: absent", 8, 30 * us, true, true, true},
		{"a worker looked meanwhile: the clock starts again", 8, 30 * us, false, false, true},
		{"too soon to tell", 8, 5 * us, true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team := &Team{}
			team.seen.Store(7)
			team.alone, team.aloneSeen = tc.alone, 6
			if tc.seenBefore {
				team.aloneSeen = 7
			}
			now := int64(time.Hour) // any time after the streak began
			if tc.since != 0 {
				team.aloneSince = now - tc.since
			}
			team.ranAlone(func() int64 { return now })
			assert.Equal(t, tc.absent, team.wokeAt == -1, "wokeAt")
			if tc.absent {
				assert.Zero(t, team.alone, "a new streak starts")
			}
			assert.Equal(t, tc.timed, team.aloneSince != 0, "aloneSince")
			assert.EqualValues(t, 7, team.aloneSeen, "aloneSeen")
		})
	}
}

// TestForYieldsToAStuckWorker runs loops on a team whose worker cannot run:
// with one P, the caller's goroutine keeps it through every loop, and the
// worker, which never parked, is woken by no loop. After a streak of loops
// longer than wakeGrace that the caller ran alone, For yields its CPU.
func TestForYieldsToAStuckWorker(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	team := newTeam(2, true, func() int { return -1 }, func(int) bool { return false })
	defer team.Close()
	yields := 0
	team.yield = func() { yields++ }
	var ran atomic.Int64
	for start := time.Now(); time.Since(start) < 20*wakeGrace; {
		team.For(2, 1, func(lo, hi int) {
			for end := time.Now().Add(time.Microsecond); time.Now().Before(end); {
			}
			ran.Add(int64(hi - lo))
		})
	}
	assert.Positive(t, ran.Load())
	assert.Positive(t, yields, "yields of the caller")
}
