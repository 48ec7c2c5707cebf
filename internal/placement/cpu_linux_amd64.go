package placement

func lsl() (v uint32, ok bool)

// CPU returns the CPU the calling thread runs on, or -1 if it cannot
// tell cheaply. The thread may have moved by the time the caller looks.
//
// On linux/amd64 it reads the limit of the per-CPU segment the kernel
// sets up for the vDSO's getcpu, in a few nanoseconds and without a
// system call.
func CPU() int {
	v, ok := lsl()
	if !ok {
		return -1
	}
	return int(v & 0xfff)
}
