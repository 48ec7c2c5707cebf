package atomics

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestResultString(t *testing.T) {
	assert.Equal(t, "ok", Woken.String())
	assert.Equal(t, "not-equal", NotEqual.String())
	assert.Equal(t, "timed-out", TimedOut.String())
	assert.Equal(t, "Result(?)", Result(9).String())
}

func TestFutexRaw(t *testing.T) {
	var w uint32 = 7
	assert.Equal(t, NotEqual, Wait(&w, 8, time.Second))
	start := time.Now()
	assert.Equal(t, TimedOut, Wait(&w, 7, 20*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.Equal(t, 0, Wake(&w, 0))

	done := make(chan Result)
	go func() { done <- Wait(&w, 7, 5*time.Second) }()
	deadline := time.Now().Add(5 * time.Second)
	woke := 0
	for woke == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
		atomic.StoreUint32(&w, 8)
		woke = Wake(&w, 1)
	}
	assert.Equal(t, 1, woke)
	assert.Equal(t, Woken, <-done)
}

func TestTableOutcomes(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			tb := NewTable(shared)
			defer tb.Close()
			var c Cell
			c.Store(1)

			r, err := tb.Wait(nil, &c, 2, time.Second)
			require.NoError(t, err)
			assert.Equal(t, NotEqual, r)

			r, err = tb.Wait(nil, &c, 1, 0)
			require.NoError(t, err)
			assert.Equal(t, TimedOut, r, "timeout 0 only checks")

			start := time.Now()
			r, err = tb.Wait(nil, &c, 1, 30*time.Millisecond)
			require.NoError(t, err)
			assert.Equal(t, TimedOut, r)
			el := time.Since(start)
			assert.GreaterOrEqual(t, el, 30*time.Millisecond)
			assert.Less(t, el, 2*time.Second)

			assert.Equal(t, 0, tb.Notify(&c, 5), "nobody waits")
			assert.Equal(t, 0, c.Waiters())

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			r, err = tb.Wait(ctx, &c, 1, -1)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, TimedOut, r)
			assert.Equal(t, 0, c.Waiters())
		})
	}
}

// waitersOn starts n goroutines waiting on c and returns once all are
// registered.
func waitersOn(t *testing.T, tb *Table, c *Cell, n int, timeout time.Duration) (results chan Result) {
	t.Helper()
	results = make(chan Result, n)
	for range n {
		go func() {
			r, err := tb.Wait(nil, c, c.Load(), timeout)
			assert.NoError(t, err)
			results <- r
		}()
	}
	require.Eventually(t, func() bool { return c.Waiters() == n }, 5*time.Second, time.Millisecond)
	return results
}

func TestNotifyCountsExactly(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			tb := NewTable(shared)
			defer tb.Close()
			var c Cell
			res := waitersOn(t, tb, &c, 3, 10*time.Second)
			// Give them time to stop spinning and park.
			time.Sleep(5 * time.Millisecond)
			assert.Equal(t, 1, tb.Notify(&c, 1))
			assert.Equal(t, Woken, <-res)
			select {
			case r := <-res:
				t.Fatalf("Notify(1) woke a second waiter: %v", r)
			case <-time.After(20 * time.Millisecond):
			}
			assert.Equal(t, 2, c.Waiters())
			assert.Equal(t, 2, tb.Notify(&c, 10), "Notify reports how many it woke")
			assert.Equal(t, Woken, <-res)
			assert.Equal(t, Woken, <-res)
			assert.Equal(t, 0, tb.Notify(&c, 10))
		})
	}
}

func threadCount(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			require.NoError(t, err)
			return n
		}
	}
	t.Skip("no Threads line")
	return 0
}

func TestThousandWaitersOneThread(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var c Cell
	before := threadCount(t)
	res := waitersOn(t, tb, &c, 1000, 30*time.Second)
	time.Sleep(20 * time.Millisecond) // all parked
	during := threadCount(t)
	assert.Less(t, during-before, 20, "1,000 parked waiters must not hold 1,000 OS threads")

	// A wake-up through the futex, as another process would send it: grant
	// tokens and bump seq, then futex-wake the sleeper.
	k, parked := c.grant(MaxWaiters)
	assert.Equal(t, 1000, k)
	assert.Equal(t, 1, parked, "one sleeper for the whole process")
	atomic.AddUint32(&c.seq, 1)
	Wake(&c.seq, maxWake)
	for range 1000 {
		select {
		case r := <-res:
			require.Equal(t, Woken, r)
		case <-time.After(10 * time.Second):
			t.Fatal("not every waiter woke")
		}
	}
}

