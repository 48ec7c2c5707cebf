package atomics

// pause executes the PAUSE instruction: it tells the core this is a spin-wait
// loop, saving power and the pipeline flush when the awaited store arrives.
//
//go:noescape
func pause()
