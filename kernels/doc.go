// Package kernels holds parallel numeric kernels on plain slices.
//
// Every kernel works on any slice, Go heap or shared-memory view alike, splits
// it across a workers.Team (workers.DefaultTeam unless the ...On form names
// one) and runs the fastest single-core body the CPU supports on each part.
// Inputs shorter than about 32 Ki elements run on the caller alone, where a
// fork-join would cost more than it brings.
//
// Bodies: on amd64 with AVX2 and FMA, float64 and float32 Sum, Dot and Axpy
// run hand-written assembly, and MatMul packed GotoBLAS-style blocks through
// an AVX-512 or AVX2+FMA micro-kernel, chosen once at start-up with
// klauspost/cpuid/v2; the build tags noasm or purego force the portable Go
// bodies. Each body is tested and fuzzed against a scalar
// reference; SHARC_NOSIMD=1 limits the tests to the portable body.
//
// Sum, Dot and Norm2 are reproducible: the same input gives the same bits
// whatever the number of workers (fixed 4096-element blocks, fixed pairwise
// combination). Integer arithmetic wraps like Go's operators.
//
// Aliasing: an output may be the same slice as an input (PrefixSum(x, x),
// Add(x, x, y), Axpy(a, y, y)); partial overlap gives unspecified results.
// MatMul's c must not overlap a or b. Mismatched lengths panic with a message
// naming the kernel and both lengths.
package kernels
