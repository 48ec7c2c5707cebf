// Package kernels holds parallel numeric kernels on plain slices.
//
// Every kernel works on any slice, Go heap or shared-memory view alike, splits
// it across a workers.Team (workers.DefaultTeam unless the ...On form names
// one) and runs the fastest single-core body the CPU supports on each part.
// Inputs shorter than 128 Ki elements (64 Ki for Dot, 43 Ki for Axpy, which
// touch two and three arrays) run on the caller alone, where a fork-join
// would cost more than it brings.
//
// Bodies: on amd64, float64 and float32 Sum, Dot, Axpy, Min and Max (and
// MatMul's inner update) run assembly, AVX2+FMA or AVX-512F, chosen once at
// start-up with klauspost/cpuid/v2; the build tags noasm or purego force the
// portable Go bodies. All bodies of a kernel compute the same bits: the Go
// bodies follow the assembly's partial sums and fused multiply-adds exactly.
// The tests run every body the CPU supports against a scalar reference, not
// only the one dispatch picks; SHARC_NOSIMD=1, SHARC_NOAVX2=1 or
// SHARC_NOAVX512=1 (or go test -args -nosimd, -noavx2, -noavx512) take levels
// out of the tests. Dispatch is a table of body functions per CPU level,
// chosen once at start-up and never changed; tests hand each level's table
// to the kernels' internal forms.
//
// Sum, Dot and Norm2 are reproducible: the same input gives the same bits
// whatever the number of workers and whichever body runs (fixed
// 4096-element blocks, fixed partial sums within a block, fixed pairwise
// combination of the blocks). Integer arithmetic wraps like Go's operators.
//
// Aliasing: an output may be the same slice as an input (PrefixSum(x, x),
// Add(x, x, y), Axpy(a, y, y)); partial overlap gives unspecified results.
// MatMul's c must not overlap a or b. Mismatched lengths panic with a message
// naming the kernel and both lengths.
package kernels
