//go:build linux

package proc

import (
	"context"
	"encoding/binary"
	"io"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/sharc-go/sharc/internal/testchild"
	"github.com/sharc-go/sharc/shm"
)

// pipeChildName makes the test binary the copying baseline (see
// testchild): it reads blocks of pipeSizeEnv bytes from stdin and answers
// each with its first word.
const (
	pipeChildName = "proc-pipe-copy"
	pipeSizeEnv   = "SHARC_PROC_PIPE_SIZE"
)

func runPipeChildIfRequested() {
	if !testchild.Is(pipeChildName) {
		return
	}
	size, err := strconv.Atoi(os.Getenv(pipeSizeEnv))
	if err != nil {
		os.Exit(2)
	}
	// It reads every byte (into a reused buffer: what costs is the copy
	// through the kernel, not holding the data) and keeps the first word.
	buf := make([]byte, 1<<20)
	for {
		var first []byte
		for left := size; left > 0; {
			n, err := os.Stdin.Read(buf[:min(left, len(buf))])
			if err != nil {
				os.Exit(0)
			}
			if first == nil {
				first = append([]byte(nil), buf[:8]...)
			}
			left -= n
		}
		if _, err := os.Stdout.Write(first); err != nil {
			os.Exit(0)
		}
	}
}

const handoffSize = 256 << 20

// BenchmarkHandoff hands a 256 MiB region to a child for a one-word answer,
// shared (the child keeps it mapped between calls) and transferred (a fresh,
// fully written region each time: the parent unmaps it, the child maps it,
// answers and unmaps it; and one the parent has barely touched), against a
// tiny task and against the copying baseline: the same 256 MiB written
// through a pipe to a child that reads it all and answers.
func BenchmarkHandoff(b *testing.B) {
	p, err := NewPool(Options{Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer p.CloseNow()
	var tinyP50 float64
	ratio := func(b *testing.B, lat latencies) {
		if p50 := lat.report(b); tinyP50 > 0 {
			b.ReportMetric(p50/tinyP50, "×tiny-p50")
		}
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
		tinyP50 = lat.report(b)
	})
	r, err := shm.Options{Populate: true}.New(handoffSize)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	fill(r.Bytes())
	want := binary.LittleEndian.Uint64(r.Bytes())
	check := func(b *testing.B, out []byte) {
		if len(out) != 8 || binary.LittleEndian.Uint64(out) != want {
			b.Fatalf("answer %x, want %x", out, want)
		}
	}
	b.Run("region-256MiB-share", func(b *testing.B) {
		b.SetBytes(handoffSize)
		lat := make(latencies, 0, 1<<16)
		for b.Loop() {
			t0 := time.Now()
			out, err := p.Call(context.Background(), "first-word", nil, Share(r))
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			check(b, out)
		}
		ratio(b, lat)
	})
	// The machine is shared: a tiny call and a share call taken in turns see
	// the same load, so their ratio is the steady figure.
	b.Run("share-vs-tiny-interleaved", func(b *testing.B) {
		tiny := make(latencies, 0, 1<<16)
		share := make(latencies, 0, 1<<16)
		for b.Loop() {
			t0 := time.Now()
			if _, err := p.Call(context.Background(), "echo", []byte("x")); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			out, err := p.Call(context.Background(), "first-word", nil, Share(r))
			share = append(share, time.Since(t1))
			tiny = append(tiny, t1.Sub(t0))
			if err != nil {
				b.Fatal(err)
			}
			check(b, out)
		}
		sort.Slice(tiny, func(i, j int) bool { return tiny[i] < tiny[j] })
		sort.Slice(share, func(i, j int) bool { return share[i] < share[j] })
		if n := len(tiny); n > 0 {
			t50, s50 := tiny[n/2].Seconds()*1e6, share[n/2].Seconds()*1e6
			b.ReportMetric(t50, "tiny-p50-µs")
			b.ReportMetric(s50, "share-p50-µs")
			b.ReportMetric(s50/t50, "share/tiny")
		}
	})
	// transfer times handing a fresh region from newRegion to the child.
	transfer := func(newRegion func() (*shm.Region, error)) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(handoffSize)
			lat := make(latencies, 0, 1<<10)
			for b.Loop() {
				b.StopTimer()
				t, err := newRegion()
				if err != nil {
					b.Fatal(err)
				}
				copy(t.Bytes()[:8], r.Bytes()[:8])
				b.StartTimer()
				t0 := time.Now()
				out, err := p.Call(context.Background(), "first-word", nil, Transfer(t))
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				check(b, out)
			}
			ratio(b, lat)
		}
	}
	b.Run("region-256MiB-transfer", transfer(func() (*shm.Region, error) {
		return shm.Options{Populate: true}.New(handoffSize)
	}))
	// The same with a region the parent has not written beyond its first
	// page: what a transfer costs is unmapping the pages the parent touched.
	b.Run("region-256MiB-transfer-untouched", transfer(func() (*shm.Region, error) {
		return shm.New(handoffSize)
	}))
	b.Run("pipe-copy-256MiB", func(b *testing.B) {
		c := testchild.Command(b, pipeChildName, pipeSizeEnv+"="+strconv.Itoa(handoffSize), "GOMAXPROCS=1")
		c.Cmd.Stdout = nil // a pipe instead of the captured output
		in, _ := c.Cmd.StdinPipe()
		out, _ := c.Cmd.StdoutPipe()
		c.Start()
		defer c.Wait()
		defer in.Close()
		b.SetBytes(handoffSize)
		ans := make([]byte, 8)
		lat := make(latencies, 0, 1<<10)
		for b.Loop() {
			t0 := time.Now()
			if _, err := in.Write(r.Bytes()); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(out, ans); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
			check(b, ans)
		}
		ratio(b, lat)
	})
}

// fill writes a pattern over every page, so that the regions' pages exist.
func fill(b []byte) {
	for i := 0; i+8 <= len(b); i += 4096 {
		binary.LittleEndian.PutUint64(b[i:], uint64(i)*0x9e3779b97f4a7c15)
	}
}
