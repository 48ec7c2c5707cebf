package kernels_test

import (
	"fmt"
	"strings"

	"github.com/sharc-go/sharc/kernels"
)

// The element-wise kernels write into dst, which may be one of the inputs.
func ExampleAdd() {
	x := []float32{1, 2, 3, 4}
	y := []float32{10, 20, 30, 40}
	dst := make([]float32, len(x))
	kernels.Add(dst, x, y)
	fmt.Println(dst)
	kernels.Sub(dst, dst, x) // in place: dst = dst - x
	fmt.Println(dst)
	kernels.Mul(dst, dst, x)
	kernels.Scale(0.5, dst)
	fmt.Println(dst)
	// Output:
	// [11 22 33 44]
	// [10 20 30 40]
	// [5 20 45 80]
}

// Map runs any function over a slice in parallel, into a slice of another
// type.
func ExampleMap() {
	words := []string{"shared", "memory", "go"}
	lengths := make([]int, len(words))
	kernels.Map(lengths, words, func(s string) int { return len(s) })
	fmt.Println(lengths)
	// Output: [6 6 2]
}

// Reduce folds with any associative function; the chunking depends on the
// length alone, so even a non-commutative fold gives the same answer on any
// number of workers.
func ExampleReduce() {
	parts := strings.Split("a b c d e f g h", " ")
	joined := kernels.Reduce(parts, "", func(a, b string) string { return a + b })
	fmt.Println(joined)
	// Output: abcdefgh
}
