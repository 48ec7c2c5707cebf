package shm

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewSizes(t *testing.T) {
	page := os.Getpagesize()
	for _, size := range []int{1, 7, page - 1, page, page + 1, 3*page + 5, 1 << 20} {
		r, err := New(size)
		require.NoError(t, err, size)
		want := (size + page - 1) / page * page
		require.Equal(t, want, r.Len())
		b := r.Bytes()
		require.Len(t, b, want)
		for i := range b {
			if b[i] != 0 {
				t.Fatalf("size %d: byte %d not zero", size, i)
			}
		}
		b[0], b[len(b)-1] = 1, 2
		assert.Equal(t, "", r.Name())
		assert.GreaterOrEqual(t, r.Fd(), 0)
		require.NoError(t, r.Close())
	}
}

func TestCloseIdempotentAndErrClosed(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	w, err := r.Int32(0)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	assert.Nil(t, r.Bytes())
	assert.Equal(t, 0, r.Len())
	assert.Equal(t, -1, r.Fd())
	_, err = View[float64](r, 0, 1)
	assert.ErrorIs(t, err, ErrClosed)
	_, err = r.Int32(0)
	assert.ErrorIs(t, err, ErrClosed)
	_, err = r.File()
	assert.ErrorIs(t, err, ErrClosed)
	_, err = NewBarrier(r, 0, 2)
	assert.ErrorIs(t, err, ErrClosed)
	res, err := w.Wait(0, time.Second)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, TimedOut, res)
	func() {
		defer func() {
			e, ok := recover().(error)
			require.True(t, ok, "Load after Close must panic with an error")
			assert.ErrorIs(t, e, ErrClosed)
		}()
		w.Load()
	}()
}

func TestCloseWakesWaiters(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	w, err := r.Int32(0)
	require.NoError(t, err)
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := w.Wait(0, -1)
			errs <- err
		}()
	}
	for w.w.c.Waiters() < 10 {
		time.Sleep(time.Millisecond)
	}
	require.NoError(t, r.Close())
	for range 10 {
		assert.ErrorIs(t, <-errs, ErrClosed)
	}
}

func TestBadInput(t *testing.T) {
	long := strings.Repeat("x", 256)
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"New zero", func() error { _, err := New(0); return err }, ErrBadSize},
		{"New negative", func() error { _, err := New(-1); return err }, ErrBadSize},
		{"New beyond address space", func() error { _, err := New(math.MaxInt); return err }, ErrTooLarge},
		{"Create empty name", func() error { _, err := Create("", 10); return err }, ErrBadName},
		{"Create slash", func() error { _, err := Create("a/b", 10); return err }, ErrBadName},
		{"Create dotdot", func() error { _, err := Create("..", 10); return err }, ErrBadName},
		{"Create NUL", func() error { _, err := Create("a\x00b", 10); return err }, ErrBadName},
		{"Create too long", func() error { _, err := Create(long, 10); return err }, ErrBadName},
		{"Create size zero", func() error { _, err := Create(testName(t), 0); return err }, ErrBadSize},
		{"Create larger than /dev/shm", func() error { _, err := Create(testName(t), int(min(uint64(math.MaxInt), 1<<46))); return err }, ErrNoSpace},
		{"Open missing", func() error { _, err := Open(testName(t)); return err }, fs.ErrNotExist},
		{"Open bad name", func() error { _, err := Open("a/b"); return err }, ErrBadName},
		{"Unlink missing", func() error { return Unlink(testName(t)) }, fs.ErrNotExist},
		{"Unlink bad name", func() error { return Unlink("") }, ErrBadName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestCreateOpenUnlink(t *testing.T) {
	name := testName(t)
	r, err := Create("/"+name, 1000) // a leading slash is accepted, as by shm_open
	require.NoError(t, err)
	defer r.Close()
	assert.Equal(t, name, r.Name())
	assert.Equal(t, 1000, r.Len(), "named segments keep their exact size")
	st, err := os.Stat(segmentPath(name))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), st.Mode().Perm())

	_, err = Create(name, 1000)
	assert.ErrorIs(t, err, fs.ErrExist)

	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	copy(r.Bytes(), data)
	r2, err := Open(name)
	require.NoError(t, err)
	assert.Equal(t, data, r2.Bytes())
	r2.Bytes()[999] ^= 0xff
	assert.Equal(t, data[999]^0xff, r.Bytes()[999], "both mappings see one memory")
	require.NoError(t, r2.Close())

	ro, err := Options{ReadOnly: true}.Open(name)
	require.NoError(t, err)
	assert.True(t, ro.ReadOnly())
	assert.Equal(t, r.Bytes(), ro.Bytes())
	_, err = ro.Int32(0)
	assert.ErrorIs(t, err, ErrReadOnly)
	require.NoError(t, ro.Close())

	require.NoError(t, Unlink(name))
	_, err = Open(name)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	r.Bytes()[0] = 1 // the mapping outlives the name
}

