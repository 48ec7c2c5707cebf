package shm

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/placement"
)

func TestSpinBudget(t *testing.T) {
	t.Run("a catch at least doubles the budget, up to the cap", func(t *testing.T) {
		var s spinBudget
		s.init()
		s.hit(time.Microsecond)
		assert.Equal(t, 2*queueSpinInitial, time.Duration(s.ns.Load()))
		s.hit(40 * time.Microsecond)
		assert.Equal(t, queueSpinMax, time.Duration(s.ns.Load()))
	})
	t.Run("a wake-up raises a small budget to the initial one", func(t *testing.T) {
		var s spinBudget
		s.init()
		for range 20 {
			s.miss()
		}
		s.woken()
		assert.Equal(t, queueSpinInitial, time.Duration(s.ns.Load()))
		s.hit(40 * time.Microsecond)
		s.woken()
		assert.Equal(t, queueSpinMax, time.Duration(s.ns.Load()), "a larger budget stays")
	})
	t.Run("misses halve it down to the spin that never yields", func(t *testing.T) {
		var s spinBudget
		s.init()
		for range 20 {
			s.miss()
		}
		assert.Equal(t, queueSpinAlone, time.Duration(s.ns.Load()))
	})
	tests := []struct {
		name      string
		ns        time.Duration
		msgs      uint64
		waits     uint32
		want      time.Duration
		wantProbe bool
	}{
		{"a large budget is used as it is", 20 * time.Microsecond, 0, 0, 20 * time.Microsecond, false},
		{"a small one between probe rounds", queueSpinAlone, 5, 0, queueSpinAlone, false},
		{"a small one on a probe round", queueSpinAlone, 3 * probeEvery, 0, queueSpinMax, true},
		{"a small one on the first message", queueSpinAlone, 0, 0, queueSpinMax, true},
		{"a small one after many waits off the rounds", queueSpinAlone, 5, 4*probeEvery - 1, queueSpinMax, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s spinBudget
			s.ns.Store(int64(tt.ns))
			s.msgs = tt.msgs
			s.waits.Store(tt.waits)
			b, probe := s.budget()
			assert.Equal(t, tt.want, b)
			assert.Equal(t, tt.wantProbe, probe)
		})
	}
}

// TestQueueProbeRounds checks that a request and reply exchange puts both
// sides' probes on the same round trip: the side that has read k
// requests and the side that has read k replies count k messages each.
func TestQueueProbeRounds(t *testing.T) {
	_, calls := newTestQueue(t, 4096, 0)
	_, replies := newTestQueue(t, 4096, 0)
	ctx := t.Context()
	buf := make([]byte, 16)
	for range 2*probeEvery + 3 {
		assert.NoError(t, calls.Send(ctx, []byte("call")))
		_, err := calls.Receive(ctx, buf)
		assert.NoError(t, err)
		assert.NoError(t, replies.Send(ctx, []byte("reply")))
		_, err = replies.Receive(ctx, buf)
		assert.NoError(t, err)
		assert.Equal(t, calls.recvSpin.msgs, replies.recvSpin.msgs)
		assert.Equal(t, calls.sendSpin.msgs, calls.recvSpin.msgs)
	}
	assert.EqualValues(t, 2*probeEvery+3, replies.recvSpin.msgs)
}

