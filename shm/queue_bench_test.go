//go:build linux

package shm

import (
	"context"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkQueue measures shm.Queue against the kernel's floor for the same
// job, in the same run: a round trip of a 16-byte message to an echoing
// goroutine or child process and back (p50 and p99 reported), and pipelined
// throughput, where a sender keeps the child busy and a receiver collects
// the echoes. The socket rows are a SOCK_SEQPACKET pair to an echoing child,
// the transport process workers use.
//
//	go test -run '^$' -bench 'Queue' -benchtime 20000x ./shm
func BenchmarkQueue(b *testing.B) {
	b.Run("roundtrip/goroutines", func(b *testing.B) {
		r, err := New(pqRegion)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		calls, _ := NewQueue(r, 0, pqCap, 0)
		replies, _ := NewQueue(r, pqReplies, pqCap, 0)
		done := make(chan error, 1)
		go func() { done <- queueChildRole("queue-echo", r) }()
		queueRoundTrips(b, calls, replies)
		calls.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
	b.Run("roundtrip/processes", func(b *testing.B) {
		calls, replies, wait := queueBenchChild(b)
		queueRoundTrips(b, calls, replies)
		calls.Close()
		wait()
	})
	b.Run("roundtrip/socket", func(b *testing.B) {
		fd, wait := socketBenchChild(b)
		buf := make([]byte, 64)
		lat := make([]time.Duration, 0, 1<<16)
		for b.Loop() {
			t0 := time.Now()
			if _, err := syscall.Write(fd, buf[:16]); err != nil {
				b.Fatal(err)
			}
			if _, err := syscall.Read(fd, buf); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		reportLatency(b, lat)
		syscall.Close(fd)
		wait()
	})
	b.Run("pipelined/goroutines", func(b *testing.B) {
		r, err := New(pqRegion)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		calls, _ := NewQueue(r, 0, pqCap, 0)
		replies, _ := NewQueue(r, pqReplies, pqCap, 0)
		done := make(chan error, 1)
		go func() { done <- queueChildRole("queue-echo", r) }()
		queuePipelined(b, calls, replies)
		calls.Close()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	})
	b.Run("pipelined/processes", func(b *testing.B) {
		calls, replies, wait := queueBenchChild(b)
		queuePipelined(b, calls, replies)
		calls.Close()
		wait()
	})
	b.Run("pipelined/socket", func(b *testing.B) {
		fd, wait := socketBenchChild(b)
		var wg sync.WaitGroup
		wg.Go(func() {
			msg := make([]byte, 16)
			for range b.N {
				if _, err := syscall.Write(fd, msg); err != nil {
					b.Error(err)
					return
				}
			}
		})
		buf := make([]byte, 64)
		b.ResetTimer()
		for range b.N {
			if _, err := syscall.Read(fd, buf); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		wg.Wait()
		syscall.Close(fd)
		wait()
	})
}

// queuePipelined has a sender goroutine keep the echo busy while the
// benchmark goroutine collects the echoes.
func queuePipelined(b *testing.B, calls, replies *Queue) {
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Go(func() {
		msg := make([]byte, 16)
		for range b.N {
			if err := calls.Send(ctx, msg); err != nil {
				b.Error(err)
				return
			}
		}
	})
	buf := make([]byte, 64)
	b.ResetTimer()
	for range b.N {
		if _, err := replies.Receive(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	wg.Wait()
}

func queueRoundTrips(b *testing.B, calls, replies *Queue) {
	ctx := context.Background()
	msg := make([]byte, 16)
	buf := make([]byte, 64)
	lat := make([]time.Duration, 0, 1<<16)
	for b.Loop() {
		t0 := time.Now()
		if err := calls.Send(ctx, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := replies.Receive(ctx, buf); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportLatency(b, lat)
}

// reportLatency reports the p50 and p99 of the recorded round trips.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[min(int(f*float64(len(lat))), len(lat)-1)]) / 1e3 }
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

func queueBenchChild(b *testing.B) (calls, replies *Queue, wait func() error) {
	r, err := New(pqRegion)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	calls, _ = NewQueue(r, 0, pqCap, 0)
	replies, _ = NewQueue(r, pqReplies, pqCap, 0)
	f, err := r.File()
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	return calls, replies, startChild(b, "queue-echo", "fd", f)
}

// socketBenchChild starts a child that echoes packets on a socket pair and
// returns the parent's end.
func socketBenchChild(b *testing.B) (int, func() error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(4096)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	f, err := r.File()
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sock := os.NewFile(uintptr(fds[1]), "echo")
	defer sock.Close()
	return fds[0], startChild(b, "socket-echo", "fd", f, sock)
}

// socketEcho echoes packets on fd 4 until EOF, with blocking system calls.
func socketEcho() error {
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(4, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return nil
		}
		if _, err := syscall.Write(4, buf[:n]); err != nil {
			return nil
		}
	}
}