func TestOpenPermissionAndEmpty(t *testing.T) {
	name := testName(t)
	require.NoError(t, os.WriteFile(segmentPath(name), nil, 0o600))
	_, err := Open(name)
	assert.ErrorIs(t, err, ErrBadSize, "a segment of size 0 cannot be mapped")
	require.NoError(t, os.Chmod(segmentPath(name), 0))
	if os.Geteuid() == 0 {
		t.Skip("root ignores file modes; the permission case needs an ordinary user")
	}
	_, err = Open(name)
	assert.ErrorIs(t, err, fs.ErrPermission)
}

func TestOptions(t *testing.T) {
	for _, o := range []Options{{Populate: true}, {HugePages: true}, {HugePages: true, Populate: true}} {
		r, err := o.New(3<<20 + 5)
		require.NoError(t, err)
		v, err := View[uint32](r, 0, r.Len()/4)
		require.NoError(t, err)
		for i := range v {
			v[i] = uint32(i)
		}
		assert.Equal(t, uint32(len(v)-1), v[len(v)-1])
		require.NoError(t, r.Close())
	}
	// Populate on an existing segment must keep its contents.
	name := testName(t)
	r, err := Create(name, 1<<20)
	require.NoError(t, err)
	defer r.Close()
	for i := range r.Bytes() {
		r.Bytes()[i] = byte(i * 7)
	}
	p, err := Options{Populate: true}.Open(name)
	require.NoError(t, err)
	defer p.Close()
	assert.Equal(t, r.Bytes(), p.Bytes())
}

func testView[T Number](t *testing.T, r *Region) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	n := r.Len()/size - 1
	v, err := View[T](r, size, n)
	require.NoError(t, err)
	require.Len(t, v, n)
	for i := range v {
		v[i] = T(rand.IntN(100))
	}
	again, err := View[T](r, size, n)
	require.NoError(t, err)
	assert.Equal(t, v, again)
	assert.Equal(t, unsafe.Pointer(&r.Bytes()[size]), unsafe.Pointer(&v[0]), "zero-copy")

	empty, err := View[T](r, r.Len(), 0)
	require.NoError(t, err)
	assert.Empty(t, empty)
	if size > 1 {
		_, err = View[T](r, 1, 1)
		assert.ErrorIs(t, err, ErrAlignment)
	}
	_, err = View[T](r, 0, n+2)
	assert.ErrorIs(t, err, ErrRange)
	_, err = View[T](r, r.Len(), 1)
	assert.ErrorIs(t, err, ErrRange)
	_, err = View[T](r, -size, 1)
	assert.ErrorIs(t, err, ErrNegative)
	_, err = View[T](r, 0, -1)
	assert.ErrorIs(t, err, ErrNegative)
	_, err = View[T](r, 0, int(^uint(0)>>1))
	assert.ErrorIs(t, err, ErrRange)
}

