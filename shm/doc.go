// Package shm holds memory that workers hand each other: shared regions
// (anonymous memfd, named POSIX segments in /dev/shm, or an inherited file
// descriptor), zero-copy typed views of them, and atomic words and barriers
// that live inside a region so that they work across processes — the Go
// counterpart of SharedArrayBuffer and Atomics.
//
// Regions are Linux-only for now; on other systems the constructors return
// an error matching errors.ErrUnsupported.
package shm
