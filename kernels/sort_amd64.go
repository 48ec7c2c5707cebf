//go:build amd64 && !noasm && !purego

package kernels

import "github.com/klauspost/cpuid/v2"

//go:generate sh -c "python3 sort_amd64_gen.py > sort_amd64.s"

// sortNet64AVX512 sorts a (len(a) <= 128) ascending as int64s with a
// bitonic network in registers and stores each key k as k ^ (k>>63 &
// xa) ^ xb (sort_amd64.s).
//
//go:noescape
func sortNet64AVX512(a []int64, xa, xb uint64)

// partition64AVX512 reorders a (len(a) >= 128) so that a[:lt] < pivot <=
// a[lt:] (sort_amd64.s).
//
//go:noescape
func partition64AVX512(a []int64, pivot int64) (lt int)

// partitionMap64AVX512 is partition64AVX512 on the keys k ^ (k>>63 & xa) ^
// xb of a's bit patterns, which it stores in a, and returns the smallest
// and largest key too (sort_amd64.s).
//
//go:noescape
func partitionMap64AVX512(a []int64, pivot int64, xa, xb uint64) (lt int, mn, mx int64)

// sortVecCPU is whether this CPU runs the vector quicksort: AVX-512F for
// the vectors, BMI2 and POPCNT for the masks and counts. Read once; the
// sorts take it as an argument so that tests can run both paths.
var sortVecCPU = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.BMI2, cpuid.POPCNT)

func sortNet64(a []int64, xa, xb uint64) {
	raceWrite(a)
	sortNet64AVX512(a, xa, xb)
}

// partition64 reorders a (len(a) >= 128) so that a[:lt] < pivot <= a[lt:]
// and returns lt.
func partition64(a []int64, pivot int64) int {
	raceWrite(a)
	return partition64AVX512(a, pivot)
}

func partitionMap64(a []int64, pivot int64, xa, xb uint64) (int, int64, int64) {
	raceWrite(a)
	return partitionMap64AVX512(a, pivot, xa, xb)
}

// countNaN64AVX512 counts the float64 NaN bit patterns in u[:len(u)&^31]
// (sort_amd64.s).
//
//go:noescape
func countNaN64AVX512(u []uint64) int

// countNaN64 counts the float64 NaN bit patterns in u.
func countNaN64(u []uint64) int {
	raceRead(u)
	n := countNaN64AVX512(u)
	return n + countNaN64Go(u[len(u)&^31:])
}
