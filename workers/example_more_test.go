package workers_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sharc-go/sharc/workers"
)

func ExampleNewTeam() {
	team := workers.NewTeam(4)
	defer team.Close()

	squares := make([]int, 10)
	// Chunks of at least 3 indices, run by the team's workers and the caller.
	team.For(len(squares), 3, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			squares[i] = i * i
		}
	})
	fmt.Println(team.Workers(), squares)
	// Output: 4 [0 1 4 9 16 25 36 49 64 81]
}

func ExampleDefaultTeam() {
	// The process-wide team: what the kernels use when no team is given.
	team := workers.DefaultTeam()
	cubes := make([]int, 1000)
	team.For(len(cubes), 100, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			cubes[i] = i * i * i
		}
	})
	fmt.Println(cubes[999])
	// Output: 997002999
}

func ExampleTask_Done() {
	p := workers.NewPool(workers.Options{Workers: 2})
	defer p.Close(context.Background())
	ctx := context.Background()

	task, err := workers.Submit(ctx, p, func(ctx context.Context) (string, error) {
		time.Sleep(10 * time.Millisecond)
		return "ready", nil
	})
	if err != nil {
		panic(err)
	}
	select {
	case <-task.Done():
		v, err := task.Wait(ctx) // returns at once after Done
		fmt.Println(v, err)
	case <-time.After(10 * time.Second):
		fmt.Println("too slow")
	}
	// Output: ready <nil>
}

func ExampleStreamBuffer() {
	p := workers.NewPool(workers.Options{Workers: 2})
	defer p.Close(context.Background())

	// At most one value waits between the task and this loop: the task
	// runs at the consumer's pace.
	seq := workers.Stream(context.Background(), p, func(ctx context.Context, yield func(int) bool) error {
		for i := 1; i <= 5; i++ {
			if !yield(i * 10) {
				return nil
			}
		}
		return nil
	}, workers.StreamBuffer(1))
	for v, err := range seq {
		if err != nil {
			panic(err)
		}
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output: 10 20 30 40 50
}
