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
// same conditions. It returns "" if the probe failed.
func coreToCore() string {
	s := goPingPong(200_000)
	var ns []float64
	for range 5 {
		m, err := s.run()
		if err != nil {
			return ""
		}
		ns = append(ns, m["pingpong"])
	}
	slices.Sort(ns)
	return fmt.Sprintf("%.0f ns", ns[len(ns)/2])
}