func TestViewAllTypes(t *testing.T) {
	r, err := New(4096 + 7)
	require.NoError(t, err)
	defer r.Close()
	t.Run("int8", func(t *testing.T) { testView[int8](t, r) })
	t.Run("int16", func(t *testing.T) { testView[int16](t, r) })
	t.Run("int32", func(t *testing.T) { testView[int32](t, r) })
	t.Run("int64", func(t *testing.T) { testView[int64](t, r) })
	t.Run("uint8", func(t *testing.T) { testView[uint8](t, r) })
	t.Run("uint16", func(t *testing.T) { testView[uint16](t, r) })
	t.Run("uint32", func(t *testing.T) { testView[uint32](t, r) })
	t.Run("uint64", func(t *testing.T) { testView[uint64](t, r) })
	t.Run("float32", func(t *testing.T) { testView[float32](t, r) })
	t.Run("float64", func(t *testing.T) { testView[float64](t, r) })
}

func TestWordOps(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	i32, err := r.Int32(0)
	require.NoError(t, err)
	u32, err := r.Uint32(WordSize)
	require.NoError(t, err)
	i64, err := r.Int64(2 * WordSize)
	require.NoError(t, err)
	u64, err := r.Uint64(2*WordSize + 8)
	require.NoError(t, err)

	i32.Store(-5)
	assert.Equal(t, int32(-2), i32.Add(3))
	assert.Equal(t, int32(-4), i32.Sub(2))
	assert.Equal(t, int32(-4), i32.Swap(0b1100))
	assert.Equal(t, int32(0b1100), i32.And(0b0100))
	assert.Equal(t, int32(0b0100), i32.Or(0b0011))
	assert.Equal(t, int32(0b0111), i32.Xor(0b0101))
	assert.True(t, i32.CompareAndSwap(0b0010, 9))
	assert.False(t, i32.CompareAndSwap(0b0010, 10))
	assert.Equal(t, int32(9), i32.Load())
	assert.Equal(t, []byte{9, 0, 0, 0}, r.Bytes()[:4], "little-endian word at its offset")

	u32.Store(1)
	assert.Equal(t, uint32(0), u32.Sub(1))
	assert.Equal(t, ^uint32(0), u32.Sub(1), "wraps like Go's -")
	assert.Equal(t, ^uint32(0), u32.Xor(0xffff))
	assert.Equal(t, uint32(0xffff0000), u32.Load())

	i64.Store(-1 << 40)
	assert.Equal(t, int64(-1<<40+1), i64.Add(1))
	assert.True(t, i64.CompareAndSwap(-1<<40+1, 7))
	assert.Equal(t, int64(7), i64.Swap(3))
	u64.Store(1 << 63)
	assert.Equal(t, uint64(1<<63), u64.Or(1))
	assert.Equal(t, uint64(1<<63|1), u64.And(1))
	assert.Equal(t, uint64(1), u64.Load())

	_, err = r.Int32(4)
	assert.ErrorIs(t, err, ErrAlignment)
	_, err = r.Uint32(4096 - 8)
	assert.ErrorIs(t, err, ErrRange, "a waitable word needs WordSize bytes")
	_, err = r.Int64(12)
	assert.ErrorIs(t, err, ErrAlignment)
	_, err = r.Uint64(4096)
	assert.ErrorIs(t, err, ErrRange)
	_, err = r.Int32(-8)
	assert.ErrorIs(t, err, ErrNegative)
}

