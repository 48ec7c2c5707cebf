package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	// Run numbers the run, in a report that merges several; Pass the
	// pass through the sections, in a run that made several. 0: not set.
	Run  int `json:"run,omitempty"`
	Pass int `json:"pass,omitempty"`
}

// where names the run and pass s was measured in ("in run 2, pass 1"), or
// "" when there is nothing to tell apart; i is s's place among several
// spans of a merged report written before spans carried their run.
func (s coreSpan) where(i int, several bool) string {
	switch {
	case s.Run > 0 && s.Pass > 0:
		return fmt.Sprintf("in run %d, pass %d", s.Run, s.Pass)
	case s.Run > 0:
		return fmt.Sprintf("in run %d", s.Run)
	case s.Pass > 0:
		return fmt.Sprintf("in pass %d", s.Pass)
	case several:
		return fmt.Sprintf("in run %d", i+1)
	}
	return ""
}

// coreSpans are a table's between-cores figures: one span for a run, one
// per run for a report that merges several (-merge). Reports written
// before merging existed hold a single object, which reads as one span.
type coreSpans []coreSpan

func (c *coreSpans) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		var one coreSpan
		if err := json.Unmarshal(t, &one); err != nil {
			return err
		}
		*c = coreSpans{one}
		return nil
	}
	return json.Unmarshal(b, (*[]coreSpan)(c))
}

// String renders c for a section's heading: "454 ns at the section's
// start, 101 ns at its end", with the run and pass ("in run 2, pass 1, ")
// before each span when there are several.
func (c coreSpans) String() string {
	var parts []string
	for i, s := range c {
		p := fmt.Sprintf("%.0f ns at the section's start, %.0f ns at its end", s.Start, s.End)
		if w := s.where(i, len(c) > 1); w != "" {
			p = w + ", " + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// short renders c as "454→101 ns" (several spans: "454→101, 430→445 ns"),
// and no spans as "-".
func (c coreSpans) short() string {
	if len(c) == 0 {
		return "-"
	}
	var parts []string
	for _, s := range c {
		parts = append(parts, fmt.Sprintf("%.0f→%.0f", s.Start, s.End))
	}
	return strings.Join(parts, ", ") + " ns"
}
