//go:build race

package kernels

import (
	"runtime"
	"unsafe"
)

// raceEnabled tells tests to shorten their longest inputs.
const raceEnabled = true

// raceRead and raceWrite report the slices an assembly body reads or writes
// to the race detector, which cannot see inside assembly.
func raceRead[T any](x []T) {
	if len(x) > 0 {
		runtime.RaceReadRange(unsafe.Pointer(&x[0]), len(x)*int(unsafe.Sizeof(x[0])))
	}
}

func raceWrite[T any](x []T) {
	if len(x) > 0 {
		runtime.RaceWriteRange(unsafe.Pointer(&x[0]), len(x)*int(unsafe.Sizeof(x[0])))
	}
}
