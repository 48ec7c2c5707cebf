//go:build !amd64 || noasm || purego

package kernels

// Without assembly Sort runs its radix sort for every type.
const sortVecCPU = false

func sortNet64([]int64, uint64, uint64) { panic("kernels: sortNet64 without assembly") }

func partition64([]int64, int64) int {
	panic("kernels: partition64 without assembly")
}

func partitionMap64([]int64, int64, uint64, uint64) (int, int64, int64) {
	panic("kernels: partitionMap64 without assembly")
}

func countNaN64(u []uint64) int { return countNaN64Go(u) }
