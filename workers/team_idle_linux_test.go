package workers

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestIdleTeamParks(t *testing.T) {
	// After a loop the workers spin for a bounded time, then park: an idle
	// team must not keep burning a core.
	team := NewTeam(3)
	defer team.Close()
	body := func(lo, hi int) {}
	for range 1000 {
		team.For(3, 1, body)
	}
	time.Sleep(20 * time.Millisecond) // longer than any spin budget
	c0 := processCPU()
	time.Sleep(200 * time.Millisecond)
	used := processCPU() - c0
	// Two spinning workers would use ~400ms; allow for the test binary's
	// own background work.
	assert.Less(t, used, 60*time.Millisecond, "CPU used while idle")
}
