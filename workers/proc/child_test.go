//go:build linux

package proc

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An idle child sleeps: it is not woken every 10 ms by the runtime's
// preemption signals, as a raw read without a timeout would be.
func TestIdleChildSleeps(t *testing.T) {
	p := newPool(t, Options{Workers: 1})
	_, err := p.Call(context.Background(), "echo", nil)
	require.NoError(t, err)
	pids := childPids(t)
	require.Len(t, pids, 1)
	switches := func() (n int) {
		dir := "/proc/" + strconv.Itoa(pids[0]) + "/task/"
		tasks, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, task := range tasks {
			b, _ := os.ReadFile(dir + task.Name() + "/status")
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "voluntary_ctxt_switches:" {
					v, _ := strconv.Atoi(f[1])
					n += v
				}
			}
		}
		return n
	}
	time.Sleep(50 * time.Millisecond)
	before := switches()
	time.Sleep(time.Second)
	woke := switches() - before
	t.Logf("an idle child woke %d times in 1 s", woke)
	assert.Less(t, woke, 120, "about 200 with a preemption signal every 10 ms to two threads")
}

func BenchmarkRoundTrip(b *testing.B) {
	p, err := NewPool(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseNow()
	b.Run("floor-pingpong", benchFloorNetpoll)
	// raw=on is the default one-P child, which waits for a call in a raw
	// recvmsg; raw=off reads with an ordinary blocking system call.
	for _, raw := range []string{"on", "off"} {
		b.Run("raw="+raw, func(b *testing.B) {
			if raw == "off" {
				b.Setenv(noRawEnv, "1")
			}
			p, err := NewPool(Options{Workers: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer p.CloseNow()
			for b.Loop() {
				if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("tiny", func(b *testing.B) {
		lat := make(latencies, 0, 1<<16)
		for b.Loop() {
			t0 := time.Now()
			if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		lat.report(b)
	})
}
