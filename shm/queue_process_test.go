//go:build linux

package shm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Queues of the process tests: calls at 0 (parent to child), replies after
// them (child to parent).
const (
	pqCap     = 4096
	pqReplies = QueueHeaderSize + pqCap
	pqRegion  = 2 * (QueueHeaderSize + pqCap)
)

// queueChildRole is the body of a child in a queue test.
func queueChildRole(role string, r *Region) error {
	calls, err := OpenQueue(r, 0)
	if err != nil {
		return err
	}
	replies, err := OpenQueue(r, pqReplies)
	if err != nil {
		return err
	}
	ctx := context.Background()
	buf := make([]byte, calls.MaxMessage())
	switch role {
	case "queue-echo":
		// Echo every call, reversed, until the parent closes.
		for {
			n, err := calls.Receive(ctx, buf)
			if errors.Is(err, ErrQueueClosed) {
				return replies.Close()
			}
			if err != nil {
				return err
			}
			out, err := replies.Reserve(ctx, n)
			if err != nil {
				return err
			}
			for i := range n {
				out[i] = buf[n-1-i]
			}
			replies.Commit(n)
		}
	case "queue-die-mid-message":
		if err := replies.Send(ctx, []byte("whole")); err != nil {
			return err
		}
		b, err := replies.Reserve(ctx, 100)
		if err != nil {
			return err
		}
		copy(b, "half a mess")
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case "queue-consume-one":
		// Register as consumer, then hang on to the ring until killed.
		if _, err := calls.Receive(ctx, buf); err != nil {
			return err
		}
		time.Sleep(time.Hour)
	case "queue-scribble":
		if err := replies.Send(ctx, []byte("fine")); err != nil {
			return err
		}
		// Wait until the parent took it, then garble the head.
		for replies.Len() != 0 {
			time.Sleep(time.Millisecond)
		}
		binary.LittleEndian.PutUint64(r.Bytes()[pqReplies+qHead:], 1<<40+3)
		time.Sleep(time.Hour)
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	return nil
}

// queuePair makes the region of a queue test, starts the child in role on it
// and returns the parent's ends.
func queuePair(t *testing.T, role string) (calls, replies *Queue, wait func() error) {
	t.Helper()
	name := testName(t)
	r, err := Create(name, pqRegion)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	calls, err = NewQueue(r, 0, pqCap, 0)
	require.NoError(t, err)
	replies, err = NewQueue(r, pqReplies, pqCap, 0)
	require.NoError(t, err)
	return calls, replies, startChild(t, role, name)
}

func TestQueueProcessEcho(t *testing.T) {
	calls, replies, wait := queuePair(t, "queue-echo")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rng := rand.New(rand.NewPCG(3, 3))
	buf := make([]byte, replies.MaxMessage())
	for i := range 2000 {
		msg := make([]byte, rng.IntN(calls.MaxMessage()+1))
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		require.NoError(t, calls.Send(ctx, msg))
		n, err := replies.Receive(ctx, buf)
		require.NoError(t, err, "message %d", i)
		slices.Reverse(msg)
		require.True(t, bytes.Equal(msg, buf[:n]), "message %d", i)
	}
	require.NoError(t, calls.Close())
	_, err := replies.Receive(ctx, buf)
	require.ErrorIs(t, err, ErrQueueClosed)
	require.NoError(t, wait())
}

func TestQueueProcessDiesMidMessage(t *testing.T) {
	_, replies, wait := queuePair(t, "queue-die-mid-message")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, replies.MaxMessage())
	n, err := replies.Receive(ctx, buf)
	require.NoError(t, err)
	assert.Equal(t, "whole", string(buf[:n]))
	start := time.Now()
	_, err = replies.Receive(ctx, buf)
	require.ErrorIs(t, err, ErrPeerDied, "the half-written message never shows")
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Error(t, wait())
}

func TestQueueProcessConsumerKilled(t *testing.T) {
	calls, _, wait := queuePair(t, "queue-consume-one")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := make([]byte, 1000)
	require.NoError(t, calls.Send(ctx, msg))
	for calls.Len() != 0 { // the child has registered as consumer
		time.Sleep(time.Millisecond)
	}
	fill(t, calls, len(msg))
	pid := int(binary.LittleEndian.Uint32(calls.r.Bytes()[qConsPid:]))
	time.AfterFunc(20*time.Millisecond, func() { syscall.Kill(pid, syscall.SIGKILL) })
	start := time.Now()
	err := calls.Send(ctx, msg)
	require.ErrorIs(t, err, ErrPeerDied)
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Error(t, wait())
}

func TestQueueProcessScribbledHeader(t *testing.T) {
	_, replies, _ := queuePair(t, "queue-scribble")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	buf := make([]byte, 64)
	n, err := replies.Receive(ctx, buf)
	require.NoError(t, err)
	assert.Equal(t, "fine", string(buf[:n]))
	start := time.Now()
	_, err = replies.Receive(ctx, buf)
	require.ErrorIs(t, err, ErrCorrupt)
	assert.Less(t, time.Since(start), 2*time.Second)
}
