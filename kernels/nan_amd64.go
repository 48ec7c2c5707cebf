//go:build amd64 && !noasm && !purego

package kernels

//go:generate sh -c "python3 nan_amd64_gen.py > nan_amd64.s"

// nanBlockF64AVX2 is nanBlockF64Go in AVX2 (nan_amd64.s):
//
//	for j, e := range x[i:i+16] {
//		var z float64
//		if e == e { z = e; n++ }
//		s[j] += z
//		mn[j%8] = minSel(e, mn[j%8])
//		mx[j%8] = maxSel(e, mx[j%8])
//	}
//
//go:noescape
func nanBlockF64AVX2(x []float64) (sum, lo, hi float64, n int)

// sqDevF64AVX2 is sqDevF64Go in AVX2 (nan_amd64.s):
//
//	for j, e := range x[i:i+16] {
//		d := e - m
//		if e != e { d = 0 }
//		s[j] = math.FMA(d, d, s[j])
//	}
//
//go:noescape
func sqDevF64AVX2(x []float64, m float64) float64

// nanSumF64AVX2 is nanSumF64Go in AVX2 (nan_amd64.s):
//
//	for j, e := range x[i:i+16] {
//		var z float64
//		if e == e { z = e }
//		s[j] += z
//	}
//
//go:noescape
func nanSumF64AVX2(x []float64) float64

// windowCountF64AVX2 is windowCountF64Go in AVX2 (nan_amd64.s):
//
//	for ; i+4 <= len(x); i += 4 {
//		if any of x[i:i+4] is neither < lo nor > hi { break }
//		below += count(x[i:i+4] < lo)
//		above += count(x[i:i+4] > hi)
//	}
//
//go:noescape
func windowCountF64AVX2(x []float64, lo, hi float64) (below, above, stop int)
