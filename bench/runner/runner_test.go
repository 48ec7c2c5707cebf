package main

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 9, 2, 1, 7, 3}, 2},
	} {
		assert.Equal(t, tc.want, median(tc.in), "median(%v)", tc.in)
	}
}

func TestPairResults(t *testing.T) {
	c := comparison{
		a:    side{name: "sharc"},
		b:    side{name: "peer"},
		rows: []row{{Label: "one", A: "x", B: "y"}, {Label: "two", A: "x", B: "z"}},
	}
	as := []map[string]float64{{"x": 10}, {"x": 20}, {"x": 10}}
	bs := []map[string]float64{{"y": 20, "z": 5}, {"y": 20, "z": 5}, {"y": 40, "z": 10}}
	rs, err := pairResults(c, as, bs)
	require.NoError(t, err)
	require.Len(t, rs, 2)
	// Ratios are peer ÷ sharc per pair, in pair order.
	assert.Equal(t, []float64{2, 1, 4}, rs[0].Ratios)
	assert.Equal(t, 2.0, rs[0].Median)
	assert.Equal(t, 1.0, rs[0].Min)
	assert.Equal(t, 4.0, rs[0].Max)
	assert.Equal(t, 10.0, rs[0].SharcNS)
	assert.Equal(t, 20.0, rs[0].PeerNS)
	assert.Equal(t, []float64{0.5, 0.25, 1}, rs[1].Ratios)
	assert.Equal(t, "sharc", rs[1].Sharc)
	assert.Equal(t, "peer", rs[1].Peer)

	_, err = pairResults(c, as, bs[:2])
	assert.ErrorContains(t, err, "3 rounds of sharc but 2 of peer")
	_, err = pairResults(c, as, []map[string]float64{{"y": 1}, {"y": 1, "z": 1}, {"y": 1, "z": 1}})
	assert.ErrorContains(t, err, `row "two", pair 0`)
}

func TestRunPairsAlternates(t *testing.T) {
	var order []string
	mk := func(name string) side {
		return side{name: name, run: func() (map[string]float64, error) {
			order = append(order, name)
			return map[string]float64{"t": 1}, nil
		}, close: func() { order = append(order, "close "+name) }}
	}
	rs, err := runPairs(comparison{a: mk("A"), b: mk("B"), rows: []row{{"r", "t", "t"}}}, 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B", "A", "B", "A", "B", "close B", "close A"}, order)
	assert.Len(t, rs[0].Ratios, 3)
}

func TestParseTimes(t *testing.T) {
	m, err := parseTimes([]byte("threads=2\nsum 12.5\ndot 3\nnoise line here\n"), func(k string, v float64) float64 { return 2 * v })
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"sum": 25, "dot": 6}, m)
	_, err = parseTimes([]byte("nothing\n"), nil)
	assert.Error(t, err)
}

