package workers

import "github.com/sharc-go/sharc/internal/hist"

// Latency summarizes a latency histogram in microseconds. Quantiles are the
// upper bound of their bucket (at most 25% above the true value) and never
// above Max.
type Latency = hist.Latency

// histogram forwards to the histogram shared with workers/proc.
type histogram struct{ h hist.Histogram }

func (h *histogram) record(ns int64)    { h.h.Record(ns) }
func (h *histogram) snapshot() Latency  { return h.h.Snapshot() }
func (h *histogram) merge(o *histogram) { h.h.Merge(&o.h) }
