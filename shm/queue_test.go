package shm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestQueue makes a queue with a ring of capacity bytes in a fresh
// anonymous region.
func newTestQueue(t testing.TB, capacity, maxMsg int) (*Region, *Queue) {
	t.Helper()
	r, err := New(QueueSize(capacity))
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	q, err := NewQueue(r, 0, capacity, maxMsg)
	require.NoError(t, err)
	return r, q
}

func TestNewQueueArguments(t *testing.T) {
	r, err := New(QueueSize(4096) + QueueAlign)
	require.NoError(t, err)
	defer r.Close()
	ro, err := Options{ReadOnly: true}.New(QueueSize(4096))
	require.NoError(t, err)
	defer ro.Close()
	for _, tc := range []struct {
		name          string
		r             *Region
		off, cap, max int
		want          error
	}{
		{"ok", r, 0, 4096, 100, nil},
		{"default max", r, 0, 4096, 0, nil},
		{"second line", r, QueueAlign, 4096, 0, nil},
		{"largest message", r, 0, 4096, MaxQueueMessage(4096), nil},
		{"message too large", r, 0, 4096, MaxQueueMessage(4096) + 1, ErrBadSize},
		{"negative message", r, 0, 4096, -1, ErrBadSize},
		{"capacity not a power of two", r, 0, 3000, 0, ErrBadSize},
		{"capacity too small", r, 0, 128, 0, ErrBadSize},
		{"misaligned", r, 64, 1024, 0, ErrAlignment},
		{"beyond the region", r, r.Len() - QueueAlign, 4096, 0, ErrRange},
		{"negative offset", r, -QueueAlign, 4096, 0, ErrNegative},
		{"read-only", ro, 0, 1024, 0, ErrReadOnly},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := NewQueue(tc.r, tc.off, tc.cap, tc.max)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			want := tc.max
			if want == 0 {
				want = MaxQueueMessage(tc.cap)
			}
			assert.Equal(t, want, q.MaxMessage())
			assert.Equal(t, tc.cap, q.Cap())
			o, err := OpenQueue(tc.r, tc.off)
			require.NoError(t, err)
			assert.Equal(t, want, o.MaxMessage())
		})
	}
}

func TestOpenQueueRejectsGarbage(t *testing.T) {
	r, err := New(QueueSize(1024))
	require.NoError(t, err)
	defer r.Close()
	_, err = OpenQueue(r, 0)
	require.ErrorIs(t, err, ErrCorrupt, "zero memory is no queue")
	_, err = NewQueue(r, 0, 1024, 0)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		off  int
		val  uint32
	}{
		{"version", qVersion, 2},
		{"capacity", qCapacity, 1000},
		{"capacity beyond the region", qCapacity, 1 << 20},
		{"max message", qMaxMsg, 1024},
		{"max message zero", qMaxMsg, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewQueue(r, 0, 1024, 0)
			require.NoError(t, err)
			binary.LittleEndian.PutUint32(r.Bytes()[tc.off:], tc.val)
			_, err = OpenQueue(r, 0)
			require.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

func TestQueueRoundTripSizes(t *testing.T) {
	for _, capacity := range []int{256, 1024, 1 << 16} {
		_, q := newTestQueue(t, capacity, 0)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(uint64(capacity), 1))
		buf := make([]byte, q.MaxMessage())
		// Enough messages to wrap the ring many times, at awkward sizes.
		for i := range 2000 {
			n := rng.IntN(q.MaxMessage() + 1)
			msg := make([]byte, n)
			for j := range msg {
				msg[j] = byte(rng.Uint32())
			}
			require.NoError(t, q.Send(ctx, msg), "capacity %d message %d", capacity, i)
			got, err := q.Receive(ctx, buf)
			require.NoError(t, err)
			require.Equal(t, msg, buf[:got], "capacity %d message %d", capacity, i)
		}
		assert.Zero(t, q.Len())
	}
}

// TestQueueGoroutines streams random messages between two goroutines, each
// carrying its index and checksum, through a ring small enough to fill.
func TestQueueGoroutines(t *testing.T) {
	r, q := newTestQueue(t, 4096, 700)
	c, err := OpenQueue(r, 0)
	require.NoError(t, err)
	const n = 20_000
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		rng := rand.New(rand.NewPCG(7, 7))
		for i := range n {
			size := 8 + rng.IntN(q.MaxMessage()-8+1)
			b, err := q.Reserve(ctx, size)
			if !assert.NoError(t, err) {
				return
			}
			binary.LittleEndian.PutUint32(b, uint32(i))
			for j := 8; j < size; j++ {
				b[j] = byte(rng.Uint32())
			}
			binary.LittleEndian.PutUint32(b[4:], crc32.ChecksumIEEE(b[8:]))
			q.Commit(size)
		}
		q.Close()
	})
	for i := 0; ; i++ {
		b, err := c.Borrow(ctx)
		if errors.Is(err, ErrQueueClosed) {
			require.Equal(t, n, i)
			break
		}
		require.NoError(t, err)
		require.Equal(t, uint32(i), binary.LittleEndian.Uint32(b))
		require.Equal(t, binary.LittleEndian.Uint32(b[4:]), crc32.ChecksumIEEE(b[8:]))
		c.Release()
	}
	wg.Wait()
}

