package workers

import (
	"context"
	"sync"
)

// resultChunk is how many result slots a ResultGroup allocates at a time.
// A member writes its value straight into its slot, so slots must not move
// while members run: they live in fixed chunks, joined into one slice by
// Wait.
const resultChunk = 256

// A ResultGroup is a Group whose members return a value: Wait returns the
// values in the order the members were started. A member that failed
// leaves what it returned in its place, one that never ran the zero value. The values are kept in
// chunks of slots, not one allocation per member.
type ResultGroup[T any] struct {
	g      group
	mu     sync.Mutex
	chunks [][]T
	n      int
}

// NewResultGroup returns a result group whose members run on p (each on a
// goroutine of its own when p is nil), configured like NewGroup.
func NewResultGroup[T any](ctx context.Context, p *Pool, opts GroupOptions) *ResultGroup[T] {
	r := &ResultGroup[T]{}
	r.g.init(ctx, p, opts)
	return r
}

// Context returns the group's context (see Group.Context).
func (r *ResultGroup[T]) Context() context.Context { return r.g.ctx }

// SetLimit sets the limit of members in flight (see Group.SetLimit).
func (r *ResultGroup[T]) SetLimit(n int) { r.g.setLimit(n) }

// slot reserves the next result slot.
func (r *ResultGroup[T]) slot() *T {
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.n % resultChunk
	if i == 0 {
		r.chunks = append(r.chunks, make([]T, resultChunk))
	}
	r.n++
	return &r.chunks[len(r.chunks)-1][i]
}

// resultMember is a ResultGroup's member: its value goes to its slot.
type resultMember[T any] struct {
	memberState
	slot *T
	fn   func(ctx context.Context) (T, error)
}

func (m *resultMember[T]) call(ctx context.Context) (err error) {
	m.ran = true
	defer m.guard(&err)
	*m.slot, err = m.fn(ctx)
	m.normal = true
	return err
}

// Go starts fn as the next member (see Group.Go); its value goes to the
// next place of Wait's slice.
func (r *ResultGroup[T]) Go(fn func(ctx context.Context) (T, error)) {
	ok, dropped := r.g.acquire(true)
	if !ok && !dropped {
		return
	}
	slot := r.slot()
	if ok {
		r.g.launch(&resultMember[T]{memberState{g: &r.g}, slot, fn}, true)
	}
}

// TryGo is Go that does not wait (see Group.TryGo). When it reports false
// no place is taken in Wait's slice.
func (r *ResultGroup[T]) TryGo(fn func(ctx context.Context) (T, error)) bool {
	if ok, _ := r.g.acquire(false); !ok {
		return false
	}
	// Members started concurrently with TryGo could take the slots after
	// this one, so the slot is reserved under the same lock that gives it
	// back.
	r.mu.Lock()
	defer r.mu.Unlock()
	i := r.n % resultChunk
	if i == 0 {
		r.chunks = append(r.chunks, make([]T, resultChunk))
	}
	slot := &r.chunks[len(r.chunks)-1][i]
	if !r.g.launch(&resultMember[T]{memberState{g: &r.g}, slot, fn}, false) {
		return false
	}
	r.n++
	return true
}

// Wait waits for every member and returns their values in the order they
// were started, with the error Group.Wait would return. Calling it again
// returns a new slice with the same values.
func (r *ResultGroup[T]) Wait() ([]T, error) {
	err := r.g.wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, r.n)
	for _, c := range r.chunks {
		out = append(out, c[:min(len(c), r.n-len(out))]...)
	}
	return out, err
}
