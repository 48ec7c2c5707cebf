//go:build linux

package proc

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers"
)

func init() {
	Register("goexit", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		runtime.Goexit()
		return nil, nil
	})
}

const (
	forgetEnv = "SHARC_PROC_TEST_FORGET" // a file each NewPool caller appends a line to
)

// forgetfulMain is main of a program that forgot RunChildIfRequested: it
// starts a pool straight away. Without a guard each of its children would do
// the same, Workers^depth processes.
func forgetfulMain() {
	path := os.Getenv(forgetEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		f.WriteString("started\n")
		f.Close()
	}
	p, err := NewPool(Options{Workers: 2})
	if err != nil {
		os.Stderr.WriteString("NewPool: " + err.Error() + "\n")
		os.Exit(2)
	}
	p.CloseNow()
	os.Exit(0)
}

// A program that forgot RunChildIfRequested cannot multiply itself: its
// children refuse to start pools of their own, and NewPool in the program
// fails at once with the hint. Run in a child process, so a regression
// cannot fork-bomb the test binary.
func TestForgottenRunChildIsNoForkBomb(t *testing.T) {
	count := t.TempDir() + "/starts"
	require.NoError(t, os.WriteFile(count, nil, 0o600))
	start := time.Now()
	res := testchild.Run(t, t.Name(), forgetEnv+"="+count)
	require.NotZero(t, res.Code, res)
	out := res.Stdout + res.Stderr
	assert.Less(t, time.Since(start), 10*time.Second, "fails at once, not after the start timeout")
	assert.Contains(t, out, "NewPool: proc: a child did not report ready")
	assert.Contains(t, out, "main must call proc.RunChildIfRequested first")
	b, err := os.ReadFile(count)
	require.NoError(t, err)
	assert.Equal(t, 3, strings.Count(string(b), "started"), "the program and its two children, no grandchildren")
}

func TestNewPoolInChildFails(t *testing.T) {
	t.Setenv(childEnv, "1")
	_, err := NewPool(Options{Workers: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "proc.RunChildIfRequested first")
	assert.Zero(t, childCount(t))
}

// A task that calls runtime.Goexit in the child fails like a panic; the
// child survives and serves the next call; Close finishes.
func TestChildTaskGoexit(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := p.Call(ctx, "goexit", nil)
		cancel()
		require.Error(t, err)
		require.NotErrorIs(t, err, context.DeadlineExceeded, "the call hung")
		var te *TaskError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Panic)
		var pe *workers.PanicError
		require.ErrorAs(t, err, &pe)
		assert.ErrorIs(t, err, workers.ErrGoexit)
		out, err := p.Call(context.Background(), "echo", []byte("after"))
		require.NoError(t, err)
		assert.Equal(t, "echo:after", string(out))
	}
	st := p.Stats()
	assert.Zero(t, st.Died, "the child survived")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, p.Close(ctx))
}

func TestUnknownTask(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	_, err := p.Call(context.Background(), "no-such-task", nil)
	require.ErrorIs(t, err, ErrUnknownTask)
	assert.Contains(t, err.Error(), `"no-such-task"`)
}

func TestPanicIsPanicError(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	_, err := p.Call(context.Background(), "panic", nil)
	var pe *workers.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Value, "assignment to entry in nil map")
	assert.Contains(t, string(pe.Stack), "goroutine")
	_, err = p.Call(context.Background(), "fail", nil)
	assert.False(t, errors.As(err, &pe), "a returned error is no panic")
}

func TestExitText(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	_, err := p.Call(context.Background(), "sigkill", nil)
	require.ErrorIs(t, err, ErrWorkerDied)
	assert.Contains(t, err.Error(), "killed by SIGKILL")
	assert.NotContains(t, err.Error(), "signal killed")
}
