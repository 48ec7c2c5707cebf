// Command kernels prints sharc's GB/s for sum, dot and axpy on 2^26 float64
// (best of 5), in the format of bench/kernels/stream.c, so the two can be
// read side by side; bench/run -only kernels compares them in alternated
// paired rounds.
package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/sharc-go/sharc/kernels"
	"github.com/sharc-go/sharc/workers"
)

func main() {
	w := flag.Int("workers", 2, "workers")
	flag.Parse()
	const n = 1 << 26
	team := workers.NewTeam(*w)
	defer team.Close()
	x, y := make([]float64, n), make([]float64, n)
	team.For(n, 1<<16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i], y[i] = float64(i%7)*0.25, float64(i%5)*0.5
		}
	})
	best := func(f func()) float64 {
		b := time.Hour
		for range 5 {
			t := time.Now()
			f()
			b = min(b, time.Since(t))
		}
		return b.Seconds()
	}
	var sink float64
	fmt.Printf("sum %.3f\n", 8*n/best(func() { sink += kernels.SumOn(team, x) })/1e9)
	fmt.Printf("dot %.3f\n", 16*n/best(func() { sink += kernels.DotOn(team, x, y) })/1e9)
	fmt.Printf("axpy %.3f\n", 24*n/best(func() { kernels.AxpyOn(team, 1e-12, x, y) })/1e9)
	_ = sink
}
