//go:build linux

package shm

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
)

const adds = 1_000_000

// runChild is the body of a re-executed test binary. arg names the segment,
// or is "fd" for a region inherited as file descriptor 3.
func runChild(role, arg string) int {
	var r *Region
	var err error
	if arg == "fd" {
		r, err = OpenFile(os.NewFile(3, "inherited"))
	} else {
		r, err = Open(arg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	defer r.Close()
	if err := childRole(role, r); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func childRole(role string, r *Region) error {
	switch role {
	case "add":
		w, err := r.Int64(0)
		if err != nil {
			return err
		}
		ready, err := r.Int32(16)
		if err != nil {
			return err
		}
		ready.Add(1)
		ready.NotifyAll()
		for range adds {
			w.Add(1)
		}
	case "pingpong":
		w, err := r.Int32(0)
		if err != nil {
			return err
		}
		for i := int32(0); i < pingPongRounds; i++ {
			for w.Load() != 2*i+1 {
				if _, err := w.Wait(2*i, 10*time.Second); err != nil {
					return err
				}
			}
			w.Store(2*i + 2)
			w.Notify(1)
		}
	case "barrier":
		b, err := OpenBarrier(r, 0)
		if err != nil {
			return err
		}
		step, err := r.Int64(BarrierSize)
		if err != nil {
			return err
		}
		for i := range barrierRounds {
			// Both parties see the same step between barriers.
			if got := step.Load(); got != int64(i) {
				return fmt.Errorf("round %d: step %d", i, got)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := b.Wait(ctx)
			cancel()
			if err != nil {
				return fmt.Errorf("round %d: %w", i, err)
			}
			if err := b.Wait(context.Background()); err != nil {
				return err
			}
		}
	case "echo":
		w, err := r.Int32(0)
		if err != nil {
			return err
		}
		echo(w)
	default:
		if role == "socket-echo" {
			return socketEcho()
		}
		if strings.HasPrefix(role, "queue-") {
			return queueChildRole(role, r)
		}
		return fmt.Errorf("unknown role %q", role)
	}
	return nil
}

const (
	pingPongRounds = 10_000
	barrierRounds  = 1_000
)

// TestProcessChild is the body of the child processes that the process
// tests start: SHARC_SHM_ROLE names the role, SHARC_SHM_ARG the segment (or
// "fd" for a region inherited as file descriptor 3).
func TestProcessChild(t *testing.T) {
	if !testchild.Is(t.Name()) {
		t.Skip("runs only as a child of the process tests")
	}
	os.Exit(runChild(os.Getenv("SHARC_SHM_ROLE"), os.Getenv("SHARC_SHM_ARG")))
}

// startChild starts a child process in role and returns a function that
// waits for it. The child is killed and reaped when the test ends, pass or
// fail.
func startChild(t testing.TB, role, arg string, files ...*os.File) (wait func() error) {
	t.Helper()
	c := testchild.Command(t, "TestProcessChild", "SHARC_SHM_ROLE="+role, "SHARC_SHM_ARG="+arg)
	c.Cmd.ExtraFiles = files
	c.Start()
	return func() error {
		if res := c.Wait(); res.Code != 0 || res.Err != nil {
			return fmt.Errorf("child %s: %s", role, res)
		}
		return nil
	}
}

func TestProcessAdd(t *testing.T) {
	for _, via := range []string{"named", "fd"} {
		t.Run(via, func(t *testing.T) {
			var r *Region
			var err error
			var wait func() error
			if via == "named" {
				name := testName(t)
				r, err = Create(name, 4096)
				require.NoError(t, err)
				wait = startChild(t, "add", name)
			} else {
				r, err = New(4096)
				require.NoError(t, err)
				f, err := r.File()
				require.NoError(t, err)
				wait = startChild(t, "add", "fd", f)
				f.Close()
			}
			defer r.Close()
			w, err := r.Int64(0)
			require.NoError(t, err)
			ready, err := r.Int32(16)
			require.NoError(t, err)
			// Start adding only once the child runs, so the two really race.
			for ready.Load() == 0 {
				ready.Wait(0, 10*time.Millisecond)
			}
			for range adds {
				w.Add(1)
			}
			require.NoError(t, wait())
			require.Equal(t, int64(2*adds), w.Load())
		})
	}
}

func TestProcessPingPong(t *testing.T) {
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	w, err := r.Int32(0)
	require.NoError(t, err)
	wait := startChild(t, "pingpong", name)
	start := time.Now()
	for i := int32(0); i < pingPongRounds; i++ {
		w.Store(2*i + 1)
		w.Notify(1)
		for w.Load() != 2*i+2 {
			_, err := w.Wait(2*i+1, 10*time.Second)
			require.NoError(t, err)
		}
	}
	require.NoError(t, wait())
	t.Logf("%d cross-process round trips: %.1f µs each", pingPongRounds, float64(time.Since(start).Microseconds())/pingPongRounds)

	// Nobody changes the word now: a wait must time out, on time.
	start = time.Now()
	res, err := w.Wait(w.Load(), 50*time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, TimedOut, res)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestProcessBarrier(t *testing.T) {
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := NewBarrier(r, 0, 2)
	require.NoError(t, err)
	step, err := r.Int64(BarrierSize)
	require.NoError(t, err)
	wait := startChild(t, "barrier", name)
	for i := range barrierRounds {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := b.Wait(ctx)
		cancel()
		require.NoError(t, err, "round %d", i)
		// The child checks step between the two barriers of each round.
		step.Store(int64(i + 1))
		require.NoError(t, b.Wait(context.Background()))
	}
	require.NoError(t, wait())
}
