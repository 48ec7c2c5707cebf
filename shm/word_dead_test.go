//go:build linux

package shm

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/testchild"
)

// Offsets of TestWordDeadWaiter's words: the word waited on, and a counter
// that children bump once they are about to wait.
const (
	deadWordOff   = 0
	deadJoinedOff = WordSize
)

// deadWaiterChild opens the segment, announces itself and waits on the word
// at deadWordOff, printing the outcome.
func deadWaiterChild() {
	r, err := Open(os.Getenv("SHARC_SEGMENT"))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	w, _ := r.Int32(deadWordOff)
	joined, _ := r.Int32(deadJoinedOff)
	joined.Add(1)
	joined.NotifyAll()
	res, err := w.Wait(0, 30*time.Second)
	fmt.Printf("waiter: %v %v\n", res, err)
	if res != Woken {
		os.Exit(1)
	}
	os.Exit(0)
}

// startWaiters starts n waiter children and returns once each is registered
// on the word (which then has want registrations) and has had time to fall
// asleep in the kernel.
func startWaiters(t *testing.T, r *Region, name string, n, want int) []*testchild.Child {
	joined, err := r.Int32(deadJoinedOff)
	require.NoError(t, err)
	base := joined.Load()
	kids := make([]*testchild.Child, n)
	for i := range kids {
		kids[i] = testchild.Start(t, t.Name(), "SHARC_SEGMENT="+name)
	}
	for v := joined.Load(); v < base+int32(n); v = joined.Load() {
		_, err := joined.Wait(v, 10*time.Second)
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return slotWaiters(t, r, deadWordOff) == want },
		10*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // past the spin: asleep in the kernel
	return kids
}

// killAll SIGKILLs the children and returns once each has exited, all its
// threads included, but is not reaped: a zombie, whose pid still answers
// kill(pid, 0).
func killAll(t *testing.T, kids []*testchild.Child) {
	for _, k := range kids {
		k.Kill()
	}
	for _, k := range kids {
		fd, err := unix.PidfdOpen(k.Pid(), 0)
		require.NoError(t, err)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if n, err := unix.Poll(fds, 100); n > 0 || (err != nil && err != unix.EINTR) {
				break
			}
		}
		unix.Close(fd)
		require.NotZero(t, fds[0].Revents&unix.POLLIN, "process %d did not die", k.Pid())
		require.NoError(t, unix.Kill(k.Pid(), 0), "a zombie, not reaped")
	}
}

// slotWaiters reads the registered waiters of the word at off, summed over
// its process slots (docs/design/words.md).
func slotWaiters(t *testing.T, r *Region, off int) int {
	return waitersOf(t, r, off)
}

// slotBits reads the summary's slot-in-use bits of the word at off.
func slotBits(t *testing.T, r *Region, off int) uint64 {
	s, err := View[uint64](r, off+8, 1)
	require.NoError(t, err)
	return s[0] & (1<<((WordSize-16)/8) - 1)
}

// TestWordDeadWaiter SIGKILLs processes while they wait on a word: a dead
// waiter is never counted by Notify, cannot make a later Notify(1) wake two
// live waiters, and leaves no registration behind, so a Notify with nobody
// left is back to one atomic load, and its slot is reused.
func TestWordDeadWaiter(t *testing.T) {
	if testchild.Is(t.Name()) {
		deadWaiterChild()
	}
	name := testName(t)
	r, err := Create(name, 2*WordSize)
	require.NoError(t, err)
	defer r.Close()
	w, err := r.Int32(deadWordOff)
	require.NoError(t, err)

	killAll(t, startWaiters(t, r, name, 1, 1))
	assert.Equal(t, 0, w.Notify(1), "Notify counted a dead waiter")
	assert.Zero(t, slotWaiters(t, r, deadWordOff), "the dead waiter's registration is gone")

	// Two live waiters: Notify(1) wakes exactly one of them.
	kids := startWaiters(t, r, name, 2, 2)
	assert.Equal(t, 1, w.Notify(1))
	first := make(chan testchild.Result, 2)
	for _, k := range kids {
		go func() { first <- k.Wait() }()
	}
	next := func() testchild.Result {
		select {
		case res := <-first:
			return res
		case <-time.After(time.Minute):
			t.Fatal("no waiter woke")
		}
		return testchild.Result{}
	}
	res := next()
	assert.Equal(t, 0, res.Code, "%s", res)
	select {
	case res := <-first:
		t.Errorf("Notify(1) woke a second waiter: %s", res)
	case <-time.After(300 * time.Millisecond):
	}
	assert.Equal(t, 1, w.Notify(1))
	res = next()
	assert.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 0, w.Notify(1), "nobody is left")

	// Every slot held by a dead waiter: a new waiter still gets one, and
	// Notify counts only it.
	slots := (WordSize - 16) / 8
	killAll(t, startWaiters(t, r, name, slots, slots))
	live := startWaiters(t, r, name, 1, 1)
	assert.Equal(t, 1, w.NotifyAll(), "NotifyAll counts the one live waiter")
	res = live[0].Wait()
	assert.Equal(t, 0, res.Code, "%s", res)
	assert.Equal(t, 0, w.NotifyAll())
	assert.Zero(t, slotWaiters(t, r, deadWordOff))
	// The last waiter exited while its sleeper lingered, holding its slot
	// without a waiter; a Notify frees it within idleSweepEvery.
	assert.Eventually(t, func() bool { return w.Notify(1) == 0 && slotBits(t, r, deadWordOff) == 0 },
		time.Second, 10*time.Millisecond, "no slot left in use: Notify is one load again")
}

// TestWordTooManyProcesses: with every slot of a word held by a live
// process, one more process's Wait fails with ErrTooManyWaiters instead of
// corrupting the counts.
func TestWordTooManyProcesses(t *testing.T) {
	r, err := New(WordSize)
	require.NoError(t, err)
	defer r.Close()
	slots, err := View[uint64](r, 16, (WordSize-16)/8)
	require.NoError(t, err)
	// Slots owned by live processes that are not this one: our parent and
	// init, alternately.
	for i := range slots {
		pid := []int{os.Getppid(), 1}[i%2]
		slots[i] = uint64(pid) << 42
	}
	w, err := r.Int32(0)
	require.NoError(t, err)
	_, err = w.Wait(0, time.Millisecond)
	assert.ErrorIs(t, err, ErrTooManyWaiters)
	assert.Contains(t, err.Error(), strconv.Itoa((WordSize-16)/8)+" processes")
	for i := range slots {
		slots[i] = 0
	}
}
