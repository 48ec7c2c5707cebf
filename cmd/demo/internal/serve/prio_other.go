//go:build !linux

package serve

// lowerThreadPriority does nothing where nice values are per process.
func lowerThreadPriority(int) error { return nil }

func threadNice() (int, error) { return 0, nil }

const nicePerThread = false
