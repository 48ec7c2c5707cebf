//go:build linux

package proc_test

import (
	"context"
	"fmt"
	"math"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

// Tasks are registered at package level (or in init), so the children,
// which run the same binary, register them too.
type vec struct{ X, Y float64 }

var norm = proc.RegisterT("example-norm", func(ctx context.Context, v vec, _ []*shm.Region) (float64, error) {
	return math.Hypot(v.X, v.Y), nil
})

// chunkMax returns the largest float64 of its chunk of the shared region.
var chunkMax = proc.RegisterT("example-chunk-max", func(ctx context.Context, c proc.Chunk, rs []*shm.Region) (float64, error) {
	xs, err := shm.View[float64](rs[0], 0, int(c.Hi))
	if err != nil {
		return 0, err
	}
	m := math.Inf(-1)
	for _, x := range xs[c.Lo:c.Hi] {
		m = max(m, x)
	}
	return m, nil
})

func ExampleRegisterT() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	n, err := norm.Call(context.Background(), p, vec{3, 4})
	fmt.Println(n, err)
	// Output: 5 <nil>
}

func ExampleMap() {
	r, _ := shm.New(8 * 10)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, 10)
	for i := range xs {
		xs[i] = float64((i * 7) % 10)
	}
	p, err := proc.NewPool(proc.Options{Workers: 2})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	// Chunks of 4 elements: [0,4) [4,8) [8,10), in order.
	maxima, err := proc.Map(context.Background(), p, chunkMax, r, len(xs), 4)
	fmt.Println(xs, maxima, err)
	// Output: [0 7 4 1 8 5 2 9 6 3] [7 9 6] <nil>
}

func ExampleGroup() {
	r, _ := shm.New(4096)
	defer r.Close()
	xs, _ := shm.View[float64](r, 0, 3)
	copy(xs, []float64{1, 2, 3})
	p, err := proc.NewPool(proc.Options{Workers: 2})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	g := proc.NewGroup(context.Background(), p, proc.GroupOptions{})
	var norms [3]float64
	for i, v := range []vec{{3, 4}, {6, 8}, {5, 12}} {
		g.Go(func(ctx context.Context) error {
			n, err := norm.Call(ctx, p, v)
			norms[i] = n
			return err
		})
	}
	g.Call("scale", nil, proc.Share(r)) // doubles xs in a child
	fmt.Println(g.Wait(), norms, xs)
	// Output: <nil> [5 10 13] [2 4 6]
}
