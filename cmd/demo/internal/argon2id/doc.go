// Package argon2id is golang.org/x/crypto/argon2's Argon2id (the files
// here are copied from x/crypto v0.59.0, BSD licence in LICENSE), changed
// in two ways for a server that hashes on a worker pool:
//
//   - it computes on the calling goroutine: x/crypto starts a goroutine per
//     lane and slice, so the hashing runs on whatever thread the scheduler
//     picks, not on the worker's thread, whose priority the server lowers;
//   - it reuses its memory between calls instead of allocating memory KiB
//     per hash, so the garbage collector, whose stop-the-world pauses stall
//     every request, rarely runs.
//
// Results equal x/crypto's bit for bit (argon2id_test.go checks).
package argon2id
