package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sharc-go/sharc/workers"
)

// Quantiles returns the quantiles ps (each in [0, 1]) of the elements of x
// that are not NaN, exact and interpolated linearly between the two
// neighbouring order statistics, as numpy.nanquantile(x, ps) computes them
// (its default "linear" method): with n non-NaN elements in sorted order
// s[0..n-1], h = (n-1)·p, the result is s[⌊h⌋] moved toward s[⌊h⌋+1] by
// the fraction h-⌊h⌋. NaNs are skipped, as numpy's nan* functions do; if
// every element is NaN (or x is empty) every result is NaN. It panics,
// naming the value, if a p is NaN or outside [0, 1].
//
// x is not modified and not copied: Quantiles finds the order statistics
// without a sort, with a scratch buffer of at most len(x)/8 elements for
// len(x) >= 512 (a copy of the elements below that), plus a fixed 256-element
// buffer on each worker's stack. A random sample of x (from a fixed
// seed, so results and timings repeat) brackets each wanted rank between
// two sample values; one parallel pass over x counts the elements below
// each bracket and copies the ones inside it into the scratch; a
// quickselect in the scratch, which is about 2% of x and mostly in cache,
// then picks the exact elements. When the sample was unlucky (the rank fell
// outside its bracket, or the brackets held more than the scratch), the
// pass narrows the range that holds the rank and the next one resamples
// inside it.
func Quantiles[T Float](x []T, ps []float64) []float64 { return QuantilesOn(nil, x, ps) }

// QuantilesOn is Quantiles on team t (nil: the default team).
func QuantilesOn[T Float](t *workers.Team, x []T, ps []float64) []float64 {
	res, _ := quantiles(cpuBodies, t, x, ps)
	return res
}

// Median returns Quantiles(x, []float64{0.5})[0], numpy.nanmedian.
func Median[T Float](x []T) float64 { return QuantilesOn(nil, x, []float64{0.5})[0] }

// Select returns the k-th smallest (from 0) of the elements of x that are
// not NaN, as if they were sorted: s[k]. It does not modify x and uses
// Quantiles' bounded scratch. It panics, naming k, if k is negative or not
// below the number of non-NaN elements.
func Select[T Float](x []T, k int) T { return SelectOn(nil, x, k) }

// SelectOn is Select on team t (nil: the default team).
func SelectOn[T Float](t *workers.Team, x []T, k int) T {
	if k < 0 || k >= len(x) {
		panic(fmt.Sprintf("kernels.Select: k=%d out of range for %d elements", k, len(x)))
	}
	q := newQuantiler(cpuBodies, t, x)
	v, ok := q.ranks([]int{k}, true)
	if !ok {
		panic(fmt.Sprintf("kernels.Select: k=%d out of range for %d non-NaN elements", k, q.valid))
	}
	return v[0]
}

// quantiles is Quantiles, also returning the scratch length it allocated
// (for the test of the bound).
func quantiles[T Float](bt *bodies, t *workers.Team, x []T, ps []float64) ([]float64, int) {
	for _, p := range ps {
		if !(p >= 0 && p <= 1) {
			panic(fmt.Sprintf("kernels.Quantiles: p=%v outside [0, 1]", p))
		}
	}
	res := make([]float64, len(ps))
	q := newQuantiler(bt, t, x)
	// Round 0 knows the ranks only as fractions: the number of non-NaN
	// elements comes out of the pass itself.
	q.first(ps)
	if q.valid == 0 {
		for i := range res {
			res[i] = math.NaN()
		}
		return res, q.scratchLen
	}
	var ks []int
	for _, p := range ps {
		h := float64(q.valid-1) * p
		k := int(h)
		ks = append(ks, k, min(k+1, q.valid-1))
	}
	v, _ := q.ranks(ks, false)
	for i, p := range ps {
		h := float64(q.valid-1) * p
		a, b := float64(v[2*i]), float64(v[2*i+1])
		res[i] = lerp(a, b, h-math.Floor(h))
	}
	return res, q.scratchLen
}

