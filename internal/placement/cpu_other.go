//go:build !(linux && amd64)

package placement

// CPU returns -1: on this platform there is no cheap way to tell which
// CPU the calling thread runs on.
func CPU() int { return -1 }
