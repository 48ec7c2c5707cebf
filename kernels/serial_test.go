package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSerialBlocks checks that the caller-only path adds the same blocks in
// the same tree as blocked, bit for bit, at lengths around the block size
// and past the inputs its fixed buffer holds.
func TestSerialBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for _, n := range []int{0, 1, 17, block - 1, block, block + 1, 3*block + 5, 32 * block, 32*block + 1, 40*block + 17} {
		x := randF[float64](r, n)
		f := func(lo, hi int) float64 { return sumBody(cpuBodies, x[lo:hi]) }
		got, want := serialBlocks(n, f), blocked(serialOnly, nil, n, f)
		assert.Equal(t, math.Float64bits(want), math.Float64bits(got), "n=%d: %v vs %v", n, got, want)
	}
}

// TestCallerPathAllocatesNothing: Sum, Dot, Norm2, NanSum and Axpy on inputs that
// stay on the caller (below the team's split) allocate nothing.
func TestCallerPathAllocatesNothing(t *testing.T) {
	for _, n := range []int{0, 1000, block, 1<<14 + 3} {
		x, y := make([]float64, n), make([]float64, n)
		x32, y32 := make([]float32, n), make([]float32, n)
		xi := make([]int64, n)
		for name, f := range map[string]func(){
			"Sum":           func() { Sum(x) },
			"Dot":           func() { Dot(x, y) },
			"Norm2":         func() { Norm2(x) },
			"Axpy":          func() { Axpy(2, x, y) },
			"Sum[float32]":  func() { Sum(x32) },
			"Dot[float32]":  func() { Dot(x32, y32) },
			"Axpy[float32]": func() { Axpy(2, x32, y32) },
			"Sum[int64]":    func() { Sum(xi) },
		} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				assert.Zero(t, testing.AllocsPerRun(20, f))
			})
		}
	}
}
