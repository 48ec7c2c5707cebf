//go:build amd64 && !noasm && !purego

package kernels

//go:generate sh -c "python3 nan_amd64_gen.py > nan_amd64.s"

// The assembly bodies of nan_amd64.s. Each doc comment is the Go loop the
// body computes, bit for bit (the Go body named in it is that loop, and the
// tests compare the two). minSel(a, b) is a if a < b, else b (VMINPD's
// rule: a NaN a, or a tie, keeps b); maxSel is the same with >.

// nanBlockF64AVX2 is nanBlockF64Go in AVX2: the sum, minimum and maximum of
// the non-NaN elements of x and how many there are,
//
//	var s [16]float64
//	var mn, mx [8]float64
//	for l := range mn {
//		mn[l], mx[l] = math.Inf(1), math.Inf(-1)
//	}
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j, e := range x[i : i+16] {
//			var z float64
//			if e == e {
//				z = e
//				n++
//			}
//			s[j] += z
//			mn[j%8] = minSel(e, mn[j%8])
//			mx[j%8] = maxSel(e, mx[j%8])
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	sum = (t[0] + t[2]) + (t[1] + t[3])
//	lo = minSel(minSel(minSel(mn[0], mn[4]), minSel(mn[2], mn[6])), minSel(minSel(mn[1], mn[5]), minSel(mn[3], mn[7])))
//	hi = maxSel(maxSel(maxSel(mx[0], mx[4]), maxSel(mx[2], mx[6])), maxSel(maxSel(mx[1], mx[5]), maxSel(mx[3], mx[7])))
//	for ; i < len(x); i++ {
//		e := x[i]
//		lo, hi = minSel(e, lo), maxSel(e, hi)
//		if e == e {
//			sum += e
//			n++
//		}
//	}
//	return sum, lo, hi, n
//
//go:noescape
func nanBlockF64AVX2(x []float64) (sum, lo, hi float64, n int)

// sqDevF64AVX2 is sqDevF64Go in AVX2: Σ (x[i]-m)² over the non-NaN
// elements of x,
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j, e := range x[i : i+16] {
//			d := e - m
//			if e != e {
//				d = 0
//			}
//			s[j] = math.FMA(d, d, s[j])
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		if e := x[i]; e == e {
//			d := e - m
//			r = math.FMA(d, d, r)
//		}
//	}
//	return r
//
//go:noescape
func sqDevF64AVX2(x []float64, m float64) float64

// nanSumF64AVX2 is nanSumF64Go in AVX2: the sum of the non-NaN elements,
//
//	var s [16]float64
//	i := 0
//	for ; i+16 <= len(x); i += 16 {
//		for j, e := range x[i : i+16] {
//			if e == e {
//				s[j] += e
//			} else {
//				s[j] += 0
//			}
//		}
//	}
//	var t [4]float64
//	for l := range t {
//		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
//	}
//	r := (t[0] + t[2]) + (t[1] + t[3])
//	for ; i < len(x); i++ {
//		if e := x[i]; e == e {
//			r += e
//		}
//	}
//	return r
//
//go:noescape
func nanSumF64AVX2(x []float64) float64

// windowCountF64AVX2 is windowCountF64Go in AVX2: it counts the elements
// below lo and above hi four at a time, up to the first group of four that
// holds one that is neither,
//
//	i := 0
//	for ; i+4 <= len(x); i += 4 {
//		b, a := 0, 0
//		for _, e := range x[i : i+4] {
//			if e < lo {
//				b++
//			} else if e > hi {
//				a++
//			}
//		}
//		if a+b != 4 {
//			break
//		}
//		below += b
//		above += a
//	}
//	return below, above, i
//
//go:noescape
func windowCountF64AVX2(x []float64, lo, hi float64) (below, above, stop int)
