package kernels_test

import (
	"fmt"
	"math"

	"github.com/sharc-go/sharc/kernels"
)

// NanSum, NanMin and NanMax skip missing values, as numpy's nan* functions
// do; Sum, Min and Max let a NaN through.
func ExampleNanSum() {
	nan := math.NaN()
	x := []float64{1.5, nan, 2.5, -4, nan, 10}
	fmt.Println(kernels.Sum(x), kernels.NanSum(x))
	fmt.Println(kernels.NanMin(x), kernels.NanMax(x), kernels.CountNaN(x))
	fmt.Println(kernels.NanSum([]float32{float32(nan)})) // nothing left: +0
	// Output:
	// NaN 10
	// -4 10 2
	// 0
}

// Select finds one order statistic without sorting (and without modifying)
// its input; Median and Quantiles are built on the same selection.
func ExampleSelect() {
	x := []float64{9, 1, math.NaN(), 7, 3, 5}
	fmt.Println(kernels.Select(x, 0), kernels.Select(x, 1), kernels.Select(x, 4))
	fmt.Println(kernels.Median(x))
	fmt.Println(x) // untouched
	// Output:
	// 1 3 9
	// 5
	// [9 1 NaN 7 3 5]
}

// Histogram adds to counts; values outside [lo, hi), NaNs included, are
// counted apart. Bins tells those apart and can close the last bin.
func ExampleHistogram() {
	x := []float64{0, 0.5, 1, 2.5, 3.9, 4, -1, math.NaN()}
	counts := make([]int, 4) // bins [0,1) [1,2) [2,3) [3,4)
	outside := kernels.Histogram(counts, x, 0, 4)
	fmt.Println(counts, outside)

	clear(counts)
	o := kernels.Bins(counts, x, 0, 4, kernels.ClosedHi) // the last bin is [3,4]
	fmt.Println(counts, o.Below, o.Above, o.NaN, o.Total())
	// Output:
	// [2 1 1 1] 3
	// [2 1 1 2] 1 0 1 2
}

// The extremes and where they are.
func ExampleMin() {
	x := []int32{4, -2, 9, -2, 9}
	fmt.Println(kernels.Min(x), kernels.ArgMin(x), kernels.Max(x), kernels.ArgMax(x))
	// Output: -2 1 9 2
}

// Norm2 is the Euclidean length of a vector.
func ExampleNorm2() {
	fmt.Println(kernels.Norm2([]float64{3, 4}), kernels.Norm2([]float32{1, 2, 2}))
	// Output: 5 3
}

// Stats from two parts of a series merge into the Stats of the whole, so a
// stream can be described chunk by chunk.
func ExampleStats_Merge() {
	a := kernels.Describe([]float64{1, 2, 3})
	b := kernels.Describe([]float64{4, math.NaN(), 5})
	all := a.Merge(b)
	fmt.Println(all.Count, all.NaN, all.Mean, all.Min, all.Max, all.Var())
	// Output: 5 1 3 1 5 2
}
