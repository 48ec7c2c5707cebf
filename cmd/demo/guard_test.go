//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

const truncChildEnv = "SHARC_DEMO_TRUNC_CHILD"

// TestTruncatedRegionChild sums a named segment that has been truncated to
// nothing, as a peer could, with the demo's task: it must report
// shm.ErrTruncated, not die of SIGBUS.
func TestTruncatedRegionChild(t *testing.T) {
	name := os.Getenv(truncChildEnv)
	if name == "" {
		t.Skip("run by TestTruncatedRegion")
	}
	r, err := shm.Create(name, 1<<20)
	if err != nil {
		fmt.Println("create:", err)
		os.Exit(3)
	}
	defer shm.Unlink(name)
	defer r.Close()
	if err := os.Truncate("/dev/shm/"+name, 0); err != nil {
		fmt.Println("truncate:", err)
		os.Exit(3)
	}
	arg := binary.LittleEndian.AppendUint64(nil, 0)
	arg = binary.LittleEndian.AppendUint64(arg, 1<<17)
	arg = binary.LittleEndian.AppendUint64(arg, 0)
	_, err = sumRangeTask(t.Context(), arg, []*shm.Region{r})
	fmt.Println("error:", err)
	if err == nil || !errors.Is(err, shm.ErrTruncated) {
		os.Exit(4)
	}
	os.Exit(0)
}

func TestTruncatedRegion(t *testing.T) {
	name := fmt.Sprintf("sharc-demo-trunc-%d", os.Getpid())
	t.Cleanup(func() { _ = shm.Unlink(name) })
	c := exec.Command(os.Args[0], "-test.run=^TestTruncatedRegionChild$", "-test.count=1")
	c.Env = append(os.Environ(), truncChildEnv+"="+name)
	out, err := c.CombinedOutput()
	require.NoError(t, err, "the child must survive the truncated region: %s", out)
	assert.Contains(t, string(out), "truncated")
}
