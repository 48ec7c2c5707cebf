package workers

import "github.com/sharc-go/sharc/internal/hist"

// Latency summarizes a latency histogram in microseconds: the number of
// timed events and their quantiles. Quantiles are the upper bound of their
// bucket (at most 25% above the true value) and never above Max. proc.Pool's
// Stats use the same type.
type Latency struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_us"`
	P90   float64 `json:"p90_us"`
	P99   float64 `json:"p99_us"`
	Max   float64 `json:"max_us"`
}

// latencyOf converts a histogram snapshot of the package shared by both
// pools.
func latencyOf(l hist.Latency) Latency { return Latency(l) }

// histogram forwards to the histogram shared with workers/proc.
type histogram struct{ h hist.Histogram }

func (h *histogram) record(ns int64)    { h.h.Record(ns) }
func (h *histogram) snapshot() Latency  { return latencyOf(h.h.Snapshot()) }
func (h *histogram) merge(o *histogram) { h.h.Merge(&o.h) }
