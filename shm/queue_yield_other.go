//go:build !linux

package shm

// osYield is a no-op off Linux: the spin's runtime.Gosched is all it does.
func osYield() {}
