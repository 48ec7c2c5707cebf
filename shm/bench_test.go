//go:build linux

package shm

import (
	"os"
	"testing"
	"time"
)

// BenchmarkPingPong compares a Wait/Notify round trip on a region word with
// an unbuffered channel round trip, between two goroutines and between two
// processes, in the same run.
func BenchmarkPingPong(b *testing.B) {
	b.Run("channel/goroutines", func(b *testing.B) {
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
	b.Run("word/goroutines", func(b *testing.B) {
		r, err := New(4096)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		w, _ := r.Int32(0)
		done := make(chan struct{})
		go func() { echo(w); close(done) }()
		pingPong(b, w)
		<-done
	})
	b.Run("word/processes", func(b *testing.B) {
		r, err := New(4096)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		w, _ := r.Int32(0)
		f, _ := r.File()
		wait := startChild(b, "echo", "fd", f)
		f.Close()
		pingPong(b, w)
		wait()
	})
}

// pingPong sends odd values that echo answers with the next even one, then
// tells echo to stop with -1.
func pingPong(b *testing.B, w *Int32) {
	v := int32(0)
	for b.Loop() {
		w.Store(v + 1)
		w.Notify(1)
		for w.Load() != v+2 {
			w.Wait(v+1, time.Second)
		}
		v += 2
		if v > 1<<30 {
			v = 0
			w.Store(0)
		}
	}
	w.Store(-1)
	w.Notify(1)
}

// echo answers each odd value with the next even one until it sees -1.
func echo(w *Int32) {
	for {
		v := w.Load()
		switch {
		case v < 0:
			return
		case v%2 == 1:
			w.Store(v + 1)
			w.Notify(1)
		default:
			w.Wait(v, time.Second)
		}
	}
}

const touchSize = 1 << 30

// BenchmarkTouch1GiB compares making 1 GiB and touching every page: private
// Go memory (make) against shared regions with and without huge-page advice
// and parallel prefaulting.
func BenchmarkTouch1GiB(b *testing.B) {
	page := os.Getpagesize()
	touchAll := func(p []byte) {
		for i := 0; i < len(p); i += page {
			p[i] = 1
		}
	}
	b.Run("make", func(b *testing.B) {
		b.SetBytes(touchSize)
		for b.Loop() {
			p := make([]byte, touchSize)
			touchAll(p)
		}
	})
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"region", Options{}},
		{"region/hugepages", Options{HugePages: true}},
		{"region/populate", Options{Populate: true}},
		{"region/hugepages+populate", Options{HugePages: true, Populate: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(touchSize)
			for b.Loop() {
				r, err := c.o.New(touchSize)
				if err != nil {
					b.Fatal(err)
				}
				touchAll(r.Bytes())
				r.Close()
			}
		})
	}
}

// BenchmarkWord measures the per-call cost of word operations on a region
// word with nobody waiting, the hot path of counters and flags.
func BenchmarkWord(b *testing.B) {
	r, err := New(4096)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	w, err := r.Int32(0)
	if err != nil {
		b.Fatal(err)
	}
	u, err := r.Uint64(WordSize)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Load", func(b *testing.B) {
		var s int32
		for b.Loop() {
			s += w.Load()
		}
		_ = s
	})
	b.Run("Store", func(b *testing.B) {
		i := int32(0)
		for b.Loop() {
			w.Store(i)
			i++
		}
	})
	b.Run("Add", func(b *testing.B) {
		for b.Loop() {
			w.Add(1)
		}
	})
	b.Run("CompareAndSwap", func(b *testing.B) {
		i := w.Load()
		for b.Loop() {
			w.CompareAndSwap(i, i+1)
			i++
		}
	})
	b.Run("Notify", func(b *testing.B) {
		for b.Loop() {
			w.Notify(1)
		}
	})
	b.Run("Load64", func(b *testing.B) {
		var s uint64
		for b.Loop() {
			s += u.Load()
		}
		_ = s
	})
}
