//go:build !linux

package placement

// Leave does nothing and reports false: this platform has no thread
// affinity to narrow.
func Leave(cpu int) bool { return false }
