package hist

import (
	"math/bits"
	"sync/atomic"
)

// Buckets is the number of log-linear buckets: four per power of two
// (25% resolution) over the whole int64 range of nanoseconds.
const Buckets = 252

// Histogram is a lock-free latency histogram: one atomic counter per bucket,
// so recording costs two atomic adds and, rarely, a compare-and-swap for the
// maximum.
type Histogram struct {
	counts [Buckets]atomic.Uint64
	max    atomic.Int64
}

// BucketOf returns the bucket of v: values below 4 have their own bucket;
// above, each power of two is split in four.
func BucketOf(v uint64) int {
	if v < 4 {
		return int(v)
	}
	e := bits.Len64(v) - 1 // ≥ 2
	return (e-1)*4 + int((v>>(e-2))&3)
}

// BucketUpper returns the largest value that falls in bucket i.
func BucketUpper(i int) uint64 {
	if i < 4 {
		return uint64(i)
	}
	e := i/4 + 1
	sub := uint64(i % 4)
	lo := (4 + sub) << (e - 2)
	return lo + (1 << (e - 2)) - 1
}

// Record adds one latency in nanoseconds; negative values count as 0.
func (h *Histogram) Record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[BucketOf(uint64(ns))].Add(1)
	for m := h.max.Load(); ns > m; m = h.max.Load() {
		if h.max.CompareAndSwap(m, ns) {
			break
		}
	}
}

// Latency summarizes a Histogram in microseconds. Quantiles are the upper
// bound of their bucket (at most 25% above the true value) and never above Max.
type Latency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_us"`
	P90   float64 `json:"p90_us"`
	P99   float64 `json:"p99_us"`
	Max   float64 `json:"max_us"`
}

// Snapshot summarizes the latencies recorded so far.
func (h *Histogram) Snapshot() Latency {
	var c [Buckets]uint64
	var n uint64
	for i := range c {
		c[i] = h.counts[i].Load()
		n += c[i]
	}
	mx := h.max.Load()
	l := Latency{Count: n, Max: float64(mx) / 1e3}
	if n == 0 {
		return l
	}
	q := func(f float64) float64 {
		rank := uint64(f*float64(n) + 0.5)
		rank = min(max(rank, 1), n)
		var seen uint64
		for i, k := range c {
			seen += k
			if seen >= rank {
				return float64(min(BucketUpper(i), uint64(max(mx, 0)))) / 1e3
			}
		}
		return float64(mx) / 1e3
	}
	l.P50, l.P90, l.P99 = q(0.50), q(0.90), q(0.99)
	return l
}

// Merge adds o's counts into h and raises h's maximum to o's.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if c := o.counts[i].Load(); c != 0 {
			h.counts[i].Add(c)
		}
	}
	if m := o.max.Load(); m > h.max.Load() {
		h.max.Store(m)
	}
}
