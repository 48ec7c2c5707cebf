package shm

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
