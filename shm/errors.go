package shm

import "errors"

var (
	// ErrClosed is returned (or, from word operations, panicked with) when a
	// region is used after Close.
	ErrClosed = errors.New("shm: region is closed")
	// ErrNoSpace is returned by Create when /dev/shm cannot hold the segment.
	ErrNoSpace = errors.New("shm: no space left for shared memory")
	// ErrTooLarge is returned for a size the system cannot map.
	ErrTooLarge = errors.New("shm: size too large")
	// ErrBadSize is returned for a size of zero or less, or a segment whose
	// size is zero.
	ErrBadSize = errors.New("shm: size must be positive")
	// ErrBadName is returned for a segment name that is empty, ".", too
	// long, or contains "..", '/' or NUL.
	ErrBadName = errors.New("shm: bad segment name")
	// ErrNotSegment is returned when the file under a segment's name, or
	// a file handed to OpenFile, is not a regular file on a shared-memory
	// filesystem: a symbolic link, a device, a FIFO, a file on disk.
	ErrNotSegment = errors.New("shm: not a shared memory segment")
	// ErrAlignment is returned for an offset that is not a multiple of the
	// element or word alignment.
	ErrAlignment = errors.New("shm: misaligned offset")
	// ErrRange is returned for a span that does not lie inside the region.
	ErrRange = errors.New("shm: span out of range")
	// ErrNegative is returned for a negative offset or count.
	ErrNegative = errors.New("shm: negative offset or count")
	// ErrReadOnly is returned when a read-only region is asked for
	// something that writes, such as a barrier or a waitable word.
	ErrReadOnly = errors.New("shm: region is read-only")
	// ErrBroken is returned by Barrier.Wait when the barrier is broken: a
	// party gave up (timeout, cancelled context) or called Break.
	ErrBroken = errors.New("shm: barrier is broken")
)

// ErrTruncated is returned by Guard when the guarded function touched
// region memory that is no longer backed by the file: another process
// shrank the segment (ftruncate) under the mapping. Without Guard, such an
// access kills the process with SIGBUS.
var ErrTruncated = errors.New("shm: region memory is gone (segment truncated by another process?)")