// lerp is numpy's _lerp: a + (b-a)·t, computed from b's side for t >= 0.5
// so that t = 1 gives b exactly.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// A window is a value range [lo, hi] of a pass: the pass counts the
// elements below lo, equal to lo, equal to hi and strictly inside, and
// copies the inside ones into the scratch if there is room.
type window[T Float] struct {
	lo, hi             T
	below, eqLo, eqHi  int // counts over the whole of x
	inner              int
	got                []T // the inside elements, if they all fit
	collected, checked bool
}

// A target is a rank not yet found, with the value range known to hold it:
// [a, b] holds the ranks in [nBelowA, nUpToB).
type target[T Float] struct {
	k               int
	a, b            T
	nBelowA, nUpToB int
	hits            int // sample size for the next window
	found           bool
	v               T
}

type quantiler[T Float] struct {
	bt         *bodies
	tm         *workers.Team
	x          []T
	valid      int // non-NaN elements, known after the first pass
	budget     int // scratch elements available
	scratch    []T
	scratchLen int
	want       int // scratch the next pass allocates, if below budget
	rng        *rand.Rand
	firstWins  []window[T]
}

func newQuantiler[T Float](bt *bodies, t *workers.Team, x []T) *quantiler[T] {
	return &quantiler[T]{bt: bt, tm: t, x: x, budget: len(x) / 8, valid: -1,
		rng: rand.New(rand.NewPCG(uint64(len(x)), 0x9e3779b97f4a7c15))}
}

const (
	sampleHits = 1 << 14 // sample size of a first window
	maxRounds  = 24      // passes before the bound on scratch gives way
)

// first runs the first pass, with windows around the sample positions of
// the fractions ps, and records the number of non-NaN elements.
func (q *quantiler[T]) first(ps []float64) {
	n := len(q.x)
	if n == 0 {
		q.valid = 0
		return
	}
	if q.budget < 64 {
		// Too short for sampling to pay: one window holding everything.
		q.firstWins = q.pass([]window[T]{{lo: T(math.Inf(-1)), hi: T(math.Inf(1))}}, true)
		return
	}
	// The window of p holds about 8·sqrt(p(1-p)/hits) of x: the sample
	// grows with the quantiles so that their windows together fill at
	// most half the scratch.
	spread := 0.0
	for _, p := range ps {
		spread += math.Sqrt(p * (1 - p))
	}
	hits := int(min(max(sampleHits, 128*128*spread*spread), 1<<18))
	sample, probes := q.sample(T(math.Inf(-1)), T(math.Inf(1)), hits)
	if len(sample) == 0 {
		// Nothing but NaN in the sample: count exactly, and let the
		// rounds find the ranks.
		q.valid = n - CountNaNOn(q.tm, q.x)
		return
	}
	// The share of NaNs in x is estimated from the probes; its error
	// widens the windows a little.
	frac := float64(len(sample)) / float64(probes)
	slack := 4 * math.Sqrt(frac*(1-frac)/float64(probes)) * float64(len(sample))
	var ws []window[T]
	for _, p := range ps {
		ws = append(ws, sampleWindow(sample, p, slack, T(math.Inf(-1)), T(math.Inf(1))))
	}
	ws = mergeWindows(ws)
	// Size the scratch by the share of the sample inside the windows
	// (with room for chance), not by the whole budget.
	inside := 0
	for _, v := range sample {
		for _, w := range ws {
			if v > w.lo && v < w.hi {
				inside++
			}
		}
	}
	q.want = min(q.budget, int(1.25*float64(inside)/frac/float64(probes)*float64(n))+4096)
	q.firstWins = q.pass(ws, false)
}

// sample draws up to hits values in [a, b] from random positions of x.
func (q *quantiler[T]) sample(a, b T, hits int) (s []T, probes int) {
	n := len(q.x)
	limit := 64 * hits
	for probes < limit && len(s) < hits {
		v := q.x[q.rng.IntN(n)]
		probes++
		if v >= a && v <= b {
			s = append(s, v)
		}
	}
	slices.Sort(s)
	return s, probes
}

