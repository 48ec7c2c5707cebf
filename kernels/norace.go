//go:build !race

package kernels

func raceRead[T any](x []T)  {}
func raceWrite[T any](x []T) {}

const raceEnabled = false
