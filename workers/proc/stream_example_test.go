//go:build linux

package proc_test

import (
	"context"
	"fmt"
	"strconv"

	"github.com/sharc-go/sharc/shm"
	"github.com/sharc-go/sharc/workers/proc"
)

func init() {
	// A task that reports its progress as it goes.
	proc.RegisterStream("example-progress", func(ctx context.Context, arg []byte, _ []*shm.Region, emit func([]byte) bool) error {
		for pct := 25; pct <= 100; pct += 25 {
			// ... a quarter of the work ...
			if !emit([]byte(strconv.Itoa(pct) + "%")) {
				return ctx.Err()
			}
		}
		return nil
	})
}

func ExamplePool_Stream() {
	p, err := proc.NewPool(proc.Options{Workers: 1})
	if err != nil {
		panic(err)
	}
	defer p.Close(context.Background())

	for item, err := range p.Stream(context.Background(), "example-progress", nil) {
		if err != nil {
			fmt.Println("failed:", err)
			break
		}
		fmt.Println(string(item))
	}
	// Output:
	// 25%
	// 50%
	// 75%
	// 100%
}