// fill sends messages of size bytes until the next one does not fit.
func fill(t testing.TB, q *Queue, size int) {
	t.Helper()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		err := q.Send(done, make([]byte, size))
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
			return
		}
	}
}

func TestQueueReserveCommitShorter(t *testing.T) {
	_, q := newTestQueue(t, 1024, 0)
	ctx := context.Background()
	b, err := q.Reserve(ctx, 300)
	require.NoError(t, err)
	copy(b, "hello")
	q.Commit(5)
	require.NoError(t, q.Send(ctx, []byte("world")))
	buf := make([]byte, 10)
	n, err := q.Receive(ctx, buf)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(buf[:n]))
	n, err = q.Receive(ctx, buf)
	require.NoError(t, err)
	assert.Equal(t, "world", string(buf[:n]))

	assert.PanicsWithValue(t, "shm: Queue.Commit without Reserve", func() { q.Commit(0) })
	_, err = q.Reserve(ctx, 10)
	require.NoError(t, err)
	assert.Panics(t, func() { q.Commit(11) })
	assert.Panics(t, func() { q.Reserve(ctx, 1) })
	q.Commit(0)
	_, err = q.Reserve(ctx, q.MaxMessage()+1)
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestQueueShortBuffer(t *testing.T) {
	_, q := newTestQueue(t, 1024, 0)
	ctx := context.Background()
	require.NoError(t, q.Send(ctx, []byte("0123456789")))
	_, err := q.Receive(ctx, make([]byte, 4))
	require.ErrorIs(t, err, io.ErrShortBuffer)
	buf := make([]byte, 10)
	n, err := q.Receive(ctx, buf)
	require.NoError(t, err, "the message stayed")
	assert.Equal(t, "0123456789", string(buf[:n]))
	assert.Panics(t, func() { q.Release() })
}

func TestQueueContext(t *testing.T) {
	_, q := newTestQueue(t, 256, 0)
	buf := make([]byte, q.MaxMessage())

	// An empty queue: Receive waits until the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	start := time.Now()
	_, err := q.Receive(ctx, buf)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)

	// A cancel without deadline ends a sleep promptly: with the peer
	// looked at only every minute, nothing else could end it.
	q.SetPeerCheck(time.Minute)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start = time.Now()
	_, err = q.Receive(ctx, buf)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 10*time.Second, "cancel wakes the sleeper")
	q.SetPeerCheck(0)

	// A full queue: Send waits until the deadline.
	fill(t, q, q.MaxMessage())
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	err = q.Send(ctx, make([]byte, q.MaxMessage()))
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A done ctx still gets a ready message.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for range 2 {
		n, err := q.Receive(done, buf)
		require.NoError(t, err)
		assert.Equal(t, q.MaxMessage(), n)
	}
	_, err = q.Receive(done, buf)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestQueueWakesSleeper(t *testing.T) {
	_, q := newTestQueue(t, 1024, 0)
	for range 20 {
		got := make(chan error, 1)
		go func() {
			_, err := q.Receive(context.Background(), make([]byte, 16))
			got <- err
		}()
		time.Sleep(2 * time.Millisecond) // past the spin: the receiver sleeps
		require.NoError(t, q.Send(context.Background(), []byte("x")))
		select {
		case err := <-got:
			require.NoError(t, err)
		case <-time.After(queueSlice / 2):
			t.Fatal("a send did not wake the sleeping receiver")
		}
	}
}