// flushLen is the per-chunk buffer of a pass, on the worker's stack.
const flushLen = 256

// pass runs one parallel pass of x over the disjoint sorted windows ws,
// counting and collecting (force: collect even past the budget, for the
// last resort). It sets q.valid from its own NaN count.
func (q *quantiler[T]) pass(ws []window[T], force bool) []window[T] {
	n, m := len(q.x), len(ws)
	budget := q.budget
	if q.want > 0 {
		budget, q.want = q.want, 0
	}
	if force {
		budget = n
	}
	if len(q.scratch) < budget {
		q.scratch = make([]T, budget)
		q.scratchLen = max(q.scratchLen, budget)
	}
	scratch := q.scratch[:budget]
	var used atomic.Int64
	var overflow atomic.Bool
	// counts per window: gap before it, eqLo, eqHi, inner; then the gap
	// after the last window and the NaNs.
	var mu sync.Mutex
	total := make([]int, 4*m+2)
	// Each chunk's inside elements go, in order of arrival, to one region
	// of the scratch; their window is found again afterwards.
	body := func(lo, hi int) {
		cnt := make([]int, 4*m+2)
		var buf [flushLen]T
		nb := 0
		flush := func() {
			if nb == 0 {
				return
			}
			if !overflow.Load() {
				end := used.Add(int64(nb))
				if int(end) <= len(scratch) {
					copy(scratch[int(end)-nb:end], buf[:nb])
				} else {
					overflow.Store(true)
				}
			}
			nb = 0
		}
		xs := q.x[lo:hi]
		if m == 1 {
			// One window (a median, or neighbouring quantiles): float64
			// runs the counting body, which compares four elements at a
			// time without the branches the data would mispredict half
			// the time; the rare groups with an element inside the
			// window (or a NaN) are looked at one by one.
			wlo, whi := ws[0].lo, ws[0].hi
			below, above, inside := 0, 0, 0
			one := func(v T) {
				switch {
				case v < wlo:
					below++
				case v > whi:
					above++
				case v == wlo:
					cnt[1]++
				case v == whi:
					cnt[2]++
				case v == v:
					cnt[3]++
					buf[nb] = v
					if nb++; nb == flushLen {
						flush()
					}
				}
			}
			if f, ok := asF64(xs); ok {
				raceRead(f)
				// The counting body skips groups of four with nothing
				// to collect; the others are looked at one by one.
				for i := 0; i < len(f); {
					b, a, stop := q.bt.windowCountF64(f[i:], float64(wlo), float64(whi))
					below, above, i = below+b, above+a, i+stop
					for end := min(i+4, len(f)); i < end; i++ {
						one(T(f[i]))
					}
				}
			} else {
				for _, v := range xs {
					one(v)
				}
			}
			inside = cnt[1] + cnt[2] + cnt[3]
			cnt[0], cnt[4] = below, above
			cnt[5] = len(xs) - below - above - inside
			xs = nil
		}
		for _, v := range xs {
			if v != v {
				cnt[4*m+1]++
				continue
			}
			w := 0
			for w < m && v > ws[w].hi {
				w++
			}
			switch {
			case w == m || v < ws[w].lo:
				cnt[4*w]++
			case v == ws[w].lo:
				cnt[4*w+1]++
			case v == ws[w].hi:
				cnt[4*w+2]++
			default:
				cnt[4*w+3]++
				buf[nb] = v
				if nb++; nb == flushLen {
					flush()
				}
			}
		}
		flush()
		mu.Lock()
		for i, c := range cnt {
			total[i] += c
		}
		mu.Unlock()
	}
	stream(q.bt.split, q.tm, n, body)
	q.valid = n - total[4*m+1]
	got := scratch[:min(int(used.Load()), len(scratch))]
	below := 0
	for w := range ws {
		below += total[4*w]
		ws[w].below = below
		ws[w].eqLo, ws[w].eqHi, ws[w].inner = total[4*w+1], total[4*w+2], total[4*w+3]
		below += ws[w].eqLo + ws[w].eqHi + ws[w].inner
		ws[w].collected = !overflow.Load()
	}
	if !overflow.Load() {
		// Group the collected elements by window (they arrived mixed).
		rest := got
		for w := range ws {
			i := 0
			for j, v := range rest {
				if v > ws[w].lo && v < ws[w].hi {
					rest[i], rest[j] = rest[j], rest[i]
					i++
				}
			}
			ws[w].got, rest = rest[:i], rest[i:]
		}
	}
	return ws
}

