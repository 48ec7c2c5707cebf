//go:build !linux

package placement

// Yield does nothing on this platform.
func Yield() {}
