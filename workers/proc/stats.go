package proc

import (
	"github.com/sharc-go/sharc/internal/hist"
)

// Stats counts a pool's work.
type Stats struct {
	Workers   int     `json:"workers"`
	Queued    int     `json:"queued"`
	Completed int64   `json:"completed"`
	Failed    int64   `json:"failed"`
	Died      int64   `json:"died"`
	Killed    int64   `json:"killed"` // children killed after a cancel's grace period
	Restarts  int64   `json:"restarts"`
	Wait      Latency `json:"wait"` // call to a child taking it
	Run       Latency `json:"run"`  // a child taking it to the answer (the round trip)
}

// Latency summarizes a latency histogram in microseconds, like
// workers.Latency. Quantiles are the upper bound of their bucket (at most 25%
// above the true value) and never above Max.
type Latency = hist.Latency