func TestThousandWaitersLocalNotify(t *testing.T) {
	tb := NewTable(true)
	defer tb.Close()
	var c Cell
	res := waitersOn(t, tb, &c, 1000, 30*time.Second)
	assert.Equal(t, 1000, tb.Notify(&c, MaxWaiters))
	for range 1000 {
		require.Equal(t, Woken, <-res)
	}
}

func TestCloseWakesWaiters(t *testing.T) {
	tb := NewTable(true)
	var c Cell
	errs := make(chan error, 10)
	for range 10 {
		go func() {
			_, err := tb.Wait(nil, &c, 0, -1)
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return c.Waiters() == 10 }, 5*time.Second, time.Millisecond)
	tb.Close()
	for range 10 {
		assert.ErrorIs(t, <-errs, ErrClosed)
	}
	tb.Close() // idempotent
	_, err := tb.Wait(nil, &c, 0, time.Second)
	assert.ErrorIs(t, err, ErrClosed)
	assert.Equal(t, 0, c.Waiters())
}

func TestPingPong(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			tb := NewTable(shared)
			defer tb.Close()
			var c Cell
			const rounds = 20000
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := uint32(0); i < rounds; i++ {
					for c.Load() != 2*i+1 {
						tb.Wait(nil, &c, 2*i, time.Second)
					}
					c.Store(2*i + 2)
					tb.Notify(&c, 1)
				}
			}()
			for i := uint32(0); i < rounds; i++ {
				c.Store(2*i + 1)
				tb.Notify(&c, 1)
				for c.Load() != 2*i+2 {
					tb.Wait(nil, &c, 2*i+1, time.Second)
				}
			}
			wg.Wait()
			assert.Equal(t, uint32(2*rounds), c.Load())
			assert.Equal(t, 0, c.Waiters())
		})
	}
}

func TestMaxWaiters(t *testing.T) {
	tb := NewTable(false)
	defer tb.Close()
	var c Cell
	atomic.StoreUint64(&c.state, MaxWaiters)
	_, err := tb.Wait(nil, &c, 0, time.Second)
	assert.ErrorIs(t, err, ErrTooManyWaiters)
}

func BenchmarkNotifyNobodyWaiting(b *testing.B) {
	tb := NewTable(true)
	defer tb.Close()
	var c Cell
	for b.Loop() {
		tb.Notify(&c, 1)
	}
}

// BenchmarkPingPong compares a Wait/Notify round trip between two goroutines
// with an unbuffered channel round trip, in the same run.
func BenchmarkPingPong(b *testing.B) {
	b.Run("channel", func(b *testing.B) {
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		for i := 0; b.Loop(); i++ {
			ping <- i
			<-pong
		}
		close(ping)
	})
	for _, shared := range []bool{false, true} {
		b.Run("waitnotify/shared="+strconv.FormatBool(shared), func(b *testing.B) {
			tb := NewTable(shared)
			defer tb.Close()
			var c Cell
			stop := make(chan struct{})
			go func() {
				for v := uint32(1); ; v += 2 {
					for c.Load() != v {
						select {
						case <-stop:
							return
						default:
						}
						tb.Wait(nil, &c, v-1, time.Millisecond)
					}
					c.Store(v + 1)
					tb.Notify(&c, 1)
				}
			}()
			v := uint32(0)
			for b.Loop() {
				c.Store(v + 1)
				tb.Notify(&c, 1)
				for c.Load() != v+2 {
					tb.Wait(nil, &c, v+1, -1)
				}
				v += 2
			}
			close(stop)
		})
	}
}

// A waiter that arrives after a Notify must not take the wake-up meant for
// a waiter that was already there.
func TestLateWaiterCannotStealWakeup(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run("shared="+strconv.FormatBool(shared), func(t *testing.T) {
			tb := NewTable(shared)
			defer tb.Close()
			for range 200 {
				var c Cell
				first := make(chan Result, 1)
				go func() {
					r, _ := tb.Wait(nil, &c, 0, 5*time.Second)
					first <- r
				}()
				for c.Waiters() == 0 {
					runtime.Gosched()
				}
				require.Equal(t, 1, tb.Notify(&c, 1))
				r, err := tb.Wait(nil, &c, 0, time.Millisecond)
				require.NoError(t, err)
				require.Equal(t, TimedOut, r, "late waiter took the wake-up")
				require.Equal(t, Woken, <-first)
			}
		})
	}
}
