package atomics

// Pause tells the core that the caller is in a spin-wait loop (PAUSE on
// amd64, nothing elsewhere).
func Pause() { pause() }
