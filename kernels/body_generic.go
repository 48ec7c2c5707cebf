//go:build !amd64 || noasm || purego

package kernels

// Without assembly every level is the portable one.
var useAVX2, useAVX512, reduceAVX512 = false, false, false

// cpuLevel is the highest body level this CPU (and build) supports.
const cpuLevel = levelGeneric

func simdLevel() string { return "generic" }

func sumF64(x []float64) float64        { return sumF64Go(x) }
func dotF64(x, y []float64) float64     { return dotF64Go(x, y) }
func axpyF64(a float64, x, y []float64) { axpyF64Go(a, x, y) }
func sumF32(x []float32) float32        { return sumF32Go(x) }
func dotF32(x, y []float32) float32     { return dotF32Go(x, y) }
func axpyF32(a float32, x, y []float32) { axpyF32Go(a, x, y) }
func minF64(x []float64) float64        { return minGeneric(x) }
func maxF64(x []float64) float64        { return maxGeneric(x) }
func minF32(x []float32) float32        { return minGeneric(x) }
func maxF32(x []float32) float32        { return maxGeneric(x) }
