// Package kernels holds parallel numeric kernels on plain slices.
//
// Every kernel works on any slice, Go heap or shared-memory view alike, splits
// it across a workers.Team and runs the fastest single-core body the CPU
// supports on each part. Each body is tested against a scalar reference.
package kernels
