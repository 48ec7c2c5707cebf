//go:build !unix

package shm

// pidAlive cannot tell off Unix: a peer is taken to live, and a wait for it
// ends only with its context or when it closes the queue.
func pidAlive(pid uint32) bool { return pid != 0 }
