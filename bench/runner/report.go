package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

type report struct {
	Machine string `json:"machine"`
	Date    string `json:"date"`
	Args    string `json:"args"`
	Took    string `json:"took"`
	// Cores is the round trip of a word between two threads at the start
	// and the end of the run (coreToCore).
	Cores string `json:"core_to_core,omitempty"`
	// Memory is how fast Threads threads copy 256 MiB at the start and
	// the end of the run (memoryCopy).
	Memory  string `json:"memory_copy,omitempty"`
	Threads int    `json:"threads,omitempty"`
	Pairs   int    `json:"pairs"`
	// Passes is how many times the run went through its sections, each
	// pass running a share of every row's pairs (0 means 1).
	Passes int      `json:"passes,omitempty"`
	Tables []table  `json:"tables"`
	Notes  []string `json:"notes"`
	// Recheck, for a run made with -against, compares it with the
	// report it was checked against.
	Recheck *recheckSummary `json:"recheck,omitempty"`
	// Runs, for a report made with -merge, are the runs whose pairs it
	// summarizes together; Pairs is then their sum.
	Runs []runInfo `json:"runs,omitempty"`
}

// pairsIn renders "7 pairs", or "7 pairs in 2 passes".
func pairsIn(pairs, passes int) string {
	if passes > 1 {
		return fmt.Sprintf("%d pairs in %d passes", pairs, passes)
	}
	return fmt.Sprintf("%d pairs", pairs)
}

func jsonPath(md string) string { return strings.TrimSuffix(md, ".md") + ".json" }

// dur renders nanoseconds with a unit.
func dur(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.1f ns", ns)
}

func printTable(w io.Writer, t table) {
	fmt.Fprintf(w, "-- %s\n", t.Title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tpeer\tsharc\tpeer\tratio median\tmin–max\t")
	for _, r := range t.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f×\t%.2f–%.2f\t\n", r.Label, r.Peer, dur(r.SharcNS), dur(r.PeerNS), r.Median, r.Min, r.Max)
	}
	tw.Flush()
}

// What the between-cores and memory figures mean, after the figures.
const (
	aboutCores = "This is the cost of every cache line that crosses between cores, under each fork-join, queue round trip " +
		"and contended pool here; on a VM it changes with where the host runs the vCPUs, by several times from one hour to " +
		"the next, so compare a rerun's ratios with those of a run made at a similar figure. Each section gives the figure " +
		"measured just before and just after it, since it can move within a run too."
	aboutMemory = "The rows on 2^26 elements stream memory, and this figure too changes from hour to hour on a VM: where it " +
		"is low, every side of those rows runs at it and their ratios go towards 1."
)

