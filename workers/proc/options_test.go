//go:build linux

package proc

import (
	"context"
	"fmt"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimits(t *testing.T) {
	cur, _ := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	// One P: the child reads calls with a raw syscall; more: an ordinary
	// blocking one. Both serve calls and cancels.
	for _, gmp := range []int{1, 3} {
		t.Run(strconv.Itoa(gmp), func(t *testing.T) {
			p := newPool(t, Options{Workers: 1, GOMAXPROCS: gmp, MemoryLimit: 64 << 20, Nice: 5})
			out, err := p.Call(context.Background(), "env", nil)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("%d %d %d", gmp, 64<<20, 20-cur+5), string(out))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err = p.Call(ctx, "cooperative", nil)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			out, err = p.Call(context.Background(), "echo", []byte("z"))
			require.NoError(t, err)
			assert.Equal(t, "echo:z", string(out))
			assert.Zero(t, p.Stats().Killed)
		})
	}
}
