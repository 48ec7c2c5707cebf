package workers

import (
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/testchild"
)

// A fault in a loop body on a team worker (memory a body reads went away,
// as a truncated shared region does) reaches the caller of For as a
// recoverable panic instead of killing the process. Run in a child process,
// so that a regression fails this test rather than killing the test binary.
func TestForFaultOnWorkerIsRecoverable(t *testing.T) {
	if testchild.Is(t.Name()) {
		faultChild(t)
		return
	}
	// The child fails unless a fault on a worker was recovered.
	res := testchild.Run(t, t.Name())
	require.Equal(t, 0, res.Code, "the child died: %v", res)
	assert.Contains(t, res.Stdout, "PASS")
}

var sink atomic.Uint32

func faultChild(t *testing.T) {
	page := os.Getpagesize()
	mem, err := unix.Mmap(-1, 0, page, unix.PROT_NONE, unix.MAP_PRIVATE|unix.MAP_ANON)
	require.NoError(t, err)
	defer unix.Munmap(mem)
	team := NewTeam(2)
	defer team.Close()
	var faulted bool
	for range 50 {
		_, v := runFor(t, team, 64, 1, func(caller bool, lo, hi int) {
			if !caller {
				sink.Add(uint32(mem[lo%page])) // faults: the page is PROT_NONE
			} else {
				time.Sleep(100 * time.Microsecond) // leave chunks to the worker
			}
		})
		if v == nil {
			continue // the caller ran every chunk
		}
		pe, ok := v.(*PanicError)
		require.True(t, ok, "%T %v", v, v)
		re, ok := pe.Value.(runtime.Error)
		require.True(t, ok, "%T %v", pe.Value, pe.Value)
		_, hasAddr := re.(interface{ Addr() uintptr })
		require.True(t, hasAddr, "a memory fault: %v", re)
		faulted = true
		break
	}
	require.True(t, faulted, "no chunk ran on a worker")
	t.Log("recovered fault")
}
