package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRechecks(t *testing.T) {
	pub := func(label, peer string, med, lo, hi float64) result {
		return result{Label: label, Peer: peer, Median: med, Min: lo, Max: hi}
	}
	was := report{Date: "2026-01-02 03:04 UTC", Cores: "100 ns", Tables: []table{
		{Section: "sort", Title: "sorts", Cores: coreSpans{{Start: 100, End: 120}}, Results: []result{
			pub("2^20", "xss", 1.0, 0.9, 1.1),
			pub("2^22", "xss", 1.2, 1.1, 1.3),
			pub("2^24", "xss", 1.2, 1.1, 1.3),
			pub("2^26", "xss", 1.2, 1.1, 1.3),
			pub("2^20", "ips4o", 4, 3, 5),
		}},
		{Section: "pool", Title: "pools", Results: []result{pub("x", "pond", 1, 1, 1)}},
	}}
	now := []table{{Section: "sort", Title: "sorts", Cores: coreSpans{{Start: 450, End: 99.5}}, Results: []result{
		{Label: "2^20", Peer: "xss", Median: 0.95}, // within
		{Label: "2^22", Peer: "xss", Median: 1.0},  // below
		{Label: "2^24", Peer: "xss", Median: 1.4},  // above
		{Label: "2^20", Peer: "ips4o", Median: 3},  // on the edge: within
		// 2^26 missing: absent
	}}}
	cs := rechecks(was, now, []string{"sort"})
	require.Len(t, cs, 5, "the pool section did not run, so its rows are not rechecked")
	var got []string
	for _, c := range cs {
		got = append(got, c.Label+"/"+c.Peer+" "+c.verdict())
	}
	assert.Equal(t, []string{"2^20/xss within", "2^22/xss below", "2^24/xss above", "2^26/xss absent", "2^20/ips4o within"}, got)

	sum := summarize(was, cs)
	assert.Equal(t, [4]int{2, 1, 1, 1}, [4]int{sum.Within, sum.Above, sum.Below, sum.Absent})
	require.Len(t, sum.Outside, 3, "rows within their range are only counted")
	assert.Equal(t, recheckRow{Section: "sort", Label: "2^22", Peer: "xss", Was: 1.2, WasMin: 1.1, WasMax: 1.3, Now: 1.0, Verdict: below,
		WasCores: coreSpans{{Start: 100, End: 120}}, NowCores: coreSpans{{Start: 450, End: 99.5}}}, sum.Outside[0])
	assert.Nil(t, sum.Outside[2].NowCores, "an absent row has no figure of its own")

	var b strings.Builder
	printRechecks(&b, sum, "400 ns")
	out := b.String()
	assert.Contains(t, out, "report of 2026-01-02 03:04 UTC (between cores then: 100 ns; now: 400 ns)")
	assert.Contains(t, out, "5 rows: 2 within the earlier range, 1 above it (sharc faster), 1 below it, 1 not rerun")
	assert.Regexp(t, `2\^22 +xss +1\.20 +1\.10–1\.30 +1\.00 +below +100→120 ns +450→100 ns`, out)
	assert.Regexp(t, `2\^26 +xss .* - +absent +100→120 ns +-`, out)
	assert.NotContains(t, out, "ips4o")

	// The report written for such a run carries the same comparison.
	path := filepath.Join(t.TempDir(), "b.md")
	require.NoError(t, report{Date: "now", Tables: now, Recheck: &sum}.write(path))
	md, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(md), "## This run against the report of 2026-01-02 03:04 UTC")
	assert.Contains(t, string(md), "| sort | 2^22 | xss | 1.20 | 1.10–1.30 | 1.00 | below | 100→120 ns | 450→100 ns |")
	assert.Contains(t, string(md), "| sort | 2^26 | xss | 1.20 | 1.10–1.30 | - | absent | 100→120 ns | - |")
	assert.Contains(t, string(md), "## sort\n\nCommand: `bench/run -only sort`\n\nBetween cores: 450 ns at the section's start, 100 ns at its end.\n")
	back, err := readReport(strings.TrimSuffix(path, ".md") + ".json")
	require.NoError(t, err)
	require.NotNil(t, back.Recheck)
	assert.Equal(t, sum, *back.Recheck)

	// Against a merged report, the figures of each of its runs.
	merged := was
	merged.Cores = ""
	merged.Runs = []runInfo{{Date: "01:00", Cores: "100 ns at the start, 120 ns at the end"}, {Date: "02:00", Cores: "450 ns at the start, 460 ns at the end"}}
	assert.Equal(t, "100 ns at the start, 120 ns at the end in the run of 01:00; 450 ns at the start, 460 ns at the end in the run of 02:00",
		summarize(merged, cs).Cores)
}

func TestReadReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	_, err := readReport(filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = readReport(write("md.json", "# Benchmarks\n"))
	assert.ErrorContains(t, err, "not a bench/run report")
	_, err = readReport(write("empty.json", `{"date": "x", "tables": []}`))
	assert.ErrorContains(t, err, "a report with no tables")
	r, err := readReport(write("ok.json", `{"date": "d", "tables": [{"section": "sort", "results": [{"label": "a", "median": 1.5}]}]}`))
	require.NoError(t, err)
	assert.Equal(t, 1.5, r.Tables[0].Results[0].Median)
}

// TestAgainstPublished checks that the report in docs/ can be read back for
// -against: a change to the report's shape must keep old reports usable.
func TestAgainstPublished(t *testing.T) {
	bench, err := benchDir()
	require.NoError(t, err)
	r, err := readReport(filepath.Join(bench, "..", "docs", "benchmarks.json"))
	require.NoError(t, err)
	var all []string
	for _, s := range sections() {
		all = append(all, s.name)
	}
	cs := rechecks(r, r.Tables, all)
	require.NotEmpty(t, cs)
	for _, c := range cs {
		assert.Equal(t, within, c.verdict(), "%s %s %s: a report is within its own ranges", c.Section, c.Label, c.Peer)
	}
}
