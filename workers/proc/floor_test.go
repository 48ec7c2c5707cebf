//go:build linux

package proc

import (
	"net"
	"os"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/sharc-go/sharc/internal/testchild"
)

// pingChildName makes the test binary a bare echo process (see
// testchild): the floor of any process round trip on this machine.
const pingChildName = "proc-pingpong"

// runPingChildIfRequested echoes packets on fd 3 until EOF, reading the way
// a one-P child does (a raw blocking syscall).
func runPingChildIfRequested() {
	if !testchild.Is(pingChildName) {
		return
	}
	buf := make([]byte, 4096)
	oob := make([]byte, 64)
	for {
		n, _, err := rawRecvmsg(3, buf, oob)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			os.Exit(0)
		}
		for {
			if _, err = unix.SendmsgN(3, buf[:n], nil, nil, 0); err != unix.EINTR {
				break
			}
		}
		if err != nil {
			os.Exit(0)
		}
	}
}

// pingChild starts the echo process and returns the parent's end.
func pingChild(b *testing.B) (int, func()) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	c := testchild.Command(b, pingChildName, "GOMAXPROCS=1")
	childEnd := os.NewFile(uintptr(fds[1]), "ping")
	c.Cmd.ExtraFiles = []*os.File{childEnd}
	c.Start()
	childEnd.Close()
	return fds[0], func() { unix.Close(fds[0]); c.Wait() }
}

// latencies records one duration per iteration and reports p50 and p99.
type latencies []time.Duration

// report reports p50 and p99 in microseconds and returns p50.
func (l latencies) report(b *testing.B) float64 {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	q := func(f float64) float64 { return float64(s[min(int(f*float64(len(s))), len(s)-1)].Nanoseconds()) / 1e3 }
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
	return q(0.50)
}

func benchFloorBlocking(b *testing.B) {
	fd, stop := pingChild(b)
	defer stop()
	buf := make([]byte, 64)
	lat := make(latencies, 0, 1<<16)
	for b.Loop() {
		t0 := time.Now()
		if _, err := unix.SendmsgN(fd, buf[:16], nil, nil, 0); err != nil {
			b.Fatal(err)
		}
		if _, _, _, _, err := unix.Recvmsg(fd, buf, nil, 0); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	lat.report(b)
}

func benchFloorNetpoll(b *testing.B) {
	fd, stop := pingChild(b)
	f := os.NewFile(uintptr(fd), "ping")
	fc, err := net.FileConn(f)
	f.Close()
	stop2 := func() { fc.Close(); stop() }
	if err != nil {
		b.Fatal(err)
	}
	defer stop2()
	c := fc.(*net.UnixConn)
	buf := make([]byte, 64)
	lat := make(latencies, 0, 1<<16)
	for b.Loop() {
		t0 := time.Now()
		if _, err := c.Write(buf[:16]); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Read(buf); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	lat.report(b)
}

// BenchmarkFloor compares the parent reading through the netpoller (as a
// Pool does, so that a context can interrupt it) with a blocking read.
func BenchmarkFloor(b *testing.B) {
	b.Run("parent-netpoll", benchFloorNetpoll)
	b.Run("parent-blocking", benchFloorBlocking)
}