func TestReplySpin(t *testing.T) {
	const budget = 5 * time.Microsecond
	now := queueEpoch.Add(time.Second)
	at := func(d time.Duration) int64 { return int64(now.Sub(queueEpoch) - d) }
	tests := []struct {
		name      string
		repliesTo bool
		wokeAt    int64 // of the requests' queue; 0: never woke
		want      time.Duration
		wantWake  bool
	}{
		{"a request woke its consumer 50 µs ago", true, at(50 * time.Microsecond), queueSpinWoken - 50*time.Microsecond, true},
		{"it woke it just now", true, at(0), queueSpinWoken, true},
		{"so long ago that the budget is longer", true, at(queueSpinWoken - budget/2), budget, false},
		{"longer ago than the spin after a wake-up", true, at(time.Millisecond), budget, false},
		{"no request ever woke it", true, 0, budget, false},
		{"without RepliesTo", false, at(50 * time.Microsecond), budget, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, calls := newTestQueue(t, 4096, 0)
			_, replies := newTestQueue(t, 4096, 0)
			if tt.repliesTo {
				replies.RepliesTo(calls)
			}
			calls.wokeAt.Store(tt.wokeAt)
			got, afterWake := replies.replySpin(budget, now)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantWake, afterWake)
		})
	}
	t.Run("a commit that wakes a sleeping consumer stamps its time", func(t *testing.T) {
		_, q := newTestQueue(t, 4096, 0)
		require.NoError(t, q.Send(t.Context(), []byte("nobody sleeps")))
		assert.Zero(t, q.wokeAt.Load())
		atomic.StoreUint32(q.u32(qConsParked), 1) // as a consumer about to sleep leaves it
		before := queueClock()
		require.NoError(t, q.Send(t.Context(), []byte("wakes it")))
		assert.GreaterOrEqual(t, q.wokeAt.Load(), before)
	})
}

// TestRepliesTo checks that a wait for a reply to a request that woke its
// sleeping consumer spins through the wake-up instead of sleeping. Without
// RepliesTo the same exchange has the waiter sleep, as the check of the
// test's probe. How often either happens depends on the scheduling of a
// busy machine: a descheduled waiter sets no flag, and one descheduled past
// the spin sleeps. So the case without RepliesTo asks for one round that
// slept, and the case with it counts only the rounds whose answer came
// within the spin after the wake-up.
func TestRepliesTo(t *testing.T) {
	// The peer answers answerAfter after it took the request: longer than
	// any budget of the reply's waiter (queueSpinMax), well within the
	// spin after a wake-up (queueSpinWoken).
	const answerAfter = queueSpinMax + 20*time.Microsecond
	type round struct{ slept, inTime bool }
	for _, repliesTo := range []bool{true, false} {
		t.Run(fmt.Sprintf("RepliesTo=%v", repliesTo), func(t *testing.T) {
			_, calls := newTestQueue(t, 4096, 0)
			_, replies := newTestQueue(t, 4096, 0)
			if repliesTo {
				replies.RepliesTo(calls)
			}
			ctx := t.Context()
			const rounds = 30
			results := make(chan round, rounds)
			go func() {
				buf := make([]byte, 16)
				for range rounds {
					if _, err := calls.Receive(ctx, buf); err != nil {
						return
					}
					// Whether the reply's waiter slept before the
					// answer. The peer yields its CPU as it waits, in
					// case the waiter was queued behind it there.
					var r round
					for end := time.Now().Add(answerAfter); time.Now().Before(end); {
						r.slept = r.slept || atomic.LoadUint32(replies.u32(qConsParked)) != 0
						placement.Yield()
					}
					r.inTime = time.Duration(queueClock()-calls.wokeAt.Load()) < queueSpinWoken-10*time.Microsecond
					results <- r
					if replies.Send(ctx, []byte("reply")) != nil {
						return
					}
				}
			}()
			buf := make([]byte, 16)
			slept, inTime, sleptInTime := 0, 0, 0
			for range rounds {
				time.Sleep(2 * time.Millisecond) // the peer's spin runs out: it sleeps
				require.NoError(t, calls.Send(ctx, []byte("call")))
				_, err := replies.Receive(ctx, buf)
				require.NoError(t, err)
				r := <-results
				slept += b2i(r.slept)
				inTime += b2i(r.inTime)
				sleptInTime += b2i(r.slept && r.inTime)
			}
			if !repliesTo {
				assert.Positive(t, slept, "rounds whose reply waiter slept")
				return
			}
			if inTime < rounds/4 {
				t.Skipf("the machine is too busy: %d of %d answers came within %v of the wake-up", inTime, rounds, queueSpinWoken)
			}
			assert.LessOrEqual(t, sleptInTime, inTime/4, "rounds answered in time whose reply waiter slept")
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
