package shm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
)

// TestWordOpsRaceClose runs word and barrier operations while the region
// closes under them, in a child process: every operation must either take
// effect or panic with ErrClosed, never crash the process with SIGSEGV.
func TestWordOpsRaceClose(t *testing.T) {
	if !testchild.Is(t.Name()) {
		res := testchild.Run(t, t.Name())
		require.Equal(t, 0, res.Code, "%s", res)
		assert.Contains(t, res.Stdout, "rounds done")
		return
	}
	for round := range 100 {
		if err := closeRaceRound(round); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	fmt.Println("rounds done")
	os.Exit(0)
}

func closeRaceRound(round int) error {
	r, err := New(1 << 16)
	if err != nil {
		return err
	}
	i32, _ := r.Int32(0)
	u32, _ := r.Uint32(8192)
	i64, _ := r.Int64(24576)
	u64, _ := r.Uint64(65528)
	b, _ := NewBarrier(r, 40960, 1)
	ops := []func(){
		func() { i32.Add(1); i32.Load(); i32.Notify(1) },
		func() { u32.Store(2); u32.CompareAndSwap(2, 3); u32.NotifyAll() },
		func() { i64.Add(1); i64.Swap(4); i64.Load() },
		func() { u64.Or(1); u64.Xor(3); u64.Store(5) },
		func() {
			if _, err := i32.Wait(-1, 0); err != nil {
				panic(err)
			}
			if _, err := u32.Wait(99, 0); err != nil {
				panic(err)
			}
		},
		func() {
			if err := b.Wait(context.Background()); err != nil {
				panic(err)
			}
			b.Broken()
			b.Reset()
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ops))
	for _, op := range ops {
		wg.Go(func() {
			defer func() {
				v := recover()
				if e, ok := v.(error); !ok || !errors.Is(e, ErrClosed) {
					errs <- fmt.Errorf("round %d: panic %v, want ErrClosed", round, v)
				}
			}()
			for {
				op()
			}
		})
	}
	time.Sleep(time.Duration(round%7) * 50 * time.Microsecond)
	r.Close()
	wg.Wait()
	close(errs)
	return <-errs
}
