// Package atomics is the low level under sharc's waits: futex wait and wake
// (process-shared, so they work across processes on a MAP_SHARED mapping),
// a waitable 32-bit cell whose Notify costs no system call when nobody is
// parked, a spin-then-park policy, and cache-line padding.
//
// On Linux, parked waiters sleep on a futex. Elsewhere the futex is emulated
// by polling with a bounded back-off: correct, portable, but a parked waiter
// then notices a wake-up up to a millisecond late, and each sleeper polls.
package atomics
