package workers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/sharc-go/sharc/workers"
)

func ExampleGroup() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())

	// Fetch-style fan-out: at most 2 members in flight, the first failure
	// cancels the rest.
	g := workers.NewGroup(context.Background(), p, workers.GroupOptions{Limit: 2})
	var done atomic.Int32
	for _, name := range []string{"a", "b", "c", "d"} {
		g.Go(func(ctx context.Context) error {
			if name == "" {
				return errors.New("empty name")
			}
			done.Add(1)
			return nil
		})
	}
	fmt.Println(g.Wait(), done.Load())
	// Output: <nil> 4
}

func ExampleResultGroup() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())

	g := workers.NewResultGroup[string](context.Background(), p, workers.GroupOptions{})
	for _, w := range []string{"zero", "one", "two"} {
		g.Go(func(ctx context.Context) (string, error) { return strings.ToUpper(w), nil })
	}
	out, err := g.Wait() // in the order of Go, whatever order they ran in
	fmt.Println(out, err)
	// Output: [ZERO ONE TWO] <nil>
}

func ExampleMap() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())

	squares, err := workers.Map(context.Background(), p, []int{1, 2, 3, 4}, func(ctx context.Context, x int) (int, error) {
		return x * x, nil
	})
	fmt.Println(squares, err)
	// Output: [1 4 9 16] <nil>
}

func ExampleForEach() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())

	var total atomic.Int64
	err := workers.ForEach(context.Background(), p, slices.Values([]int{10, 20, 30}), func(ctx context.Context, x int) error {
		total.Add(int64(x))
		return nil
	})
	fmt.Println(total.Load(), err)
	// Output: 60 <nil>
}

func ExampleStream() {
	p := workers.NewPool(workers.Options{})
	defer p.Close(context.Background())

	// Partial sums of a buffer, as the task computes them.
	data := []float64{1, 2, 3, 4, 5, 6}
	partials := workers.Stream(context.Background(), p, func(ctx context.Context, yield func(float64) bool) error {
		sum := 0.0
		for i, x := range data {
			sum += x
			if i%2 == 1 && !yield(sum) {
				return ctx.Err() // the consumer stopped early
			}
		}
		return nil
	})
	for sum, err := range partials {
		if err != nil {
			fmt.Println("failed:", err)
			break
		}
		fmt.Println(sum)
	}
	// Output:
	// 3
	// 10
	// 21
}
