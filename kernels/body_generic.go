//go:build !amd64 || noasm || purego

package kernels

var useAVX2 = false

func simdLevel() string { return "generic" }

func sumBody[T Number](x []T) T        { return sumGeneric(x) }
func dotBody[T Number](x, y []T) T     { return dotGeneric(x, y) }
func axpyBody[T Number](a T, x, y []T) { axpyGeneric(a, x, y) }