// TestQuickWithoutPeers runs the Go-only part of bench/run -quick -no-peers
// at its smallest sizes and checks the report it writes.
func TestQuickWithoutPeers(t *testing.T) {
	bench, err := benchDir()
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	e := &env{quick: true, noPeers: true, smoke: true, pairs: 7, threads: 2, bench: bench, log: io.Discard}
	require.NoError(t, run(e, nil, out, []string{"-quick", "-no-peers"}))
	md, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, s := range []string{"## sort", "## pool", "## matmul", "## team", "kernels.Sort vs slices.Sort", "workers.Team fork-join vs WaitGroup + go",
		"Machine: ", "cores", "Date: ", "bench/run -only sort", "- Memory: 2 threads copying 256 MiB", "at the section's start, "} {
		assert.Contains(t, string(md), s)
	}
	var rep report
	b, err := os.ReadFile(strings.TrimSuffix(out, ".md") + ".json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	require.NotEmpty(t, rep.Tables)
	for _, tb := range rep.Tables {
		if assert.Len(t, tb.Cores, 1, tb.Title) {
			assert.Positive(t, tb.Cores[0].Start, tb.Title)
			assert.Positive(t, tb.Cores[0].End, tb.Title)
		}
		for _, r := range tb.Results {
			assert.Len(t, r.Ratios, 7, "%s / %s", tb.Title, r.Label)
			assert.Len(t, r.SharcTimes, 7, "%s / %s", tb.Title, r.Label)
			assert.Len(t, r.PeerTimes, 7, "%s / %s", tb.Title, r.Label)
			assert.Greater(t, r.Median, 0.0)
			assert.LessOrEqual(t, r.Min, r.Median)
			assert.GreaterOrEqual(t, r.Max, r.Median)
		}
	}
}

// TestSectionNotRun checks that a failing section and a peer that is not
// installed are reported as not run, with the reason, while the other
// sections still run and the report is still written.
func TestSectionNotRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	// A bench directory without bench/node/pool/node_modules.
	e := &env{smoke: true, quick: true, pairs: 7, threads: 2, bench: t.TempDir(), log: io.Discard}
	ok := side{name: "a", run: func() (map[string]float64, error) { return map[string]float64{"t": 1}, nil }}
	secs := []section{
		{"broken", func(*env) ([]table, error) { return nil, errors.New("peer crashed\nstack") }},
		{"piscina", piscinaTables},
		{"fine", func(e *env) ([]table, error) {
			rs, err := runPairs(comparison{a: ok, b: ok, rows: []row{{"r", "t", "t"}}}, e.pairs)
			return []table{{Section: "fine", Title: "fine table", Results: rs}}, err
		}},
	}
	err := runSections(e, secs, nil, out, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broken")
	assert.NotContains(t, err.Error(), "piscina")
	md, rerr := os.ReadFile(out)
	require.NoError(t, rerr)
	assert.Contains(t, string(md), "## Not run, and notes")
	assert.Contains(t, string(md), "- broken not run: peer crashed\n")
	assert.Contains(t, string(md), "- piscina not run: ")
	assert.Contains(t, string(md), "### fine table")
}

// TestPasses checks that a run in passes splits each row's pairs between
// them, reports every row with all its pairs and each pass's between-cores
// figure, and drops a section that fails in a later pass from the report.
func TestPasses(t *testing.T) {
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	e := &env{smoke: true, quick: true, pairs: 7, passes: 2, threads: 2, bench: t.TempDir(), log: io.Discard}
	var perPass []int
	n := 0.0
	counting := side{name: "a", run: func() (map[string]float64, error) { n++; return map[string]float64{"t": n}, nil }}
	one := side{name: "b", run: func() (map[string]float64, error) { return map[string]float64{"t": 1}, nil }}
	calls := 0
	secs := []section{
		{"fine", func(e *env) ([]table, error) {
			perPass = append(perPass, e.pairs)
			rs, err := runPairs(comparison{a: counting, b: one, rows: []row{{"r", "t", "t"}}}, e.pairs)
			return []table{{Section: "fine", Title: "fine table", Results: rs}}, err
		}},
		{"flaky", func(e *env) ([]table, error) {
			if calls++; calls == 2 {
				return nil, errors.New("peer crashed")
			}
			rs, err := runPairs(comparison{a: one, b: one, rows: []row{{"r", "t", "t"}}}, e.pairs)
			return []table{{Section: "flaky", Title: "flaky table", Results: rs}}, err
		}},
	}
	err := runSections(e, secs, nil, out, []string{"-passes", "2"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flaky")
	assert.Equal(t, []int{3, 4}, perPass)
	assert.Equal(t, 7, e.pairs, "the pairs asked for, after the run")
	b, rerr := os.ReadFile(jsonPath(out))
	require.NoError(t, rerr)
	var r report
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, 7, r.Pairs)
	assert.Equal(t, 2, r.Passes)
	require.Len(t, r.Tables, 1, "the section that failed in pass 2 is left out")
	x := r.Tables[0].Results[0]
	// Sharc's times ran 1, 2, 3 in pass 1 and 4, 5, 6, 7 in pass 2.
	assert.Equal(t, []float64{1, 2, 3, 4, 5, 6, 7}, x.SharcTimes)
	assert.Equal(t, 4.0, x.SharcNS)
	require.Len(t, r.Tables[0].Cores, 2)
	assert.Equal(t, []int{1, 2}, []int{r.Tables[0].Cores[0].Pass, r.Tables[0].Cores[1].Pass})
	md, rerr := os.ReadFile(out)
	require.NoError(t, rerr)
	assert.Contains(t, string(md), "(7 pairs in 2 passes: the run went through every section 2 times")
	assert.Contains(t, string(md), "Between cores: in pass 1, ")
	assert.Contains(t, string(md), "- flaky not run: peer crashed\n")
	assert.NotContains(t, string(md), "flaky table")
}

func TestMemoryCopy(t *testing.T) {
	assert.Regexp(t, `^[0-9]+\.[0-9] GB/s$`, memoryCopy(2))
}

func TestTimedCommand(t *testing.T) {
	m, err := timedCommand("echo", time.Minute, "sh", "-c", "echo 'pingpong 12.5'").run()
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{"pingpong": 12.5}, m)
	_, err = timedCommand("sleep", 50*time.Millisecond, "sleep", "5").run()
	assert.ErrorContains(t, err, "no answer in 50ms")
	_, err = timedCommand("false", time.Minute, "sh", "-c", "echo broken >&2; exit 3").run()
	assert.ErrorContains(t, err, "broken")
}
