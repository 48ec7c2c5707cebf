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
// # Platforms
//
// Everything here works on Linux, on every architecture Go supports there
// (32-bit ones included): regions are memfd or /dev/shm mappings, and waits
// sleep on futexes. The package also builds on other systems (macOS,
// Windows, the BSDs), where New, Create, Open, OpenFile, the methods of
// Options, Unlink and NewGuardedBuffer return an error matching
// errors.ErrUnsupported. No Region exists there, so neither does anything
// that lives inside one: views, words, barriers, queues, BufferOf. NewBuffer
// with Transfer, Detach, Clone and Release, and Guard, need no region and
// work everywhere.
package shm