// ranks returns the elements of ranks ks (each < the number of non-NaN
// elements, which need not be known yet if q.first has not run: then
// single reports a rank out of range with ok false).
func (q *quantiler[T]) ranks(ks []int, single bool) (v []T, ok bool) {
	if q.valid < 0 {
		// Select: no fractions to place first windows by; count exactly.
		q.valid = len(q.x) - CountNaNOn(q.tm, q.x)
	}
	for _, k := range ks {
		if k < 0 || k >= q.valid {
			return nil, false
		}
	}
	inf := T(math.Inf(1))
	ts := make([]target[T], len(ks))
	for i, k := range ks {
		ts[i] = target[T]{k: k, a: -inf, b: inf, nBelowA: 0, nUpToB: q.valid, hits: sampleHits}
	}
	ws := q.firstWins
	for round := 0; ; round++ {
		if ws != nil {
			for i := range ts {
				if !ts[i].found {
					q.resolve(&ts[i], ws)
				}
			}
		}
		pending := 0
		for i := range ts {
			if !ts[i].found {
				pending++
			}
		}
		var next []window[T]
		for i := range ts {
			if ts[i].found {
				continue
			}
			next = append(next, q.windowFor(&ts[i], q.budget/(2*pending)))
		}
		if next == nil {
			break
		}
		ws = q.pass(mergeWindows(next), round >= maxRounds)
	}
	v = make([]T, len(ks))
	for i := range ts {
		v[i] = ts[i].v
	}
	return v, true
}

// windowFor returns the next window for t: the whole known range if its
// elements fit in the scratch, else a sampled window inside it.
func (q *quantiler[T]) windowFor(t *target[T], share int) window[T] {
	if t.nUpToB-t.nBelowA <= share {
		return window[T]{lo: t.a, hi: t.b}
	}
	s, _ := q.sample(t.a, t.b, t.hits)
	if len(s) < 16 {
		return window[T]{lo: t.a, hi: t.b}
	}
	p := (float64(t.k-t.nBelowA) + 0.5) / float64(t.nUpToB-t.nBelowA)
	return sampleWindow(s, min(max(p, 0), 1), 0, t.a, t.b)
}

// resolve finds t's element if a window of the last pass pins it down,
// and otherwise narrows t's range with the window's exact counts.
func (q *quantiler[T]) resolve(t *target[T], ws []window[T]) {
	k := t.k
	for i := range ws {
		w := &ws[i]
		in := w.below + w.eqLo + w.inner + w.eqHi
		switch {
		case k < w.below:
			if w.below < t.nUpToB {
				t.b, t.nUpToB = prevFloat(w.lo), w.below
			}
			return
		case k >= in:
			if in > t.nBelowA {
				t.a, t.nBelowA = nextFloat(w.hi), in
			}
			continue
		case k < w.below+w.eqLo:
			t.v, t.found = w.lo, true
		case k >= w.below+w.eqLo+w.inner:
			t.v, t.found = w.hi, true
		case w.collected:
			t.v, t.found = pick(w, k-w.below-w.eqLo), true
		default:
			// Too many inside for the scratch: a narrower window next.
			t.a, t.nBelowA = nextFloat(w.lo), w.below+w.eqLo
			t.b, t.nUpToB = prevFloat(w.hi), w.below+w.eqLo+w.inner
			t.hits = min(4*t.hits, 1<<18)
		}
		return
	}
}