// writeRuns writes the header of a merged report: the machine, then each
// run with its date and figures.
func (r report) writeRuns(b *strings.Builder) {
	fmt.Fprintf(b, "- Machine: %s\n- Date: %s, the latest of %d runs whose pairs this page merges (`bench/run -merge`). "+
		"On a VM the ratios move with the host from hour to hour by more than they move within one run, so a range over "+
		"runs made at different times says more about what a rerun will show than the range of any one run:\n", r.Machine, r.Date, len(r.Runs))
	for i, x := range r.Runs {
		fmt.Fprintf(b, "  %d. %s (took %s, %s)", i+1, x.Date, x.Took, pairsIn(x.Pairs, x.Passes))
		if x.Cores != "" {
			fmt.Fprintf(b, "; between cores %s", x.Cores)
		}
		if x.Memory != "" {
			fmt.Fprintf(b, "; memory %s", x.Memory)
		}
		if x.Args != "" {
			fmt.Fprintf(b, "; arguments `%s`", x.Args)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "- Between cores: the round trip of a word passed back and forth between two spinning threads, given for "+
		"each run above. %s\n", aboutCores)
	fmt.Fprintf(b, "- Memory: how fast %d threads copy 256 MiB (read and write), given for each run above. %s\n", r.Threads, aboutMemory)
}

func (r report) write(path string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\n")
	pairs := pairsIn(r.Pairs, r.Passes)
	if r.Passes > 1 {
		pairs += fmt.Sprintf(": the run went through every section %d times, running a share of each row's pairs each time, "+
			"so that each row's pairs come from moments minutes apart, and a change in the machine partway through the "+
			"run moves every row a little instead of a few rows wholly", r.Passes)
	}
	if len(r.Runs) > 0 {
		pairs = fmt.Sprintf("%d pairs in all, from the %d runs listed below", r.Pairs, len(r.Runs))
	}
	fmt.Fprintf(&b, "Every row compares sharc with a peer on the same machine in the same run. The two sides run "+
		"alternately, A, B, A, B, … (%s); each pair gives one ratio, **peer time ÷ sharc time**, so a ratio above 1 "+
		"means sharc is faster. The tables show the median ratio and the range (min–max) over the pairs, and each "+
		"side's median time per operation. Each section starts from a collected heap handed back to the kernel, so "+
		"no section pays for another's garbage. Regenerate everything with `bench/run` (under 15 minutes on 2 cores; "+
		"`bench/run -quick` runs a 3-minute subset); each table names the command for its section alone. "+
		"`bench/run -out /tmp/b.md -against docs/benchmarks.json` reruns it and lists the rows whose median falls "+
		"outside the range printed here.\n\n", pairs)
	if len(r.Runs) > 0 {
		r.writeRuns(&b)
	} else {
		fmt.Fprintf(&b, "- Machine: %s\n- Date: %s (the run took %s)\n", r.Machine, r.Date, r.Took)
	}
	if r.Cores != "" {
		fmt.Fprintf(&b, "- Between cores: a word passed back and forth between two spinning threads takes %s. %s\n", r.Cores, aboutCores)
	}
	if r.Memory != "" {
		fmt.Fprintf(&b, "- Memory: %d threads copying 256 MiB (read and write) move %s. %s\n", r.Threads, r.Memory, aboutMemory)
	}
	if r.Args != "" {
		fmt.Fprintf(&b, "- Arguments: `%s`\n", r.Args)
	}
	b.WriteString("\nPeers that need installing (the harness installs nothing; a missing one is listed under \"Not run\" with the reason):\n\n" +
		"```sh\napt-get install -y gcc g++ libopenblas-dev libtbb-dev nodejs npm\n" +
		"(cd bench/node/pool && npm ci)   # piscina\n```\n\n")
	section := ""
	for _, t := range r.Tables {
		if t.Section != section {
			section = t.Section
			fmt.Fprintf(&b, "## %s\n\nCommand: `bench/run -only %s`\n\n", section, section)
			if len(t.Cores) > 0 {
				fmt.Fprintf(&b, "Between cores: %s.\n\n", t.Cores)
			}
		}
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", t.Title, t.About)
		fmt.Fprintf(&b, "| case | peer | sharc (median) | peer (median) | peer ÷ sharc median | min–max |\n|---|---|--:|--:|--:|--:|\n")
		for _, x := range t.Results {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | **%.2f** | %.2f–%.2f |\n", x.Label, x.Peer, dur(x.SharcNS), dur(x.PeerNS), x.Median, x.Min, x.Max)
		}
		b.WriteString("\n")
	}
	if c := r.Recheck; c != nil {
		fmt.Fprintf(&b, "## This run against the report of %s\n\n", c.Against)
		fmt.Fprintf(&b, "Made with `-against`: each row's median set against the range the earlier report printed for it "+
			"(between cores then: %s). %s.\n\n", c.Cores, c.counts())
		if len(c.Outside) > 0 {
			b.WriteString("| section | case | peer | earlier median | earlier min–max | median now | | between cores then | between cores now |\n|---|---|---|--:|--:|--:|---|---|---|\n")
			for _, x := range c.Outside {
				fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %.2f–%.2f | %s | %s | %s | %s |\n", x.Section, x.Label, x.Peer, x.Was, x.WasMin, x.WasMax, x.now(), x.Verdict,
					x.WasCores.short(), x.NowCores.short())
			}
			b.WriteString("\n")
		}
	}
	if len(r.Notes) > 0 {
		b.WriteString("## Not run, and notes\n\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(jsonPath(path), append(j, '\n'), 0o644)
}
