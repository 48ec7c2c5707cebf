package kernels

import "math"

// The single-core bodies of the NaN-skipping kernels, in portable Go. They
// compute bit for bit what the assembly bodies of nan_amd64.s compute
// (same lanes, same order, the same select rule for min and max), so a
// result never depends on which body ran.

// minSel returns a if a < b, else b: VMINPD's rule, under which a NaN a
// (and a tie) keeps b. maxSel is the same with >.
func minSel(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func maxSel(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// nanBlockF64Go returns the sum, minimum and maximum of the non-NaN
// elements of x and how many there are: 16 partial sums and 8 running
// minima and maxima over x[i+j], combined as nanBlockF64AVX2 combines them.
// With no non-NaN element lo is +Inf and hi -Inf.
func nanBlockF64Go(x []float64) (sum, lo, hi float64, n int) {
	var s [16]float64
	var mn, mx [8]float64
	for l := range mn {
		mn[l], mx[l] = math.Inf(1), math.Inf(-1)
	}
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v := x[i : i+16 : i+16]
		for j, e := range v {
			var z float64
			if e == e {
				z = e
				n++
			}
			s[j] += z
			mn[j%8] = minSel(e, mn[j%8])
			mx[j%8] = maxSel(e, mx[j%8])
		}
	}
	var t [4]float64
	for l := range t {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	sum = (t[0] + t[2]) + (t[1] + t[3])
	lo = minSel(minSel(minSel(mn[0], mn[4]), minSel(mn[2], mn[6])), minSel(minSel(mn[1], mn[5]), minSel(mn[3], mn[7])))
	hi = maxSel(maxSel(maxSel(mx[0], mx[4]), maxSel(mx[2], mx[6])), maxSel(maxSel(mx[1], mx[5]), maxSel(mx[3], mx[7])))
	for ; i < len(x); i++ {
		e := x[i]
		lo, hi = minSel(e, lo), maxSel(e, hi)
		if e == e {
			sum += e
			n++
		}
	}
	return sum, lo, hi, n
}

// sqDevF64Go returns Σ (x[i]-m)² over the non-NaN elements of x: 16
// partial sums of fused multiply-adds, combined as sumF64Go's.
func sqDevF64Go(x []float64, m float64) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v := x[i : i+16 : i+16]
		for j, e := range v {
			d := e - m
			if e != e {
				d = 0
			}
			s[j] = math.FMA(d, d, s[j])
		}
	}
	var t [4]float64
	for l := range t {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	r := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < len(x); i++ {
		if e := x[i]; e == e {
			d := e - m
			r = math.FMA(d, d, r)
		}
	}
	return r
}

// nanSumF64Go is the sum of nanBlockF64Go alone, the same bits.
func nanSumF64Go(x []float64) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v := x[i : i+16 : i+16]
		for j, e := range v {
			var z float64
			if e == e {
				z = e
			}
			s[j] += z
		}
	}
	var t [4]float64
	for l := range t {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	r := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < len(x); i++ {
		if e := x[i]; e == e {
			r += e
		}
	}
	return r
}

// windowCountF64Go counts, four elements at a time, the elements of x
// below lo and above hi, and stops before the first group of four holding
// an element that is neither (inside [lo, hi], or NaN), or at the last full
// group; it returns the counts and where it stopped. Quantiles' pass runs
// it between the rare elements it must look at one by one.
func windowCountF64Go(x []float64, lo, hi float64) (below, above, stop int) {
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		b, a := 0, 0
		for _, e := range v {
			if e < lo {
				b++
			} else if e > hi {
				a++
			}
		}
		if a+b != 4 {
			break
		}
		below += b
		above += a
	}
	return below, above, i
}
