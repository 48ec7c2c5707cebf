//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

func TestShareZeroCopy(t *testing.T) {
	fdsBefore := fdCount(t)
	p := newPool(t, Options{Workers: 2})
	r, err := shm.New(8 * 100003)
	require.NoError(t, err)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, r.Len()/8)
	var want float64
	for i := range xs {
		xs[i] = float64(i%1000) / 7
		want += xs[i]
	}
	out, err := p.Call(context.Background(), "sum", nil, Share(r))
	require.NoError(t, err)
	assert.InDelta(t, want, math.Float64frombits(binary.LittleEndian.Uint64(out)), 1e-6)

	_, err = p.Call(context.Background(), "scale", nil, Share(r))
	require.NoError(t, err)
	assert.Equal(t, 2*float64(999%1000)/7, xs[999], "the child wrote through the shared pages")

	out, err = p.Call(context.Background(), "echo", []byte("hi"))
	require.NoError(t, err)
	assert.Equal(t, "echo:hi", string(out))

	require.NoError(t, p.Close(context.Background()))
	r.Close()
	assert.Equal(t, fdsBefore, fdCount(t), "no fds left open after Close")
	_, err = p.Call(context.Background(), "echo", nil)
	assert.ErrorIs(t, err, ErrClosed)
}

func TestTransferUnmapsParent(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r, err := shm.New(4096)
	require.NoError(t, err)
	_, err = p.Call(context.Background(), "scale", nil, Transfer(r))
	require.NoError(t, err)
	assert.Nil(t, r.Bytes(), "the parent's mapping is gone")
	_, err = shm.View[float64](r, 0, 1)
	assert.ErrorIs(t, err, shm.ErrClosed)
}

// A child that dies during a call with a region leaves the region whole in
// the parent: its fd stays open and the next call maps it again.
func TestRegionSurvivesChildDeath(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	r := newWordRegion(t, 4096, 77)
	defer r.Close()
	fd := r.Fd()
	_, err := p.Call(context.Background(), "sigkill", nil, Share(r))
	require.ErrorIs(t, err, ErrWorkerDied)
	require.Equal(t, fd, r.Fd())
	_, _, err = keyOf(fd)
	require.NoError(t, err, "the region's fd is still open")
	assert.EqualValues(t, 77, firstWord(t, p, Share(r)), "the replacement maps it afresh")
}
