package main

import (
	"fmt"
	"slices"
	"strings"
)

// A runInfo describes one of the runs a merged report was made from.
type runInfo struct {
	Date   string `json:"date"`
	Took   string `json:"took"`
	Args   string `json:"args"`
	Pairs  int    `json:"pairs"`
	Passes int    `json:"passes,omitempty"` // through every section; 0 means 1
	Cores  string `json:"core_to_core,omitempty"`
	Memory string `json:"memory_copy,omitempty"`
}

// runs lists the runs r was made from: itself, or those it merged.
func (r report) runs() []runInfo {
	if len(r.Runs) > 0 {
		return r.Runs
	}
	return []runInfo{{Date: r.Date, Took: r.Took, Args: r.Args, Pairs: r.Pairs, Passes: r.Passes, Cores: r.Cores, Memory: r.Memory}}
}

// mergeReports combines runs of bench/run made at different times on the
// same machine into one report whose every row summarizes the pairs of all
// of them: on a VM the ratios move with the host from hour to hour by more
// than they move within a run, so a range over pairs from several runs
// says more about what a rerun will show than the range of any one run.
// Tables and rows follow the last report's order; a row that some run
// lacks is left out, with a note. The merged report's date is the latest
// run's.
func mergeReports(rs []report, names []string) (report, error) {
	if len(rs) < 2 {
		return report{}, fmt.Errorf("-merge needs at least two reports, got %d", len(rs))
	}
	last := rs[len(rs)-1]
	m := report{Machine: last.Machine, Threads: last.Threads}
	for i, r := range rs {
		if r.Machine != m.Machine || r.Threads != m.Threads {
			return report{}, fmt.Errorf("%s was made on %q with %d threads, %s on %q with %d: only runs on one machine merge",
				names[i], r.Machine, r.Threads, names[len(rs)-1], m.Machine, m.Threads)
		}
		for _, t := range r.Tables {
			for _, x := range t.Results {
				if len(x.SharcTimes) != len(x.Ratios) || len(x.PeerTimes) != len(x.Ratios) {
					return report{}, fmt.Errorf("%s: row %q of %q has no per-pair times (a report written before bench/run kept them)",
						names[i], x.Label, t.Title)
				}
			}
		}
		for _, ri := range r.runs() {
			m.Runs = append(m.Runs, ri)
			m.Pairs += ri.Pairs
			m.Date = max(m.Date, ri.Date)
		}
		for _, n := range r.Notes {
			m.Notes = append(m.Notes, fmt.Sprintf("%s: %s", r.Date, n))
		}
	}
	m.Tables, m.Notes = mergeTables(numberRuns(rs), names, m.Notes)
	if len(m.Tables) == 0 {
		return report{}, fmt.Errorf("the reports %s have no table in common", strings.Join(names, ", "))
	}
	return m, nil
}

// numberRuns returns each report's tables with their between-cores spans
// numbered by run across all the reports, so that a merged report says
// which run each figure came from. A merged report written before spans
// carried their run has one span per run, in order.
func numberRuns(rs []report) [][]table {
	var out [][]table
	offset := 0
	for _, r := range rs {
		n := len(r.runs())
		ts := slices.Clone(r.Tables)
		for k := range ts {
			spans := slices.Clone(ts[k].Cores)
			for s := range spans {
				if spans[s].Run == 0 {
					spans[s].Run = 1
					if n > 1 {
						spans[s].Run = s + 1
					}
				}
				spans[s].Run += offset
			}
			ts[k].Cores = spans
		}
		out = append(out, ts)
		offset += n
	}
	return out
}

// mergeTables combines the tables of several runs, or of several passes of
// one run, into one list whose every row holds the pairs of all of them.
// Tables and rows follow the last one's order and words; a table or row
// that one of them lacks is left out, with a note naming it by names[i].
func mergeTables(runs [][]table, names []string, notes []string) ([]table, []string) {
	var out []table
	last := runs[len(runs)-1]
	for _, t := range last {
		merged := t
		merged.Results = nil
		merged.Cores = nil
		var tables []table // this table in each run, in run order
		for i, ts := range runs {
			j := slices.IndexFunc(ts, func(u table) bool { return u.Section == t.Section && u.Title == t.Title })
			if j < 0 {
				notes = append(notes, fmt.Sprintf("%q left out: not in %s", t.Title, names[i]))
				tables = nil
				break
			}
			tables = append(tables, ts[j])
			merged.Cores = append(merged.Cores, ts[j].Cores...)
		}
		if tables == nil {
			continue
		}
		for _, x := range t.Results {
			row := result{Label: x.Label, Sharc: x.Sharc, Peer: x.Peer}
			for i, u := range tables {
				k := slices.IndexFunc(u.Results, func(y result) bool { return y.Label == x.Label && y.Peer == x.Peer })
				if k < 0 {
					notes = append(notes, fmt.Sprintf("%q / %s vs %s left out: not in %s", t.Title, x.Label, x.Peer, names[i]))
					row.Ratios = nil
					break
				}
				y := u.Results[k]
				row.Ratios = append(row.Ratios, y.Ratios...)
				row.SharcTimes = append(row.SharcTimes, y.SharcTimes...)
				row.PeerTimes = append(row.PeerTimes, y.PeerTimes...)
			}
			if row.Ratios == nil {
				continue
			}
			row.summarize()
			merged.Results = append(merged.Results, row)
		}
		if len(merged.Results) > 0 {
			out = append(out, merged)
		}
	}
	return out, notes
}
