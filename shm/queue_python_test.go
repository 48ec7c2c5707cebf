//go:build linux

package shm

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pythonQueue starts python3 with the repository's python/ folder on its
// path, skipping the test if python3 is missing. The process is killed and
// reaped when the test ends.
func pythonQueue(t *testing.T, code string) *exec.Cmd {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; the Python queue tests need it")
	}
	dir, err := filepath.Abs(filepath.Join("..", "python"))
	require.NoError(t, err)
	cmd := exec.Command(py, "-c", code)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

const pyQueuePrelude = `
import sys, time
from multiprocessing import shared_memory, resource_tracker
from sharc.queue import Queue, QueueClosedError
s = shared_memory.SharedMemory(name=sys.argv[1] if len(sys.argv) > 1 else NAME)
resource_tracker.unregister(s._name, "shared_memory")
`

// TestQueuePythonEcho sends random messages from Go to Python, which sends
// each back reversed: both directions, messages that wrap the ring, and
// wake-ups of a sleeping peer each way.
func TestQueuePythonEcho(t *testing.T) {
	name := testName(t)
	r, err := Create(name, pqRegion)
	require.NoError(t, err)
	defer r.Close()
	calls, err := NewQueue(r, 0, pqCap, 0)
	require.NoError(t, err)
	replies, err := NewQueue(r, pqReplies, pqCap, 0)
	require.NoError(t, err)
	cmd := pythonQueue(t, `NAME = "`+name+`"`+pyQueuePrelude+`
calls, replies = Queue(s.buf, 0), Queue(s.buf, `+strconv.Itoa(pqReplies)+`)
while True:
    try:
        msg = calls.receive(timeout=30)
    except QueueClosedError:
        break
    if msg == b"sleep":
        time.sleep(0.2)  # the Go side sleeps in its futex meanwhile
    replies.send(msg[::-1], timeout=30)
replies.close()
calls.close()
s.close()
`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(5, 5))
	buf := make([]byte, replies.MaxMessage())
	for i := range 500 {
		var msg []byte
		switch i {
		case 100:
			time.Sleep(200 * time.Millisecond) // Python sleeps in its futex
			msg = []byte("a message to a sleeping Python")
		case 200:
			msg = []byte("sleep")
		default:
			msg = make([]byte, rng.IntN(calls.MaxMessage()+1))
			for j := range msg {
				msg[j] = byte(rng.Uint32())
			}
		}
		require.NoError(t, calls.Send(ctx, msg), "message %d", i)
		n, err := replies.Receive(ctx, buf)
		require.NoError(t, err, "message %d", i)
		slices.Reverse(msg)
		require.True(t, bytes.Equal(msg, buf[:n]), "message %d", i)
	}
	require.NoError(t, calls.Close())
	_, err = replies.Receive(ctx, buf)
	require.ErrorIs(t, err, ErrQueueClosed)
	require.NoError(t, cmd.Wait())
}

// TestQueuePythonCreates has Python lay out a queue in a named segment and
// fill it; Go opens it and drains it, then sees the close.
func TestQueuePythonCreates(t *testing.T) {
	name := testName(t)
	cmd := pythonQueue(t, `
from multiprocessing import shared_memory, resource_tracker
from sharc.queue import Queue, queue_size
s = shared_memory.SharedMemory(name="`+name+`", create=True, size=queue_size(1024))
resource_tracker.unregister(s._name, "shared_memory")
q = Queue.create(s.buf, 0, 1024, 100)
for i in range(3):
    q.send(b"from python %d" % i)
q.close()
s.close()
`)
	require.NoError(t, cmd.Wait())
	r, err := Open(name)
	require.NoError(t, err)
	defer r.Close()
	q, err := OpenQueue(r, 0)
	require.NoError(t, err)
	assert.Equal(t, 100, q.MaxMessage())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 100)
	for i := range 3 {
		n, err := q.Receive(ctx, buf)
		require.NoError(t, err)
		assert.Equal(t, "from python "+strconv.Itoa(i), string(buf[:n]))
	}
	_, err = q.Receive(ctx, buf)
	assert.True(t, errors.Is(err, ErrQueueClosed), "got %v", err)
}

// TestQueuePythonDies: a Python producer killed mid-stream is reported as
// ErrPeerDied after its committed messages.
func TestQueuePythonDies(t *testing.T) {
	name := testName(t)
	r, err := Create(name, pqRegion)
	require.NoError(t, err)
	defer r.Close()
	_, err = NewQueue(r, 0, pqCap, 0)
	require.NoError(t, err)
	replies, err := NewQueue(r, pqReplies, pqCap, 0)
	require.NoError(t, err)
	pythonQueue(t, `NAME = "`+name+`"`+pyQueuePrelude+`
import os, signal
replies = Queue(s.buf, `+strconv.Itoa(pqReplies)+`)
replies.send(b"last words")
os.kill(os.getpid(), signal.SIGKILL)
`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 64)
	n, err := replies.Receive(ctx, buf)
	require.NoError(t, err)
	assert.Equal(t, "last words", string(buf[:n]))
	_, err = replies.Receive(ctx, buf)
	require.ErrorIs(t, err, ErrPeerDied)
}

// TestQueuePythonUnit runs the Python module's own tests.
func TestQueuePythonUnit(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; the Python queue tests need it")
	}
	cmd := exec.Command(py, "-m", "unittest", "tests.test_queue")
	cmd.Dir = filepath.Join("..", "python")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
