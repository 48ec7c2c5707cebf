package shm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sharc-go/sharc/shm"
)

// Every wait ends: with a wake-up, at once when the word no longer holds
// the expected value, or when its timeout or context runs out. The results
// print as the strings Atomics.wait returns.
func ExampleWaitResult() {
	r, _ := shm.New(4096)
	defer r.Close()
	w, _ := r.Uint32(0)

	res, err := w.Wait(1, time.Second) // the word holds 0, not 1
	fmt.Println(res, err)

	res, err = w.Wait(0, 10*time.Millisecond) // nobody notifies
	fmt.Println(res, err)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	res, err = w.WaitContext(ctx, 0)
	fmt.Println(res, errors.Is(err, context.DeadlineExceeded))
	// Output:
	// not-equal <nil>
	// timed-out <nil>
	// timed-out true
}

// A party that gives up breaks the barrier, so the others return ErrBroken
// instead of waiting for it; Reset readies the barrier for a new round.
func ExampleBarrier_Break() {
	r, _ := shm.New(4096)
	defer r.Close()
	b, _ := shm.NewBarrier(r, 0, 3)

	var wg sync.WaitGroup
	wg.Go(func() {
		err := b.Wait(context.Background()) // waits for two more parties
		fmt.Println("waiting party:", errors.Is(err, shm.ErrBroken))
	})
	// The second party gives up after a deadline: the barrier breaks.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := b.Wait(ctx)
	wg.Wait()
	fmt.Println("party that gave up:", errors.Is(err, context.DeadlineExceeded), b.Broken())

	b.Reset()
	fmt.Println("after Reset:", b.Broken(), b.Parties())
	// Output:
	// waiting party: true
	// party that gave up: true true
	// after Reset: false 3
}
