//go:build !amd64 || noasm || purego

package kernels

func nanBlockF64(x []float64) (sum, lo, hi float64, n int) { return nanBlockF64Go(x) }
func sqDevF64(x []float64, m float64) float64              { return sqDevF64Go(x, m) }

func nanSumF64(x []float64) float64 { return nanSumF64Go(x) }
