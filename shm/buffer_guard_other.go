//go:build !linux

package shm

// NewGuardedBuffer returns an error matching errors.ErrUnsupported: guarded
// buffers need memfd and mprotect.
func NewGuardedBuffer[T Number](n int) (*Buffer[T], error) { return nil, errUnsupported }
