//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
	"github.com/sharc-go/sharc/shm"
)

// TestTruncatedRegion sums a named segment that has been truncated to
// nothing, as a peer could, with the demo's task: it must report
// shm.ErrTruncated, not die of SIGBUS. The child does the dangerous part, so
// a regression fails this test instead of killing the test binary.
func TestTruncatedRegion(t *testing.T) {
	if testchild.Is(t.Name()) {
		os.Exit(truncatedRegionChild(t, os.Getenv("SEGMENT")))
	}
	name := fmt.Sprintf("sharc-demo-trunc-%d", os.Getpid())
	t.Cleanup(func() { _ = shm.Unlink(name) })
	res := testchild.Run(t, t.Name(), "SEGMENT="+name)
	require.Equal(t, 0, res.Code, "the child must survive the truncated region: %s", res)
	assert.Contains(t, res.Stdout, "truncated")
}

// truncatedRegionChild is the child's side of TestTruncatedRegion; it returns
// the exit code.
func truncatedRegionChild(t *testing.T, name string) int {
	r, err := shm.Create(name, 1<<20)
	if err != nil {
		fmt.Println("create:", err)
		return 3
	}
	defer shm.Unlink(name)
	defer r.Close()
	if err := os.Truncate("/dev/shm/"+name, 0); err != nil {
		fmt.Println("truncate:", err)
		return 3
	}
	arg := binary.LittleEndian.AppendUint64(nil, 0)
	arg = binary.LittleEndian.AppendUint64(arg, 1<<17)
	arg = binary.LittleEndian.AppendUint64(arg, 0)
	_, err = sumRangeTask(t.Context(), arg, []*shm.Region{r})
	fmt.Println("error:", err)
	if err == nil || !errors.Is(err, shm.ErrTruncated) {
		return 4
	}
	return 0
}
