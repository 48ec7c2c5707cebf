//go:build linux

package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/shm"
)

func init() {
	// truncate does what a hostile task does to a region it was handed:
	// shrink the file to nothing, then read the mapping.
	Register("truncate", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		if err := unix.Ftruncate(rs[0].Fd(), 0); err != nil {
			return nil, fmt.Errorf("ftruncate: %w", err)
		}
		b := rs[0].Bytes()
		var sum byte
		for i := 0; i < len(b); i += 4096 {
			sum += b[i]
		}
		return []byte{sum}, nil
	})
}

// TestTaskTruncatesRegion checks both ends of a truncation by a task: a
// region from shm.New is sealed, so the truncate itself fails; a named
// segment can be truncated, and the task's next read fails that call with a
// *TaskError matching shm.ErrTruncated while the child lives on.
func TestTaskTruncatesRegion(t *testing.T) {
	p := newPool(t, Options{Workers: 1})

	sealed, err := shm.New(4 * 4096)
	require.NoError(t, err)
	defer sealed.Close()
	_, err = p.Call(context.Background(), "truncate", nil, Share(sealed))
	var te *TaskError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, te.Msg, "ftruncate: operation not permitted")
	assert.Len(t, sealed.Bytes(), 4*4096)
	sealed.Bytes()[4*4096-1] = 1 // still backed: no SIGBUS here

	name := fmt.Sprintf("sharc-proc-test-%d", os.Getpid())
	named, err := shm.Create(name, 4*4096)
	require.NoError(t, err)
	t.Cleanup(func() { shm.Unlink(name) })
	defer named.Close()
	_, err = p.Call(context.Background(), "truncate", nil, Share(named))
	require.ErrorAs(t, err, &te)
	assert.False(t, errors.Is(err, ErrWorkerDied), "the child must survive: %v", err)
	assert.Contains(t, te.Msg, shm.ErrTruncated.Error())
	assert.ErrorIs(t, err, shm.ErrTruncated, "the kind of failure crosses the process boundary")
	assert.Zero(t, p.Stats().Died)

	out, err := p.Call(context.Background(), "echo", []byte("alive"))
	require.NoError(t, err)
	assert.Equal(t, "echo:alive", string(out))
}
