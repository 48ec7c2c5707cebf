package main

import (
	"fmt"
	"math"
	"slices"
)

// A side is one contender's round: it runs the measured work once (one
// process run, or one in-process call) and returns named times in
// nanoseconds per operation. One round may time several things (a C
// program that runs three sorts), each under its own key.
type side struct {
	name  string
	run   func() (map[string]float64, error)
	close func() // if not nil, frees what the rounds kept
}

// A row compares key a of side A (sharc) with key b of side B (the peer).
type row struct {
	Label string `json:"label"`
	A     string `json:"-"`
	B     string `json:"-"`
}

// comparison is a table's unit of work: sides A and B run alternately,
// A, B, A, B, ..., and every pair (A's round i, B's round i) gives one
// ratio per row.
type comparison struct {
	a, b side
	rows []row
}

// result is one row's outcome.
type result struct {
	Label   string    `json:"label"`
	Sharc   string    `json:"sharc"`
	Peer    string    `json:"peer"`
	Ratios  []float64 `json:"ratios"`   // per pair: peer time ÷ sharc time
	Median  float64   `json:"median"`   // of Ratios
	Min     float64   `json:"min"`      // of Ratios
	Max     float64   `json:"max"`      // of Ratios
	SharcNS float64   `json:"sharc_ns"` // median of sharc's times
	PeerNS  float64   `json:"peer_ns"`  // median of the peer's times
	SharcLo float64   `json:"sharc_best_ns"`
	PeerLo  float64   `json:"peer_best_ns"`
	// Each side's time per pair, in the order of Ratios: what -merge
	// needs to summarize the pairs of several runs together.
	SharcTimes []float64 `json:"sharc_times_ns,omitempty"`
	PeerTimes  []float64 `json:"peer_times_ns,omitempty"`
}

// runPairs runs c for the given number of pairs and returns one result per
// row. A ratio above 1 means sharc took less time than the peer.
func runPairs(c comparison, pairs int) ([]result, error) {
	for _, s := range []side{c.a, c.b} {
		if s.close != nil {
			defer s.close()
		}
	}
	as := make([]map[string]float64, 0, pairs)
	bs := make([]map[string]float64, 0, pairs)
	for range pairs {
		a, err := c.a.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.a.name, err)
		}
		b, err := c.b.run()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.b.name, err)
		}
		as, bs = append(as, a), append(bs, b)
	}
	return pairResults(c, as, bs)
}

// pairResults turns the rounds of both sides, in order, into the rows'
// ratios and summaries.
func pairResults(c comparison, as, bs []map[string]float64) ([]result, error) {
	if len(as) != len(bs) {
		return nil, fmt.Errorf("%d rounds of %s but %d of %s", len(as), c.a.name, len(bs), c.b.name)
	}
	var out []result
	for _, r := range c.rows {
		res := result{Label: r.Label, Sharc: c.a.name, Peer: c.b.name}
		for i := range as {
			a, okA := as[i][r.A]
			b, okB := bs[i][r.B]
			if !okA || !okB || !(a > 0) || !(b > 0) {
				return nil, fmt.Errorf("row %q, pair %d: missing or non-positive time (%s %s=%v, %s %s=%v)",
					r.Label, i, c.a.name, r.A, a, c.b.name, r.B, b)
			}
			res.Ratios = append(res.Ratios, b/a)
			res.SharcTimes, res.PeerTimes = append(res.SharcTimes, a), append(res.PeerTimes, b)
		}
		res.summarize()
		out = append(out, res)
	}
	return out, nil
}

// summarize sets r's summaries from its pairs (Ratios and the times).
func (r *result) summarize() {
	r.Median, r.Min, r.Max = median(r.Ratios), slices.Min(r.Ratios), slices.Max(r.Ratios)
	r.SharcNS, r.PeerNS = median(r.SharcTimes), median(r.PeerTimes)
	r.SharcLo, r.PeerLo = slices.Min(r.SharcTimes), slices.Min(r.PeerTimes)
}

// median of xs (not empty); the mean of the middle two for even lengths.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
