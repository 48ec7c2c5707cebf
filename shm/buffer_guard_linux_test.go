package shm

import (
	"encoding/binary"
	"os"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/testchild"
)

func TestGuardedBufferTransfer(t *testing.T) {
	b, err := NewGuardedBuffer[float64](4097) // crosses a page boundary
	require.NoError(t, err)
	for i := range b.Data() {
		b.Data()[i] = float64(i)
	}
	nb := b.Transfer()
	requireDetached(t, b)
	require.Equal(t, 4097, nb.Len())
	assert.Equal(t, 4096.0, nb.Data()[4096], "elements survive the remap")
	c := nb.Clone()
	require.NoError(t, nb.Release())
	assert.Equal(t, 17.0, c.Data()[17], "a clone lives on the heap")

	z, err := NewGuardedBuffer[int8](0)
	require.NoError(t, err)
	assert.Equal(t, 0, z.Transfer().Len())
}

// TestGuardedBufferFaults checks, in a child process so this one survives,
// that touching a slice kept from before a transfer crashes loudly.
func TestGuardedBufferFaults(t *testing.T) {
	if testchild.Is(t.Name()) {
		b, err := NewGuardedBuffer[float64](1024)
		if err != nil {
			panic(err)
		}
		stale := b.Data()
		nb := b.Transfer()
		nb.Data()[0] = 1
		os.Stdout.WriteString("about to touch the stale slice\n")
		stale[0] = 2 // must fault
		os.Stdout.WriteString("stale write did not fault\n")
		os.Exit(0)
	}
	res := testchild.Run(t, t.Name())
	require.NotEqual(t, 0, res.Code, "child did not fail: %s", res)
	assert.Contains(t, res.Stdout, "about to touch the stale slice")
	assert.NotContains(t, res.Stdout, "stale write did not fault")
	assert.Contains(t, res.Stderr, "unexpected fault address")
}

// TestAdoptedMemorySurvivesTransfer stands in for region-backed buffers: the
// memory comes from an mmap outside the Go heap, moves between goroutines,
// and is released once, by its last owner.
func TestAdoptedMemorySurvivesTransfer(t *testing.T) {
	mem, err := unix.Mmap(-1, 0, 1<<16, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_ANONYMOUS)
	require.NoError(t, err)
	released := 0
	data := unsafe.Slice((*float64)(unsafe.Pointer(&mem[0])), len(mem)/8)
	b := adopt(data, func() {
		released++
		require.NoError(t, unix.Munmap(mem))
	})
	ch := make(chan *Buffer[float64])
	go func() {
		nb := <-ch
		for i := range nb.Data() {
			nb.Data()[i] = float64(i)
		}
		ch <- nb.Transfer()
	}()
	ch <- b.Transfer()
	got := <-ch
	require.True(t, b.Detached())
	assert.Equal(t, 8191.0, got.Data()[8191])
	assert.Equal(t, 8191.0, data[8191], "the elements live in the adopted memory")
	require.NoError(t, got.Release())
	assert.Equal(t, 1, released)
	assert.ErrorIs(t, got.Release(), ErrDetached)
	assert.Equal(t, 1, released)
}

// TestGuardedOfOffset guards part of a file it does not own, at an offset
// that is not page-aligned, as a Region would.
func TestGuardedOfOffset(t *testing.T) {
	fd, err := unix.MemfdCreate("guarded-of-test", unix.MFD_CLOEXEC)
	require.NoError(t, err)
	defer unix.Close(fd)
	require.NoError(t, unix.Ftruncate(fd, 3*4096))
	const off, n = 4096 + 24, 700
	for _, i := range []int{0, 699} {
		var word [4]byte
		binary.LittleEndian.PutUint32(word[:], uint32(1000+i))
		_, err := unix.Pwrite(fd, word[:], int64(off+4*i))
		require.NoError(t, err)
	}
	b, err := guardedOf[uint32](fd, off, n, false)
	require.NoError(t, err)
	assert.Equal(t, uint32(1000), b.Data()[0])
	assert.Equal(t, uint32(1699), b.Data()[699])
	nb := b.Transfer()
	nb.Data()[1] = 77
	var word [4]byte
	_, err = unix.Pread(fd, word[:], off+4)
	require.NoError(t, err)
	assert.Equal(t, uint32(77), binary.LittleEndian.Uint32(word[:]), "writes reach the file")
	require.NoError(t, nb.Release())
	var st unix.Stat_t
	assert.NoError(t, unix.Fstat(fd, &st), "Release must not close a file it does not own")
}
