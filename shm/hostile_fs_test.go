//go:build linux

package shm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// TestOpenRefusesSymlink plants /dev/shm/NAME -> a file of ours: Open must
// not map the target, and Unlink must not remove the link.
func TestOpenRefusesSymlink(t *testing.T) {
	target := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(target, make([]byte, 4096), 0o600))
	name := testName(t)
	require.NoError(t, os.Symlink(target, segmentPath(name)))

	_, err := Open(name)
	assert.ErrorIs(t, err, ErrNotSegment)
	assert.Contains(t, err.Error(), "symbolic link")
	_, err = Options{ReadOnly: true}.Open(name)
	assert.ErrorIs(t, err, ErrNotSegment)
	_, err = Create(name, 4096)
	assert.Error(t, err, "Create must not go through the link")
	assert.ErrorIs(t, Unlink(name), ErrNotSegment)
	_, err = os.Lstat(segmentPath(name))
	assert.NoError(t, err, "the planted link stays for its owner to remove")
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, make([]byte, 4096), b, "the target was not touched")
}

func TestOpenRefusesNonRegular(t *testing.T) {
	name := testName(t)
	require.NoError(t, os.Mkdir(segmentPath(name), 0o700))
	t.Cleanup(func() { os.Remove(segmentPath(name)) })
	_, err := Open(name)
	assert.Error(t, err)
	assert.ErrorIs(t, Unlink(name), ErrNotSegment)

	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pw.Close()
	_, err = OpenFile(pr) // closes pr
	assert.ErrorIs(t, err, ErrNotSegment)

	disk, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	require.NoError(t, disk.Truncate(4096))
	assert.ErrorIs(t, checkSegment(disk, true), ErrNotSegment, "a file on disk is not a segment")
	disk.Close()
}

func TestBadNames(t *testing.T) {
	for _, name := range []string{"", "/", ".", "..", "a/b", "../etc/passwd", "x..y", "nul\x00"} {
		_, err := Open(name)
		assert.ErrorIs(t, err, ErrBadName, "%q", name)
		assert.ErrorIs(t, Unlink(name), ErrBadName, "%q", name)
	}
}

func TestDescriptorsCloseOnExec(t *testing.T) {
	name := testName(t)
	named, err := Create(name, 4096)
	require.NoError(t, err)
	defer named.Close()
	opened, err := Open(name)
	require.NoError(t, err)
	defer opened.Close()
	anon, err := New(4096)
	require.NoError(t, err)
	defer anon.Close()
	dup, err := anon.File()
	require.NoError(t, err)
	defer dup.Close()
	for what, fd := range map[string]int{"Create": named.Fd(), "Open": opened.Fd(), "New": anon.Fd(), "File": int(dup.Fd())} {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		require.NoError(t, err)
		assert.NotZero(t, flags&unix.FD_CLOEXEC, "%s: fd %d is inherited by exec", what, fd)
	}
}
