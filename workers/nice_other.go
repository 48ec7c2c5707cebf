//go:build !linux

package workers

// lowerThreadPriority does nothing: thread priorities are Linux-only here.
func lowerThreadPriority(inc int) error { return nil }
