package kernels

import (
	"sync"
	"time"
	"unsafe"
)

// Sort's scratch buffer is as large as its input (128 MiB for 2^24
// float64s), so allocating it per call costs as much as a radix pass. A
// sync.Pool does not keep it reliably: every garbage collection moves a
// pooled buffer to the victim cache and the next one frees it, and a
// program that sorts large slices allocates enough between sorts to run
// collections often. sortScratch instead holds one buffer explicitly: a
// sort takes it (or allocates when it is too small or another sort holds
// it), and gives it back when done; the larger of two buffers is kept. A
// buffer unused for scratchIdle is dropped, so an idle program does not
// pin the memory, and buffers above scratchMaxBytes are never kept.
const (
	scratchIdle     = 2 * time.Second
	scratchMaxBytes = 1 << 30
)

var sortScratch struct {
	mu    sync.Mutex
	buf   []uint64 // the kept buffer, or nil
	last  time.Time
	timer *time.Timer
}

// takeScratch returns a buffer of n words of K: the kept one if it is large
// enough, else a new one.
func takeScratch[K sortWord](n int) []K {
	size := uintptr(n) * unsafe.Sizeof(K(0))
	s := &sortScratch
	s.mu.Lock()
	b := s.buf
	if uintptr(cap(b))*8 >= size {
		s.buf = nil
	} else {
		b = nil
	}
	s.mu.Unlock()
	if b == nil {
		b = make([]uint64, (size+7)/8)
		adviseHuge(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b))*8)
	}
	return unsafe.Slice((*K)(unsafe.Pointer(unsafe.SliceData(b[:cap(b)]))), n)
}

// giveScratch hands a buffer from takeScratch back for the next sort.
func giveScratch[K sortWord](k []K) {
	size := uintptr(cap(k)) * unsafe.Sizeof(K(0))
	if size < 8 || size > scratchMaxBytes {
		return
	}
	b := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(k[:cap(k)]))), size/8)
	s := &sortScratch
	s.mu.Lock()
	defer s.mu.Unlock()
	if cap(s.buf) < cap(b) {
		s.buf = b
	}
	s.last = time.Now()
	if s.timer == nil {
		s.timer = time.AfterFunc(scratchIdle, dropIdleScratch)
	} else {
		s.timer.Reset(scratchIdle)
	}
}

// dropIdleScratch frees the kept buffer once no sort has returned one for
// scratchIdle.
func dropIdleScratch() {
	s := &sortScratch
	s.mu.Lock()
	defer s.mu.Unlock()
	if idle := time.Since(s.last); idle < scratchIdle {
		s.timer.Reset(scratchIdle - idle)
		return
	}
	s.buf = nil
}
