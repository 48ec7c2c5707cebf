package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
)

// A recheck is one row of a rerun set against the same row of a published
// report: whether the rerun's median ratio falls inside the range the
// report printed for it.
type recheck struct {
	Section, Title, Label, Peer string
	Was                         result // the published row
	Now                         result // the rerun's row
}

// Verdicts of a recheck.
const (
	within = "within"
	below  = "below"  // sharc did worse than the published range: the claim did not hold
	above  = "above"  // sharc did better than the published range
	absent = "absent" // the rerun has no such row (a section not run, a peer missing)
)

func (c recheck) verdict() string {
	switch {
	case c.Now.Label == "":
		return absent
	case c.Now.Median < c.Was.Min:
		return below
	case c.Now.Median > c.Was.Max:
		return above
	}
	return within
}

// readReport reads a report's JSON (the file beside docs/benchmarks.md).
func readReport(path string) (report, error) {
	var r report
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: not a bench/run report: %w", path, err)
	}
	if len(r.Tables) == 0 {
		return r, fmt.Errorf("%s: a report with no tables", path)
	}
	return r, nil
}

// rechecks pairs every row of was whose section ran in now (sections
// lists them) with the same row of now, matched by section, table title,
// case label and peer.
func rechecks(was report, now []table, sections []string) []recheck {
	type key struct{ section, title, label, peer string }
	found := map[key]result{}
	for _, t := range now {
		for _, r := range t.Results {
			found[key{t.Section, t.Title, r.Label, r.Peer}] = r
		}
	}
	ran := map[string]bool{}
	for _, s := range sections {
		ran[s] = true
	}
	var out []recheck
	for _, t := range was.Tables {
		if !ran[t.Section] {
			continue
		}
		for _, r := range t.Results {
			k := key{t.Section, t.Title, r.Label, r.Peer}
			out = append(out, recheck{Section: t.Section, Title: t.Title, Label: r.Label, Peer: r.Peer, Was: r, Now: found[k]})
		}
	}
	return out
}

// printRechecks writes the rows of cs that did not land within their
// published range, then a count of each verdict, and reports how many
// fell below.
func printRechecks(w io.Writer, was report, cores string, cs []recheck) (belowN int) {
	fmt.Fprintf(w, "-- this run against the report of %s", was.Date)
	if was.Cores != "" {
		fmt.Fprintf(w, " (between cores then: %s; now: %s)", was.Cores, cores)
	}
	fmt.Fprintln(w)
	count := map[string]int{}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "section\tcase\tpeer\tpublished median\tpublished min–max\tnow median\t\t")
	for _, c := range cs {
		v := c.verdict()
		count[v]++
		if v == within {
			continue
		}
		now := "-"
		if v != absent {
			now = fmt.Sprintf("%.2f", c.Now.Median)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f–%.2f\t%s\t%s\t\n", c.Section, c.Label, c.Peer, c.Was.Median, c.Was.Min, c.Was.Max, now, v)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d rows: %d within the published range, %d above it (sharc faster), %d below it, %d not rerun\n",
		len(cs), count[within], count[above], count[below], count[absent])
	return count[below]
}
