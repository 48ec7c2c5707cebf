// Package shm holds memory that workers hand each other: shared regions
// (anonymous memfd, named POSIX segments in /dev/shm, or an inherited file
// descriptor), zero-copy typed views of them, and atomic words and barriers
// that live inside a region so that they work across processes — the Go
// counterpart of SharedArrayBuffer and Atomics.
//
// Beside regions: a Buffer is an owned typed buffer whose ownership moves
// with Transfer, like a transferable ArrayBuffer, leaving the old handle
// detached; a Queue carries byte messages through a region from one process
// to another; Guard turns a fault in memory a peer truncated into an error.
//
// Regions are Linux-only for now; on other systems the constructors return
// an error matching errors.ErrUnsupported. NewBuffer and its transfers work
// everywhere.
package shm
