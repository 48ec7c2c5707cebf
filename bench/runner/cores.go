package main

import (
	"fmt"
	"slices"
)

// coreToCore measures the round trip of a word passed between two spinning
// threads (goPingPong): the price of every cache line that crosses between
// the cores, and so a floor under a fork-join, a queue round trip and a
// contended pool. On a VM it moves with where the host runs the vCPUs, by
// several times between runs an hour apart, and sometimes within a run;
// the report gives it at the start and the end of the run and around each
// section, so that a reader can tell whether a rerun was made under the
// same conditions. It returns 0 if the probe failed.
func coreToCore() float64 {
	s := goPingPong(200_000)
	var ns []float64
	for range 5 {
		m, err := s.run()
		if err != nil {
			return 0
		}
		ns = append(ns, m["pingpong"])
	}
	slices.Sort(ns)
	return ns[len(ns)/2]
}

// nsString renders a coreToCore figure, "" for a failed probe.
func nsString(ns float64) string {
	if ns <= 0 {
		return ""
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// A coreSpan is the between-cores round trip measured just before and just
// after a section ran, in nanoseconds.
type coreSpan struct {
	Start float64 `json:"start_ns"`
	End   float64 `json:"end_ns"`
}

func (c coreSpan) String() string {
	return fmt.Sprintf("%.0f ns at the section's start, %.0f ns at its end", c.Start, c.End)
}

// short renders c as "454→101 ns", and a missing span as "-".
func (c *coreSpan) short() string {
	if c == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f→%.0f ns", c.Start, c.End)
}
