package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// res is a row with the given per-pair times, summarized.
func res(label, peer string, sharc, other []float64) result {
	r := result{Label: label, Sharc: "sharc", Peer: peer, SharcTimes: sharc, PeerTimes: other}
	for i := range sharc {
		r.Ratios = append(r.Ratios, other[i]/sharc[i])
	}
	r.summarize()
	return r
}

func TestMergeReports(t *testing.T) {
	one := report{Machine: "m", Threads: 2, Date: "2026-01-02 03:00 UTC", Took: "10m", Pairs: 3, Cores: "100 ns at the start, 120 ns at the end",
		Notes: []string{"piscina not run: no npm"},
		Tables: []table{
			{Section: "sort", Title: "sorts", About: "old words", Cores: coreSpans{{Start: 100, End: 110}}, Results: []result{
				res("a", "p", []float64{1, 1, 1}, []float64{2, 3, 4}),
				res("only here", "p", []float64{1, 1, 1}, []float64{1, 1, 1}),
			}},
			{Section: "pool", Title: "pools", Results: []result{res("x", "q", []float64{1, 1, 1}, []float64{1, 1, 1})}},
		}}
	two := report{Machine: "m", Threads: 2, Date: "2026-01-02 05:00 UTC", Took: "11m", Pairs: 2, Memory: "50 GB/s",
		Tables: []table{
			{Section: "sort", Title: "sorts", About: "new words", Cores: coreSpans{{Start: 400, End: 450}}, Results: []result{
				res("a", "p", []float64{2, 2}, []float64{2, 10}),
			}},
		}}
	m, err := mergeReports([]report{one, two}, []string{"one.json", "two.json"})
	require.NoError(t, err)
	assert.Equal(t, "2026-01-02 05:00 UTC", m.Date)
	assert.Equal(t, 5, m.Pairs)
	require.Len(t, m.Runs, 2)
	assert.Equal(t, runInfo{Date: one.Date, Took: "10m", Pairs: 3, Cores: one.Cores}, m.Runs[0])
	assert.Equal(t, "50 GB/s", m.Runs[1].Memory)
	// Only the table and row both runs have, in the last run's words.
	require.Len(t, m.Tables, 1)
	tb := m.Tables[0]
	assert.Equal(t, "new words", tb.About)
	assert.Equal(t, coreSpans{{Start: 100, End: 110, Run: 1}, {Start: 400, End: 450, Run: 2}}, tb.Cores)
	require.Len(t, tb.Results, 1)
	r := tb.Results[0]
	assert.Equal(t, []float64{2, 3, 4, 1, 5}, r.Ratios)
	assert.Equal(t, 3.0, r.Median)
	assert.Equal(t, 1.0, r.Min)
	assert.Equal(t, 5.0, r.Max)
	assert.Equal(t, 1.0, r.SharcNS) // median of 1, 1, 1, 2, 2
	assert.Equal(t, 3.0, r.PeerNS)  // of 2, 3, 4, 2, 10
	assert.Equal(t, []string{
		"2026-01-02 03:00 UTC: piscina not run: no npm",
	}, m.Notes)

	// Merging the merged report with a third run carries its runs along.
	three := two
	three.Date = "2026-01-02 07:00 UTC"
	mm, err := mergeReports([]report{m, three}, []string{"m.json", "three.json"})
	require.NoError(t, err)
	assert.Len(t, mm.Runs, 3)
	assert.Equal(t, 7, mm.Pairs)
	assert.Len(t, mm.Tables[0].Results[0].Ratios, 7)
	assert.Equal(t, []int{1, 2, 3}, []int{mm.Tables[0].Cores[0].Run, mm.Tables[0].Cores[1].Run, mm.Tables[0].Cores[2].Run})
	// So does one written before spans carried their run: one span per
	// run, in order.
	old := m
	old.Tables = slices.Clone(m.Tables)
	old.Tables[0].Cores = coreSpans{{Start: 100, End: 110}, {Start: 400, End: 450}}
	mm, err = mergeReports([]report{three, old}, []string{"three.json", "old.json"})
	require.NoError(t, err)
	assert.Equal(t, "in run 1, 400 ns at the section's start, 450 ns at its end; in run 2, 100 ns at the section's start, "+
		"110 ns at its end; in run 3, 400 ns at the section's start, 450 ns at its end", mm.Tables[0].Cores.String())

	// A run made in passes keeps its passes' figures apart.
	passed := two
	passed.Passes = 2
	passed.Tables = []table{{Section: "sort", Title: "sorts", Cores: coreSpans{{Start: 400, End: 450, Pass: 1}, {Start: 90, End: 95, Pass: 2}},
		Results: []result{res("a", "p", []float64{2, 2}, []float64{2, 10})}}}
	mp, err := mergeReports([]report{one, passed}, []string{"one.json", "passed.json"})
	require.NoError(t, err)
	assert.Equal(t, 2, mp.Runs[1].Passes)
	assert.Equal(t, "in run 1, 100 ns at the section's start, 110 ns at its end; in run 2, pass 1, 400 ns at the section's start, "+
		"450 ns at its end; in run 2, pass 2, 90 ns at the section's start, 95 ns at its end", mp.Tables[0].Cores.String())

	// A row missing from the other run is left out with a note; so is a table.
	swapped, err := mergeReports([]report{two, one}, []string{"two.json", "one.json"})
	require.NoError(t, err)
	assert.Contains(t, swapped.Notes, `"sorts" / only here vs p left out: not in two.json`)
	assert.Contains(t, swapped.Notes, `"pools" left out: not in two.json`)
}

