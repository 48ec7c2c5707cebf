//go:build linux

package proc

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// rawRecvmsg reads what unix.Recvmsg would, descriptors included, closed on
// exec: if a Go or x/sys release broke the raw system call, this fails.
func TestRawRecvmsg(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	require.NoError(t, err)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	f, err := os.CreateTemp(t.TempDir(), "fd")
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, unix.Sendmsg(fds[0], []byte("hello"), unix.UnixRights(int(f.Fd())), nil, 0))
	buf := make([]byte, 64)
	oob := make([]byte, unix.CmsgSpace(maxFds*4))
	n, got, err := recvPacketFd(fds[1], buf, oob, nil, true)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf[:n]))
	require.Len(t, got, 1)
	defer closeFds(got)
	flags, err := unix.FcntlInt(uintptr(got[0]), unix.F_GETFD, 0)
	require.NoError(t, err)
	assert.NotZero(t, flags&unix.FD_CLOEXEC)
	k1, _, err := keyOf(got[0])
	require.NoError(t, err)
	k2, _, err := keyOf(int(f.Fd()))
	require.NoError(t, err)
	assert.Equal(t, k2, k1, "the same file came through")
}
