//go:build !linux

package kernels

import "unsafe"

// adviseHuge is a no-op outside Linux.
func adviseHuge(p unsafe.Pointer, size uintptr) {}
