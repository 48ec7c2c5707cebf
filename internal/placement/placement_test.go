//go:build linux

package placement

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// getcpu asks the kernel which CPU the calling thread runs on.
func getcpu(t *testing.T) int {
	var cpu, node uint32
	_, _, errno := unix.Syscall(unix.SYS_GETCPU, uintptr(unsafe.Pointer(&cpu)), uintptr(unsafe.Pointer(&node)), 0)
	require.Zero(t, errno)
	return int(cpu)
}

// onThread runs f on a goroutine locked to its own thread, which exits
// with it: whatever f does to the thread's affinity goes with the thread.
func onThread(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		f()
	}()
	<-done
}

func allowed(t *testing.T) []int {
	var set unix.CPUSet
	require.NoError(t, unix.SchedGetaffinity(0, &set))
	var cpus []int
	for c := range 1024 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}

func TestCPUMatchesTheKernel(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		assert.Equal(t, -1, CPU())
		t.Skip("CPU is -1 off linux/amd64")
	}
	for _, c := range allowed(t) {
		onThread(func() {
			var one unix.CPUSet
			one.Set(c)
			require.NoError(t, unix.SchedSetaffinity(0, &one))
			for range 100 {
				require.Equal(t, c, CPU(), "pinned to CPU %d", c)
			}
			assert.Equal(t, getcpu(t), CPU())
		})
	}
}

func TestLeave(t *testing.T) {
	cpus := allowed(t)
	if runtime.GOARCH != "amd64" || len(cpus) < 2 {
		t.Skip("needs linux/amd64 and two CPUs")
	}
	tests := []struct {
		name string
		move bool
		cpu  func(here int) int
	}{
		{"the CPU it runs on", true, func(here int) int { return here }},
		{"another CPU", false, func(here int) int {
			for _, c := range cpus {
				if c != here {
					return c
				}
			}
			return -1
		}},
		{"no CPU", false, func(int) int { return -1 }},
		{"a CPU it may not use", false, func(int) int { return 1023 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onThread(func() {
				var before, after unix.CPUSet
				require.NoError(t, unix.SchedGetaffinity(0, &before))
				here := getcpu(t)
				assert.Equal(t, tt.move, Leave(tt.cpu(here)))
				if tt.move {
					assert.NotEqual(t, here, getcpu(t), "still on CPU %d", here)
				}
				require.NoError(t, unix.SchedGetaffinity(0, &after))
				assert.Equal(t, before, after, "the affinity is not what it was")
			})
		})
	}
}

func TestLeaveAlone(t *testing.T) {
	onThread(func() {
		here := getcpu(t)
		var one unix.CPUSet
		one.Set(here)
		require.NoError(t, unix.SchedSetaffinity(0, &one))
		assert.False(t, Leave(here), "a thread with one CPU cannot leave it")
		assert.Equal(t, here, getcpu(t))
	})
}

func BenchmarkCPU(b *testing.B) {
	for b.Loop() {
		CPU()
	}
}

// Yield returns whether or not another thread waits for this CPU.
func TestYield(t *testing.T) {
	start := time.Now()
	for range 100 {
		Yield()
	}
	assert.Less(t, time.Since(start), time.Second)
}