func TestWaitOutcomes(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	w, err := r.Int32(64)
	require.NoError(t, err)

	res, err := w.Wait(1, time.Second)
	require.NoError(t, err)
	assert.Equal(t, NotEqual, res)
	assert.Equal(t, "not-equal", res.String())

	start := time.Now()
	res, err = w.Wait(0, 20*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, TimedOut, res)
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	res, err = w.WaitContext(ctx, 0)
	assert.Equal(t, TimedOut, res)
	assert.ErrorIs(t, err, context.Canceled)

	assert.Equal(t, 0, w.Notify(1), "nobody waits")
	const n = 1000
	results := make(chan WaitResult, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			res, err := w.Wait(0, 30*time.Second)
			if err != nil {
				res = TimedOut
			}
			results <- res
		})
	}
	for w.w.c.Waiters() < n {
		time.Sleep(time.Millisecond)
	}
	assert.Equal(t, 3, w.Notify(3), "Notify(3) wakes exactly three")
	woken := 3
	for woken < n {
		woken += w.NotifyAll()
	}
	wg.Wait()
	close(results)
	for res := range results {
		require.Equal(t, Woken, res)
	}
}

func TestBarrierGoroutines(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	const parties, rounds = 4, 200
	b, err := NewBarrier(r, 8, parties)
	require.NoError(t, err)
	counter, err := r.Int64(8 + BarrierSize)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, parties)
	for p := range parties {
		wg.Go(func() {
			b := b
			if p > 0 {
				var err error
				if b, err = OpenBarrier(r, 8); err != nil {
					errs <- err
					return
				}
			}
			for i := range rounds {
				counter.Add(1)
				if err := b.Wait(context.Background()); err != nil {
					errs <- err
					return
				}
				// Every party added before anyone passed.
				if got := counter.Load(); got < int64(parties*(i+1)) {
					errs <- errors.New("a party passed the barrier early")
					return
				}
				if err := b.Wait(context.Background()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(parties*rounds), counter.Load())
}

func TestBarrierBreaks(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	b, err := NewBarrier(r, 0, 3)
	require.NoError(t, err)
	other := make(chan error, 1)
	go func() { other <- b.Wait(context.Background()) }()
	// The third party never comes: our deadline breaks the barrier, and
	// the other waiter is released with ErrBroken.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err = b.Wait(ctx)
	assert.ErrorIs(t, err, ErrBroken)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	select {
	case err := <-other:
		assert.ErrorIs(t, err, ErrBroken)
	case <-time.After(5 * time.Second):
		t.Fatal("the other party hangs on a broken barrier")
	}
	assert.True(t, b.Broken())
	assert.ErrorIs(t, b.Wait(context.Background()), ErrBroken)

	b.Reset()
	assert.False(t, b.Broken())
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- b.Wait(context.Background()) }()
	}
	require.NoError(t, b.Wait(context.Background()))
	require.NoError(t, <-done)
	require.NoError(t, <-done)

	_, err = OpenBarrier(r, 512)
	assert.Error(t, err, "no barrier there")
	_, err = NewBarrier(r, 0, 0)
	assert.Error(t, err)
	_, err = NewBarrier(r, 4, 2)
	assert.ErrorIs(t, err, ErrAlignment)
}

// TestRangeErrorsInUserTerms checks that range errors name the request as
// made, and never print an overflowed (negative) end.
func TestRangeErrorsInUserTerms(t *testing.T) {
	r, err := New(4096)
	require.NoError(t, err)
	defer r.Close()
	tests := []struct {
		off, n int
		want   string
	}{
		{8, math.MaxInt / 4, "exceed any region"},
		{8, math.MaxInt / 8, "end at byte 9223372036854775808"},
		{math.MaxInt - 7, 2, "at offset 9223372036854775800 end at byte 9223372036854775816"},
		{4088, 2, "2 × float64 (8 bytes each) at offset 4088 end at byte 4104, past the region's 4096 bytes"},
	}
	for _, tt := range tests {
		_, err := View[float64](r, tt.off, tt.n)
		require.ErrorIs(t, err, ErrRange)
		assert.Contains(t, err.Error(), tt.want)
		assert.NotContains(t, err.Error(), "-", "no negative numbers: %v", err)
	}
	_, err = r.Int32(4096 - 8)
	assert.ErrorContains(t, err, "Int32 word")
	_, err = View[int32](r, 2, 1)
	assert.ErrorContains(t, err, "alignment of int32")
	assert.Equal(t, "timed-out", TimedOut.String())
}
