// Package placement tells which CPU the calling thread runs on, cheaply,
// and moves a thread off a CPU it shares with a peer.
//
// Two processes that hand messages back and forth through shared memory
// answer each other in about a microsecond while each spins on a CPU of
// its own, and in tens of microseconds once the kernel has put both on
// the same CPU: then each has to wait for the other to give the CPU up.
// The kernel puts a thread it wakes next to its waker when it judges that
// cheaper, and it rarely moves a spinning thread later, so a pair that
// went through a spell of sleeping can stay together long after both are
// busy again. A process worker that finds itself on its caller's CPU,
// and a workers.Team worker woken on it, move off it with Leave. A
// workers.Team caller whose woken worker has not shown up yields its CPU
// with Yield, in case the kernel queued the worker's thread behind it.
package placement
