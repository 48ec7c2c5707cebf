package shm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/sharc-go/sharc/shm"
)

// A queue between a producer and a consumer. Here both are goroutines of
// one process; across processes the consumer would map the same region
// (OpenFile on an inherited descriptor, or Open by name) and call OpenQueue
// at the same offset.
func ExampleQueue() {
	r, err := shm.New(shm.QueueSize(4096))
	if err != nil {
		panic(err)
	}
	defer r.Close()
	q, err := shm.NewQueue(r, 0, 4096, 0) // 0: the largest message the ring allows
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	var wg sync.WaitGroup
	wg.Go(func() {
		in, err := shm.OpenQueue(r, 0) // what the other process would do
		if err != nil {
			panic(err)
		}
		buf := make([]byte, in.MaxMessage())
		for {
			n, err := in.Receive(ctx, buf)
			if errors.Is(err, shm.ErrQueueClosed) {
				fmt.Println("consumer: closed")
				return
			}
			if err != nil {
				panic(err)
			}
			fmt.Printf("consumer: %s\n", buf[:n])
		}
	})
	for _, msg := range []string{"hello", "from", "the producer"} {
		if err := q.Send(ctx, []byte(msg)); err != nil {
			panic(err)
		}
	}
	q.Close() // the consumer drains what was sent, then sees ErrQueueClosed
	wg.Wait()
	// Output:
	// consumer: hello
	// consumer: from
	// consumer: the producer
	// consumer: closed
}

// Reserve and Commit let the producer build a message in the ring itself,
// and Borrow and Release let the consumer read it there: the payload is
// never copied.
func ExampleQueue_Reserve() {
	r, _ := shm.New(shm.QueueSize(1024))
	defer r.Close()
	out, _ := shm.NewQueue(r, 0, 1024, 64)
	in, _ := shm.OpenQueue(r, 0)
	ctx := context.Background()

	slot, err := out.Reserve(ctx, 64) // room for up to 64 bytes
	if err != nil {
		panic(err)
	}
	n := copy(slot, "built in place")
	out.Commit(n) // publish only the bytes written

	msg, err := in.Borrow(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q; the ring holds %d bytes (record header and padding included)\n", msg, in.Len())
	in.Release() // give the space back to the producer
	fmt.Println("after Release:", in.Len(), "of", in.Cap(), "bytes queued")
	// Output:
	// "built in place"; the ring holds 24 bytes (record header and padding included)
	// after Release: 0 of 1024 bytes queued
}

// Receive copies a message out and frees its space at once; Borrow hands it
// out in place until Release. Each message is consumed by exactly one of
// them, in order.
func ExampleQueue_Release() {
	r, _ := shm.New(shm.QueueSize(256))
	defer r.Close()
	out, _ := shm.NewQueue(r, 0, 256, 0)
	in, _ := shm.OpenQueue(r, 0)
	ctx := context.Background()
	for _, m := range []string{"one", "two", "three"} {
		_ = out.Send(ctx, []byte(m))
	}

	buf := make([]byte, 8)
	n, _ := in.Receive(ctx, buf) // copied out
	fmt.Printf("received %s\n", buf[:n])

	msg, _ := in.Borrow(ctx) // read in place
	fmt.Printf("borrowed %s\n", msg)
	in.Release()

	_, err := in.Receive(ctx, buf[:2]) // too short: the message stays queued
	fmt.Println(errors.Is(err, io.ErrShortBuffer))
	n, _ = in.Receive(ctx, buf)
	fmt.Printf("received %s\n", buf[:n])
	fmt.Println("max message in a 256-byte ring:", shm.MaxQueueMessage(256) == out.MaxMessage())
	// Output:
	// received one
	// borrowed two
	// true
	// received three
	// max message in a 256-byte ring: true
}

// A request and reply exchange through two queues. RepliesTo tells the
// replies' queue which requests it answers, so that a wait for a reply to
// a request that woke a sleeping peer spins through the peer's wake-up.
func ExampleQueue_RepliesTo() {
	r, _ := shm.New(2 * shm.QueueSize(1024))
	defer r.Close()
	requests, _ := shm.NewQueue(r, 0, 1024, 0)
	replies, _ := shm.NewQueue(r, shm.QueueSize(1024), 1024, 0)
	replies.RepliesTo(requests)
	ctx := context.Background()

	var wg sync.WaitGroup
	wg.Go(func() { // the peer, usually another process
		in, _ := shm.OpenQueue(r, 0)
		out, _ := shm.OpenQueue(r, shm.QueueSize(1024))
		buf := make([]byte, in.MaxMessage())
		for {
			n, err := in.Receive(ctx, buf)
			if err != nil {
				out.Close()
				return
			}
			_ = out.Send(ctx, append([]byte("re: "), buf[:n]...))
		}
	})
	buf := make([]byte, replies.MaxMessage())
	for _, q := range []string{"one", "two"} {
		_ = requests.Send(ctx, []byte(q))
		n, _ := replies.Receive(ctx, buf)
		fmt.Printf("%s\n", buf[:n])
	}
	requests.Close()
	wg.Wait()
	// Output:
	// re: one
	// re: two
}