func TestMergeReportsRefuses(t *testing.T) {
	ok := report{Machine: "m", Threads: 2, Tables: []table{{Section: "s", Title: "t", Results: []result{res("a", "p", []float64{1}, []float64{1})}}}}
	other := ok
	other.Machine = "n"
	old := report{Machine: "m", Threads: 2, Tables: []table{{Section: "s", Title: "t", Results: []result{{Label: "a", Ratios: []float64{1}}}}}}
	disjoint := report{Machine: "m", Threads: 2, Tables: []table{{Section: "s", Title: "u", Results: []result{res("a", "p", []float64{1}, []float64{1})}}}}
	for _, tc := range []struct {
		name string
		rs   []report
		want string
	}{
		{"one report", []report{ok}, "at least two reports"},
		{"two machines", []report{ok, other}, "only runs on one machine merge"},
		{"no per-pair times", []report{ok, old}, "has no per-pair times"},
		{"nothing in common", []report{ok, disjoint}, "no table in common"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := []string{"a.json", "b.json"}[:len(tc.rs)]
			_, err := mergeReports(tc.rs, names)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// TestMergeFiles merges two reports written by bench/run's writer and
// checks the page and the JSON it writes; an old report, whose between-
// cores figure is one object, still reads.
func TestMergeFiles(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, date := range []string{"2026-01-02 03:00 UTC", "2026-01-02 05:00 UTC"} {
		r := report{Machine: "m", Threads: 2, Date: date, Took: "10m", Pairs: 2, Cores: "450 ns at the start, 100 ns at the end",
			Tables: []table{{Section: "team", Title: "joins", Cores: coreSpans{{Start: 450, End: float64(100 * (i + 1))}},
				Results: []result{res("join", "go", []float64{1, 2}, []float64{3, 4})}}}}
		p := filepath.Join(dir, date[11:13]+".md")
		require.NoError(t, r.write(p))
		paths = append(paths, jsonPath(p))
	}
	out := filepath.Join(dir, "merged.md")
	require.NoError(t, mergeFiles(paths, out))
	md, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, s := range []string{
		"4 pairs in all, from the 2 runs listed below",
		"- Date: 2026-01-02 05:00 UTC, the latest of 2 runs",
		"  1. 2026-01-02 03:00 UTC (took 10m, 2 pairs); between cores 450 ns at the start, 100 ns at the end",
		"Between cores: in run 1, 450 ns at the section's start, 100 ns at its end; in run 2, 450 ns at the section's start, 200 ns at its end.",
		"| join | go | 1.5 ns | 3.5 ns | **2.50** | 2.00–3.00 |",
	} {
		assert.Contains(t, string(md), s)
	}
	var back report
	b, err := os.ReadFile(jsonPath(out))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Len(t, back.Runs, 2)
	assert.Len(t, back.Tables[0].Results[0].Ratios, 4)

	var spans coreSpans
	require.NoError(t, json.Unmarshal([]byte(`{"start_ns": 454, "end_ns": 101}`), &spans))
	assert.Equal(t, coreSpans{{Start: 454, End: 101}}, spans)
	assert.Equal(t, "454→101 ns", spans.short())
	assert.Equal(t, "-", coreSpans(nil).short())
}

// The published report must stay readable by -against and -merge.
func TestPublishedReportReads(t *testing.T) {
	bench, err := benchDir()
	require.NoError(t, err)
	r, err := readReport(filepath.Join(bench, "..", "docs", "benchmarks.json"))
	require.NoError(t, err)
	for _, tb := range r.Tables {
		assert.NotEmpty(t, tb.Cores, tb.Title)
		assert.NotEmpty(t, tb.Results, tb.Title)
	}
}
