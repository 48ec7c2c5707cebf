//go:build linux

package shm

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/testchild"
)

func TestNewIsSealedAgainstShrinking(t *testing.T) {
	r, err := New(3 * 4096)
	require.NoError(t, err)
	defer r.Close()
	f, err := r.File() // what a peer process would hold
	require.NoError(t, err)
	defer f.Close()
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	require.NoError(t, err)
	assert.NotZero(t, seals&unix.F_SEAL_SHRINK, "seals %#x", seals)
	for _, size := range []int64{0, 4096} {
		assert.ErrorIs(t, unix.Ftruncate(int(f.Fd()), size), unix.EPERM, "shrinking to %d", size)
	}
	assert.NoError(t, unix.Ftruncate(int(f.Fd()), 4*4096), "growing stays allowed")
	b := r.Bytes()
	b[len(b)-1] = 7 // still mapped and backed
	assert.Equal(t, byte(7), b[len(b)-1])
}

func TestGuardPassesThrough(t *testing.T) {
	assert.NoError(t, Guard(func() {}))
	assert.PanicsWithValue(t, "boom", func() { _ = Guard(func() { panic("boom") }) })
	var p *int
	assert.Panics(t, func() { _ = Guard(func() { _ = *p }) }, "a nil dereference is not a region fault")
	// The goroutine's setting is restored.
	assert.NoError(t, Guard(func() {}))
}

// TestGuardTruncatedSegment truncates a named segment under its mapping and
// reads through Guard, in a child process: without Guard the read is a
// SIGBUS that kills the process.
func TestGuardTruncatedSegment(t *testing.T) {
	if testchild.Is(t.Name()) {
		r, err := Open(os.Getenv("SHARC_SEGMENT"))
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(2)
		}
		b := r.Bytes()
		b[len(b)-1] = 1 // backed now
		// What a hostile or buggy peer does:
		if err := os.Truncate(segmentPath(r.Name()), 0); err != nil {
			fmt.Println("truncate:", err)
			os.Exit(2)
		}
		var sum int
		err = Guard(func() {
			for i := 0; i < len(b); i += 4096 {
				sum += int(b[i])
			}
		})
		fmt.Println("guard:", err)
		if !errors.Is(err, ErrTruncated) {
			os.Exit(1)
		}
		err = Guard(func() { b[0] = 1 })
		fmt.Println("write:", err)
		if !errors.Is(err, ErrTruncated) {
			os.Exit(1)
		}
		os.Exit(0)
	}
	name := testName(t)
	r, err := Create(name, 8*4096)
	require.NoError(t, err)
	defer r.Close()
	res := testchild.Run(t, t.Name(), "SHARC_SEGMENT="+name)
	require.Equal(t, 0, res.Code, "%s", res)
	assert.Contains(t, res.Stdout, "guard: "+ErrTruncated.Error())
}
