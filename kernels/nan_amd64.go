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

func nanBlockF64(x []float64) (sum, lo, hi float64, n int) {
	if useAVX2 {
		raceRead(x)
		return nanBlockF64AVX2(x)
	}
	return nanBlockF64Go(x)
}

func sqDevF64(x []float64, m float64) float64 {
	if useAVX2 {
		raceRead(x)
		return sqDevF64AVX2(x, m)
	}
	return sqDevF64Go(x, m)
}

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

func nanSumF64(x []float64) float64 {
	if useAVX2 {
		raceRead(x)
		return nanSumF64AVX2(x)
	}
	return nanSumF64Go(x)
}
