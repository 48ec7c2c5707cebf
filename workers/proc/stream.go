package proc

import (
	"context"
	"iter"

	"github.com/sharc-go/sharc/shm"
)

// streamBuffer is how many items a stream holds between the call and its
// consumer, besides what the child's result queue holds.
const streamBuffer = 16

// A StreamFunc is a task that sends many results: it calls emit with each
// one, in order, from the task's goroutine, and returns when done. emit
// returns false once the caller has stopped (then the task should return);
// it waits while the parent is not taking items, so a slow consumer slows
// the task. An item is at most about 1 MiB, like a call's result.
type StreamFunc func(ctx context.Context, arg []byte, regions []*shm.Region, emit func(item []byte) bool) error

// emitKey carries a call's emit function in the child, itemsKey the
// parent's item handler, both as context values: a call that streams
// nothing pays nothing for them.
type (
	emitKey  struct{}
	itemsKey struct{}
)

// RegisterStream makes fn callable by name with Pool.Stream (see Register).
// Called with Pool.Call, its items are discarded.
func RegisterStream(name string, fn StreamFunc) {
	Register(name, func(ctx context.Context, arg []byte, regions []*shm.Region) ([]byte, error) {
		emit, _ := ctx.Value(emitKey{}).(func([]byte) bool)
		if emit == nil {
			emit = func([]byte) bool { return ctx.Err() == nil }
		}
		return nil, fn(ctx, arg, regions, emit)
	})
	registryMu.Lock()
	streaming[name] = true
	registryMu.Unlock()
}

// deliverItem hands an item that arrived for the call of ctx to the
// call's stream, if it has one, waiting while the stream's buffer is full.
// The item lives in the child's receive buffer: the stream copies it.
func deliverItem(ctx context.Context, item []byte) {
	if deliver, ok := ctx.Value(itemsKey{}).(func([]byte)); ok {
		deliver(item)
	}
}

// Stream calls the task registered as fn with RegisterStream in a child and
// returns the sequence of its items, in order, as the task emits them. Each
// range over the sequence makes the call afresh. The items wait in a
// buffer of 16 (and in the child's result queue); when both are full the
// task's emit waits,
// so a slow consumer slows the task and memory stays bounded.
//
// The sequence ends after the last item; if the call failed, one more pair
// carries its error, as Call would return it (a *TaskError, ErrWorkerDied,
// ErrClosed, or ctx's error). A consumer that stops early cancels the call:
// the range statement ends at once, and the child is cancelled (and killed
// after the grace period if its task does not stop), as with a cancelled
// Call. A streaming call has its child to itself (Options.MaxInFlight does
// not apply to it).
func (p *Pool) Stream(ctx context.Context, fn string, arg []byte, regions ...RegionArg) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		items := make(chan []byte, streamBuffer)
		deliver := func(b []byte) {
			select {
			case items <- append([]byte(nil), b...):
			case <-ctx.Done():
			}
		}
		var err error
		go func() {
			defer close(items)
			_, err = p.Call(context.WithValue(ctx, itemsKey{}, deliver), fn, arg, regions...)
		}()
		for b := range items {
			if !yield(b, nil) {
				cancel()
				for range items { // until the call has returned
				}
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}
