//go:build linux

package shm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
)

// childBarrier opens, in a child process, the segment its parent named in
// SHARC_SEGMENT and the barrier at its start; if it cannot, the child says
// why and exits with code 2.
func childBarrier() (*Region, *Barrier) {
	r, err := Open(os.Getenv("SHARC_SEGMENT"))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	b, err := OpenBarrier(r, 0)
	if err != nil {
		fmt.Println("barrier:", err)
		os.Exit(2)
	}
	return r, b
}

// TestBarrierDeadParty SIGKILLs one of three party processes: the two
// survivors (this process and another child), which wait without any
// deadline, must get ErrBroken within a second.
func TestBarrierDeadParty(t *testing.T) {
	if testchild.Is(t.Name()) {
		r, b := childBarrier()
		joined, _ := r.Int32(BarrierSize)
		joined.Add(1)
		joined.NotifyAll()
		if os.Getenv("SHARC_ROLE") == "victim" {
			time.Sleep(time.Minute) // killed before it ever arrives
			os.Exit(3)
		}
		start := time.Now()
		err := b.Wait(context.Background())
		fmt.Printf("survivor: %v after %v\n", err, time.Since(start))
		if !errors.Is(err, ErrBroken) {
			os.Exit(1)
		}
		os.Exit(0)
	}
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := NewBarrier(r, 0, 3)
	require.NoError(t, err)
	joined, err := r.Int32(BarrierSize)
	require.NoError(t, err)
	victim := testchild.Start(t, t.Name(), "SHARC_SEGMENT="+name, "SHARC_ROLE=victim")
	survivor := testchild.Start(t, t.Name(), "SHARC_SEGMENT="+name, "SHARC_ROLE=survivor")
	for v := joined.Load(); v < 2; v = joined.Load() {
		_, err := joined.Wait(v, 10*time.Second)
		require.NoError(t, err)
	}
	// The survivor child is (or is about to be) parked in Wait; so are we.
	done := make(chan error, 1)
	go func() { done <- b.Wait(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	victim.Kill() // a zombie until the test ends: still dead for the barrier
	killed := time.Now()
	var ours error
	select {
	case ours = <-done:
		assert.ErrorIs(t, ours, ErrBroken)
		assert.Less(t, time.Since(killed), time.Second)
	case <-time.After(10 * time.Second):
		b.Break() // release our own Wait before failing
		t.Fatal("the barrier did not break after a party died")
	}
	res := survivor.Wait()
	assert.Equal(t, 0, res.Code, "%s", res)
	assert.Contains(t, res.Stdout, "survivor: "+ErrBroken.Error())
	// Whichever survivor noticed first names the dead process.
	assert.Contains(t, ours.Error()+res.Stdout, fmt.Sprintf("party process %d died", victim.Pid()))
}

// TestBarrierLeavesOnClose checks that a process that closes its region
// leaves the barrier's process list, so closing cleanly is not dying.
func TestBarrierLeavesOnClose(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	f, err := r.File()
	require.NoError(t, err)
	view, err := OpenFile(f) // a second mapping, as another process has
	require.NoError(t, err)
	defer view.Close()
	b, err := NewBarrier(r, 0, 2)
	require.NoError(t, err)
	pids, err := View[uint32](view, 32, barrierSlots)
	require.NoError(t, err)
	assert.Equal(t, uint32(os.Getpid()), pids[0])
	_, err = OpenBarrier(r, 0)
	require.NoError(t, err)
	assert.Zero(t, pids[1], "a process joins once")
	assert.Zero(t, b.deadParty())
	require.NoError(t, r.Close())
	assert.Zero(t, pids[0], "Close leaves the barrier")
}

// TestBarrierPartyDiesArriving SIGKILLs a party right after it has counted
// itself in (between arriving and waiting): the round it arrived in
// completes, since it did arrive, and the next round breaks with an error
// naming it instead of hanging the survivors.
func TestBarrierPartyDiesArriving(t *testing.T) {
	if testchild.Is(t.Name()) {
		_, b := childBarrier()
		// Arrive as Wait does, then die before waiting.
		atomic.AddUint32(b.arrived, 1)
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		time.Sleep(time.Minute)
		os.Exit(3)
	}
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := NewBarrier(r, 0, 3)
	require.NoError(t, err)
	victim := testchild.Start(t, t.Name(), "SHARC_SEGMENT="+name)
	res := victim.Wait()
	require.Equal(t, "killed", res.Signal, "%s", res)

	second := make(chan error, 2)
	go func() {
		err := b.Wait(context.Background()) // this round: the victim arrived
		second <- err
		second <- b.Wait(context.Background()) // the next: it never will
	}()
	require.NoError(t, b.Wait(context.Background()), "the victim's arrival counts")
	require.NoError(t, <-second)
	start := time.Now()
	err = b.Wait(context.Background())
	assert.ErrorIs(t, err, ErrBroken)
	assert.Less(t, time.Since(start), time.Second)
	select {
	case err2 := <-second:
		assert.ErrorIs(t, err2, ErrBroken)
		assert.Contains(t, err.Error()+err2.Error(), fmt.Sprintf("party process %d died", victim.Pid()))
	case <-time.After(10 * time.Second):
		b.Break()
		t.Fatal("the barrier did not break after a party died")
	}
}
