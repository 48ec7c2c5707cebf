package docsnippets

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchReport is the part of docs/benchmarks.json that the README quotes.
type benchReport struct {
	Date   string `json:"date"`
	Tables []struct {
		Results []struct {
			Label  string  `json:"label"`
			Peer   string  `json:"peer"`
			Median float64 `json:"median"`
		} `json:"results"`
	} `json:"tables"`
}

// TestReadmeFigures checks that the README's Performance section quotes the
// published benchmark page: it names that page's date, and every median in
// its table is the median of a row of that page with the peer its row names
// (in its peer cell) and its n (in the case). A new page without a README
// update, or a figure typed by hand, fails here instead of standing in the
// README.
func TestReadmeFigures(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(repoRoot, "docs", "benchmarks.json"))
	require.NoError(t, err)
	var rep benchReport
	require.NoError(t, json.Unmarshal(b, &rep))

	perf := performanceSection(string(readme))
	require.NotEmpty(t, perf, "README.md has no \"## Performance\" section")
	// The page's date is "2006-01-02 15:04 UTC"; the README writes the
	// time as "15:04 UTC" after the date.
	date, clock, ok := strings.Cut(rep.Date, " ")
	require.True(t, ok, "benchmarks.json date %q", rep.Date)
	assert.Contains(t, oneLine(perf), date+" "+clock, "the README's Performance section names another run than docs/benchmarks.json")

	rows := readmeRows(t, perf)
	require.NotEmpty(t, rows, "no medians found in the README's Performance table")
	for _, r := range rows {
		// The rows of the page that this README row can quote: a peer
		// named in its peer cell, and its n in the case's label.
		var medians []float64
		for _, tb := range rep.Tables {
			for _, x := range tb.Results {
				if strings.Contains(r.peer, x.Peer) && strings.Contains(strings.ReplaceAll(x.Label, " ", ""), r.n) {
					medians = append(medians, x.Median)
				}
			}
		}
		require.NotEmpty(t, medians, "README Performance row %q: no row of docs/benchmarks.md has its peer and n", r.line)
		for _, q := range r.figures {
			assert.True(t, published(q, medians), "README row %q quotes %s, which no row of docs/benchmarks.md with its peer and n has as its median", r.line, q)
		}
	}
}

// performanceSection returns the README's "## Performance" section.
func performanceSection(readme string) string {
	_, rest, ok := strings.Cut(readme, "\n## Performance\n")
	if !ok {
		return ""
	}
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// A readmeRow is a row of the README's Performance table: "| sharc | peer
// | n | median |", with the figures of its last cell ("3.19 / 2.10").
type readmeRow struct {
	line, peer, n string
	figures       []string
}

func readmeRows(t *testing.T, perf string) []readmeRow {
	var out []readmeRow
	for _, line := range strings.Split(perf, "\n") {
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|--") || strings.HasPrefix(line, "| sharc |") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), "|")
		require.Len(t, cells, 4, "README Performance row %q", line)
		r := readmeRow{line: line, peer: strings.ReplaceAll(cells[1], "`", ""), n: strings.ReplaceAll(strings.TrimSpace(cells[2]), " ", "")}
		for _, f := range strings.Split(cells[3], "/") {
			f = strings.TrimSpace(f)
			_, err := strconv.ParseFloat(f, 64)
			require.NoError(t, err, "README Performance row %q: %q is not a number", line, f)
			r.figures = append(r.figures, f)
		}
		out = append(out, r)
	}
	return out
}

var decimals = regexp.MustCompile(`\.(\d+)$`)

// published reports whether q, as written (2 decimals, or none for a
// figure of 100 or more), is one of medians rounded the same way.
func published(q string, medians []float64) bool {
	places := 0
	if m := decimals.FindStringSubmatch(q); m != nil {
		places = len(m[1])
	}
	for _, m := range medians {
		if fmt.Sprintf("%.*f", places, m) == q {
			return true
		}
	}
	return false
}

// TestPublished checks the rounding that TestReadmeFigures allows.
func TestPublished(t *testing.T) {
	ms := []float64{3.1949, 552.65, 1.005}
	for _, c := range []struct {
		q    string
		want bool
	}{
		{"3.19", true}, {"3.20", false}, {"553", true}, {"552.65", true}, {"1.00", true}, {"1.01", false}, {"4", false},
	} {
		assert.Equal(t, c.want, published(c.q, ms), c.q)
	}
}
