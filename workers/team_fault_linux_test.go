package workers

import (
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

const faultChildEnv = "SHARC_WORKERS_TEST_FAULT_CHILD"

// A fault in a loop body on a team worker (memory a body reads went away,
// as a truncated shared region does) reaches the caller of For as a
// recoverable panic instead of killing the process. Run in a child process,
// so that a regression fails this test rather than killing the test binary.
func TestForFaultOnWorkerIsRecoverable(t *testing.T) {
	if os.Getenv(faultChildEnv) != "" {
		faultChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestForFaultOnWorkerIsRecoverable$", "-test.v")
	cmd.Env = append(os.Environ(), faultChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the child died:\n%s", out)
	assert.Contains(t, string(out), "recovered fault")
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
