package kernels

import (
	"math"
	"slices"
)

// sampleWindow returns the window around fraction p of the sorted sample
// s, wide enough (4 standard deviations of a sample rank, plus slack) that
// the true p-quantile of the population s was drawn from lies inside it
// with high probability. An edge of the sample becomes the range's bound.
func sampleWindow[T Float](s []T, p, slack float64, a, b T) window[T] {
	h := len(s)
	j := p * float64(h-1)
	d := 4*math.Sqrt(float64(h)*p*(1-p)) + slack + 8
	w := window[T]{lo: a, hi: b}
	if i := int(j - d); i > 0 {
		w.lo = s[i]
	}
	if i := int(math.Ceil(j + d)); i < h-1 {
		w.hi = s[i]
	}
	return w
}

// mergeWindows sorts ws by lo and makes them disjoint, clipping each
// window to start after the one before it (or dropping it if that one
// covers it). Clipping rather than merging keeps every window's edges as
// edges, so heavy duplicates at an edge stay counted rather than copied.
func mergeWindows[T Float](ws []window[T]) []window[T] {
	slices.SortFunc(ws, func(a, b window[T]) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	out := ws[:1]
	for _, w := range ws[1:] {
		last := out[len(out)-1]
		if w.hi <= last.hi {
			continue
		}
		if w.lo <= last.hi {
			w.lo = nextFloat(last.hi)
		}
		out = append(out, w)
	}
	return out
}