func TestQueueClose(t *testing.T) {
	r, p := newTestQueue(t, 1024, 0)
	c, err := OpenQueue(r, 0)
	require.NoError(t, err)
	ctx := context.Background()
	buf := make([]byte, 16)
	require.NoError(t, p.Send(ctx, []byte("last")))
	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "idempotent")
	n, err := c.Receive(ctx, buf)
	require.NoError(t, err, "committed messages are delivered after close")
	assert.Equal(t, "last", string(buf[:n]))
	_, err = c.Receive(ctx, buf)
	assert.ErrorIs(t, err, ErrQueueClosed)
	assert.ErrorIs(t, p.Send(ctx, nil), ErrQueueClosed)

	// A consumer's close fails the producer's send, even a waiting one.
	_, p = newTestQueue(t, 256, 0)
	c, err = OpenQueue(p.r, 0)
	require.NoError(t, err)
	fill(t, p, p.MaxMessage())
	_, err = c.Borrow(ctx) // registers the consumer, keeps the ring full
	require.NoError(t, err)
	go func() {
		time.Sleep(5 * time.Millisecond)
		c.Close()
	}()
	assert.ErrorIs(t, p.Send(ctx, make([]byte, p.MaxMessage())), ErrQueueClosed)

	r.Close()
	_, err = OpenQueue(r, 0)
	assert.ErrorIs(t, err, ErrClosed)
}

// TestQueueScribbled overwrites each header word and record header with
// garbage: every operation returns an error or a message, never panics or
// hangs.
func TestQueueScribbled(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  int // from the queue's start; -1: the first record header
		val  uint64
		want error
	}{
		{"magic", qMagic, 0xdeadbeef, ErrCorrupt},
		{"head far ahead", qHead, 1 << 40, ErrCorrupt},
		{"head misaligned", qHead, 13, ErrCorrupt},
		{"tail", qTail, 1 << 40, ErrCorrupt},
		{"record length", QueueHeaderSize, 0x7fffffff, ErrCorrupt},
		{"record check", QueueHeaderSize + 4, 0, ErrCorrupt},
		{"padding too long", QueueHeaderSize, 0xFFFFFFFF, ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, q := newTestQueue(t, 1024, 0)
			c, err := OpenQueue(r, 0)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			require.NoError(t, q.Send(ctx, []byte("hello, queue")))
			b := r.Bytes()
			if tc.name == "padding too long" {
				binary.LittleEndian.PutUint64(b[tc.off:], 0x00000000FFFFFFFF)
			} else if tc.off == qHead || tc.off == qTail {
				binary.LittleEndian.PutUint64(b[tc.off:], tc.val)
			} else {
				binary.LittleEndian.PutUint32(b[tc.off:], uint32(tc.val))
			}
			_, err = c.Receive(ctx, make([]byte, 64))
			require.ErrorIs(t, err, tc.want)
			if tc.off < QueueHeaderSize {
				// The producer finds out at the latest when it needs room.
				for err = nil; err == nil; {
					err = q.Send(ctx, make([]byte, 100))
				}
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

// FuzzQueueReader fills a queue's shared state with arbitrary bytes: the
// consumer returns messages no longer than the limit or an error, and
// returns promptly.
func FuzzQueueReader(f *testing.F) {
	f.Add([]byte{}, uint64(16), uint64(0))
	f.Add(bytes.Repeat([]byte{0xff}, 64), uint64(64), uint64(0))
	f.Add([]byte{5, 0, 0, 0, 0xfa, 0xff, 0xff, 0xff, 'h', 'e', 'l', 'l', 'o'}, uint64(16), uint64(0))
	f.Fuzz(func(t *testing.T, ring []byte, head, tail uint64) {
		r, err := New(QueueSize(256))
		require.NoError(t, err)
		defer r.Close()
		_, err = NewQueue(r, 0, 256, 0)
		require.NoError(t, err)
		b := r.Bytes()
		copy(b[QueueHeaderSize:], ring)
		binary.LittleEndian.PutUint64(b[qHead:], head)
		binary.LittleEndian.PutUint64(b[qTail:], tail)
		c, err := OpenQueue(r, 0)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // never wait: only what is there is read
		buf := make([]byte, 256)
		for range 64 {
			n, err := c.Receive(ctx, buf)
			if err != nil {
				return
			}
			require.LessOrEqual(t, n, c.MaxMessage())
		}
	})
}

// A side with a raw sleep receives what comes during its raw span and
// after it, when it sleeps as usual.
func TestQueueRawSleep(t *testing.T) {
	_, q := newTestQueue(t, 4096, 0)
	q.SetRawSleep(5 * time.Millisecond)
	got := make(chan string, 3)
	go func() {
		buf := make([]byte, 64)
		for range 3 {
			n, err := q.Receive(context.Background(), buf)
			if err != nil {
				got <- err.Error()
				return
			}
			got <- string(buf[:n])
		}
	}()
	for _, tc := range []struct {
		msg   string
		after time.Duration
	}{
		{"at once", 0},
		{"within the raw span", time.Millisecond},
		{"past the raw span", 30 * time.Millisecond},
	} {
		time.Sleep(tc.after)
		require.NoError(t, q.Send(context.Background(), []byte(tc.msg)))
		select {
		case m := <-got:
			assert.Equal(t, tc.msg, m)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: not received", tc.msg)
		}
	}
}
