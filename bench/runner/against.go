package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// A recheck is one row of a rerun set against the same row of a published
// report: whether the rerun's median ratio falls inside the range the
// report printed for it.
type recheck struct {
	Section, Title, Label, Peer string
	Was                         result // the published row
	Now                         result // the rerun's row
	// The between-cores figures of the two rows' sections (table.Cores).
	WasCores, NowCores coreSpans
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
	type row struct {
		r     result
		cores coreSpans
	}
	found := map[key]row{}
	for _, t := range now {
		for _, r := range t.Results {
			found[key{t.Section, t.Title, r.Label, r.Peer}] = row{r, t.Cores}
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
			f := found[k]
			out = append(out, recheck{Section: t.Section, Title: t.Title, Label: r.Label, Peer: r.Peer, Was: r, Now: f.r,
				WasCores: t.Cores, NowCores: f.cores})
		}
	}
	return out
}

// A recheckSummary is what a report says about its run set against an
// earlier report (-against): how many rows landed where, and the rows
// outside their earlier range.
type recheckSummary struct {
	Against string       `json:"against"`           // the earlier report's date
	Cores   string       `json:"core_to_core"`      // its between-cores figure
	Within  int          `json:"within"`            // rows inside the earlier range
	Above   int          `json:"above"`             // sharc did better
	Below   int          `json:"below"`             // sharc did worse: the earlier claim did not hold
	Absent  int          `json:"absent"`            // rows this run did not produce
	Outside []recheckRow `json:"outside,omitempty"` // the rows above, below or absent
}

type recheckRow struct {
	Section string  `json:"section"`
	Label   string  `json:"label"`
	Peer    string  `json:"peer"`
	Was     float64 `json:"was_median"`
	WasMin  float64 `json:"was_min"`
	WasMax  float64 `json:"was_max"`
	Now     float64 `json:"now_median"` // 0 when absent
	Verdict string  `json:"verdict"`
	// The between-cores figures of the row's section then and now
	// (table.Cores), where the reports have them.
	WasCores coreSpans `json:"core_to_core_then,omitempty"`
	NowCores coreSpans `json:"core_to_core_now,omitempty"`
}

func summarize(was report, cs []recheck) recheckSummary {
	s := recheckSummary{Against: was.Date, Cores: was.Cores}
	if len(was.Runs) > 0 {
		// A merged report: each of its runs' figures.
		var cs []string
		for _, r := range was.Runs {
			if r.Cores != "" {
				cs = append(cs, fmt.Sprintf("%s in the run of %s", r.Cores, r.Date))
			}
		}
		s.Cores = strings.Join(cs, "; ")
	}
	for _, c := range cs {
		v := c.verdict()
		switch v {
		case within:
			s.Within++
			continue
		case above:
			s.Above++
		case below:
			s.Below++
		case absent:
			s.Absent++
		}
		s.Outside = append(s.Outside, recheckRow{Section: c.Section, Label: c.Label, Peer: c.Peer,
			Was: c.Was.Median, WasMin: c.Was.Min, WasMax: c.Was.Max, Now: c.Now.Median, Verdict: v,
			WasCores: c.WasCores, NowCores: c.NowCores})
	}
	return s
}

func (s recheckSummary) counts() string {
	return fmt.Sprintf("%d rows: %d within the earlier range, %d above it (sharc faster), %d below it, %d not rerun",
		s.Within+s.Above+s.Below+s.Absent, s.Within, s.Above, s.Below, s.Absent)
}

func (r recheckRow) now() string {
	if r.Verdict == absent {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.Now)
}

// printRechecks writes s (the rows outside their earlier range, then the
// counts) for a run whose between-cores figure was cores.
func printRechecks(w io.Writer, s recheckSummary, cores string) {
	fmt.Fprintf(w, "-- this run against the report of %s", s.Against)
	if s.Cores != "" {
		fmt.Fprintf(w, " (between cores then: %s; now: %s)", s.Cores, cores)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "section\tcase\tpeer\tearlier median\tearlier min–max\tnow median\t\tcores then\tcores now\t")
	for _, r := range s.Outside {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f–%.2f\t%s\t%s\t%s\t%s\t\n", r.Section, r.Label, r.Peer, r.Was, r.WasMin, r.WasMax, r.now(), r.Verdict,
			r.WasCores.short(), r.NowCores.short())
	}
	tw.Flush()
	fmt.Fprintln(w, s.counts())
}
