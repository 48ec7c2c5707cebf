package atomics

import (
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) uint32 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	require.NoError(t, cmd.Run())
	return uint32(cmd.Process.Pid)
}

// occupy writes a slot owned by pid with waiting registrations and parked
// sleepers, as a process killed while waiting leaves it.
func occupy(w *Word, i int, pid uint32, waiting, parked uint64) {
	atomic.StoreUint64(&w.slots[i], uint64(pid)<<slotPidShift|parked<<slotPkShift|waiting)
	atomic.OrUint64(&w.summary, 1<<i)
}

func TestNotifyWordSkipsDeadOwner(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var w Word
	occupy(&w, 3, deadPid(t), 2, 1)
	assert.Equal(t, 0, tb.NotifyWord(&w, 1), "a dead waiter is not counted")
	assert.Zero(t, atomic.LoadUint64(&w.slots[3]), "its slot is freed")
	assert.Zero(t, w.slotsInUse(), "and the summary says so")
	assert.Equal(t, uint32(0), w.seq, "nothing was granted")
}

func TestNotifyWordLiveOwner(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var w Word
	occupy(&w, 0, uint32(os.Getppid()), 2, 0)
	assert.Equal(t, 1, tb.NotifyWord(&w, 1))
	v := atomic.LoadUint64(&w.slots[0])
	assert.Equal(t, uint64(1), slotWaiting(v))
	assert.Equal(t, uint64(1), slotTokens(v))
	assert.Equal(t, uint64(1), slotEpoch(v))
}

func TestWaitWordReclaimsDeadSlots(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var w Word
	dead := deadPid(t)
	for i := range w.slots {
		occupy(&w, i, dead, 1, 1)
	}
	r, err := tb.WaitWord(nil, &w, 0, time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, TimedOut, r)
	assert.Zero(t, w.Waiters())
	// Ours goes when our sleeper stops lingering.
	assert.Eventually(t, func() bool { return w.slotsInUse() == 0 }, 5*time.Second, time.Millisecond,
		"every dead slot was freed, and ours on the way out")
}

// A slot held without waiters by a process that died (it exited while its
// sleeper lingered) is freed by a Notify, at most one check per period.
func TestNotifyWordSweepsIdleDeadSlots(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var w Word
	dead1, dead2 := deadPid(t), deadPid(t)
	occupy(&w, 5, dead1, 0, 1)
	assert.Equal(t, 0, tb.NotifyWord(&w, 1))
	assert.Zero(t, w.slotsInUse())
	occupy(&w, 6, dead2, 0, 1)
	assert.Equal(t, 0, tb.NotifyWord(&w, 1))
	assert.NotZero(t, w.slotsInUse(), "checked again only after idleSweepEvery")
	time.Sleep(idleSweepEvery)
	assert.Equal(t, 0, tb.NotifyWord(&w, 1))
	assert.Zero(t, w.slotsInUse())
}

// A slot freed and claimed again keeps its summary bit: a sweep that saw
// the slot free before the claim cannot clear the new owner's bit.
func TestSweepKeepsNewOwnersBit(t *testing.T) {
	var w Word
	i := w.claimSlot(42)
	require.Equal(t, 0, i)
	require.True(t, w.freeSlot(i, 42))
	assert.Zero(t, w.slotsInUse(), "freeSlot sweeps")
	atomic.OrUint64(&w.summary, 1) // a stale bit, as a dead sweeper leaves it
	s := atomic.LoadUint64(&w.summary)
	require.Equal(t, 0, w.claimSlot(43))
	assert.False(t, atomic.CompareAndSwapUint64(&w.summary, s, s&^1), "the claim changed the generation")
	w.sweep(0)
	assert.Equal(t, uint64(1), w.slotsInUse())
}

func TestWordWaitNotifyLocal(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var w Word
	const n = 50
	res := make(chan Result, n)
	for range n {
		go func() {
			r, err := tb.WaitWord(nil, &w, 0, 10*time.Second)
			assert.NoError(t, err)
			res <- r
		}()
	}
	require.Eventually(t, func() bool { return w.Waiters() == n }, 5*time.Second, time.Millisecond)
	assert.Equal(t, uint64(1), w.slotsInUse(), "one slot for the whole process")
	assert.Equal(t, 1, tb.NotifyWord(&w, 1))
	assert.Equal(t, Woken, <-res)
	select {
	case r := <-res:
		t.Fatalf("Notify(1) woke a second waiter: %v", r)
	case <-time.After(50 * time.Millisecond):
	}
	assert.Equal(t, n-1, tb.NotifyWord(&w, MaxWaiters))
	for range n - 1 {
		assert.Equal(t, Woken, <-res)
	}
	atomic.StoreUint32(&w.value, 1)
	r, err := tb.WaitWord(nil, &w, 0, time.Second)
	require.NoError(t, err)
	assert.Equal(t, NotEqual, r)
}
