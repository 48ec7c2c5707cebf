package atomics

import "sync/atomic"

// CacheLineSize is the size that keeps two hot words from sharing a cache
// line. 128 covers the adjacent-line prefetcher of x86 and the 128-byte lines
// of Apple silicon.
const CacheLineSize = 128

// Pad fills the rest of a cache line after a hot field.
type Pad [CacheLineSize]byte

// PaddedInt64 is an atomic.Int64 alone on its cache line, for per-worker
// counters that are written often.
type PaddedInt64 struct {
	atomic.Int64
	_ [CacheLineSize - 8]byte
}

// PaddedUint32 is an atomic.Uint32 alone on its cache line.
type PaddedUint32 struct {
	atomic.Uint32
	_ [CacheLineSize - 4]byte
}
