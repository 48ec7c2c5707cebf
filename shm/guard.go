package shm

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Guard runs fn and turns a memory fault inside it into an error matching
// ErrTruncated, instead of the SIGBUS or SIGSEGV that kills the process.
//
// Regions made by New are sealed against shrinking, so no process can pull
// their memory away. A named segment (Create, Open) or a file handed over by
// another process cannot be sealed: any process that can open it may
// truncate it, and the next access to a page past the new end faults. Wrap
// the code that reads or writes such a region in Guard:
//
//	err := shm.Guard(func() { total = kernels.Sum(view) })
//	if errors.Is(err, shm.ErrTruncated) { ... the peer broke the segment ... }
//
// Guard sets runtime/debug.SetPanicOnFault for the calling goroutine while
// fn runs and restores the previous setting afterwards. It covers only that
// goroutine: work that fn hands to other goroutines must guard itself. The
// parallel kernels run their loop bodies on workers.Team goroutines, which
// set SetPanicOnFault on their own goroutines and forward a fault to the
// caller of For as a panic, so Guard around a kernel call sees it.
//
// Any fault at a mapped address counts, including the PROT_NONE pages a
// guarded buffer leaves behind; a nil pointer dereference is not a fault of
// region memory and panics on as usual, as does any other panic of fn. The
// state fn leaves behind after a fault is whatever it had written so far.
func Guard(fn func()) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if v := recover(); v != nil {
			if e := faultError(v); e != nil {
				err = e
				return
			}
			panic(v)
		}
	}()
	fn()
	return nil
}

// faultError returns the error Guard reports for the panic value v of a
// memory fault, or nil if v is another panic.
func faultError(v any) error {
	re, ok := v.(runtime.Error)
	if !ok {
		return nil
	}
	a, ok := re.(interface{ Addr() uintptr })
	if !ok {
		return nil
	}
	return fmt.Errorf("%w: fault at address %#x", ErrTruncated, a.Addr())
}
