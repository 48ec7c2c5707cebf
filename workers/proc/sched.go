//go:build linux

package proc

import (
	"context"
	"slices"
	"sync"
)

// sched hands children to calls. A call goes to the child with the fewest
// calls in flight, the first such in start order, so a lone caller keeps
// to one warm child; a child holds at most limit calls at once (its weight:
// a streaming call weighs limit, so it has its child to itself). Calls
// that find every child full wait their turn in order.
type sched struct {
	mu       sync.Mutex
	kids     []*child // children taking calls
	waiters  []*waiter
	limit    int
	maxTasks int // Options.MaxTasksPerWorker
}

type waiter struct {
	weight int
	busy   bool        // the child had calls in flight already
	ch     chan *child // receives the child, with weight added to its load
}

// pick returns the least loaded child that has room for weight more, with
// the weight added, or nil. A call that would wait behind another in a
// child's queue is queued: room, if not nil, is asked for a place in the
// pool's queue first. s.mu is held.
func (s *sched) pick(weight int, room func() bool) *child {
	var best *child
	for _, c := range s.kids {
		if c.load+weight <= s.limit && (best == nil || c.load < best.load) {
			best = c
		}
	}
	if best == nil || best.load > 0 && room != nil && !room() {
		return nil
	}
	best.load += weight
	if best.err == nil {
		best.assigned++
		if s.maxTasks > 0 && best.assigned >= s.maxTasks {
			// Its last call: it is recycled once its calls are answered.
			best.draining = true
			s.remove(best)
		}
	}
	return best
}

// serve hands children to the waiters that fit, in order, and reports
// whether it handed any. s.mu is held.
func (s *sched) serve() (served bool) {
	for len(s.waiters) > 0 {
		w := s.waiters[0]
		c := s.pick(w.weight, nil)
		if c == nil {
			return served
		}
		s.waiters = s.waiters[1:]
		w.busy = c.load > w.weight
		w.ch <- c
		served = true
	}
	return served
}

// tryGet returns a child with room for weight, or nil; see pick.
func (s *sched) tryGet(weight int, room func() bool) *child {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) > 0 {
		return nil // no overtaking
	}
	return s.pick(weight, room)
}

// waiters recycles the records of calls that waited for a child: get
// returns each with its channel empty, and nobody else holds it then
// (serve takes a waiter out of the line before it sends to it).
var waiters = sync.Pool{New: func() any { return &waiter{ch: make(chan *child, 1)} }}

// get waits for a child with room for weight until ctx ends or kill closes.
// busy reports that the call waits behind others in the child's queue.
func (s *sched) get(ctx context.Context, weight int, kill <-chan struct{}) (c *child, busy bool, err error) {
	w := waiters.Get().(*waiter)
	w.weight, w.busy = weight, false
	defer waiters.Put(w)
	s.mu.Lock()
	s.waiters = append(s.waiters, w)
	s.serve()
	s.mu.Unlock()
	select {
	case c := <-w.ch:
		return c, w.busy, nil
	case <-ctx.Done():
		err = notRun(ctx.Err())
	case <-kill:
		err = errClosedNotRun
	}
	s.mu.Lock()
	if i := slices.Index(s.waiters, w); i >= 0 {
		s.waiters = slices.Delete(s.waiters, i, i+1)
		s.mu.Unlock()
		return nil, false, err
	}
	s.mu.Unlock()
	// A child came meanwhile: it goes to the next caller.
	c = <-w.ch
	s.put(c, weight)
	return nil, false, err
}

// put takes weight off c's load and serves the waiters; it reports whether
// c is draining and now has no call left (then the caller retires it), and
// whether a waiter was handed a child.
func (s *sched) put(c *child, weight int) (retire, served bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.load -= weight
	if c.draining && c.load == 0 && !c.retired {
		c.retired = true
		retire = true
	}
	return retire, s.serve()
}

// add makes c take calls.
func (s *sched) add(c *child) {
	s.mu.Lock()
	s.kids = append(s.kids, c)
	s.serve()
	s.mu.Unlock()
}

// drain stops new calls going to c; put retires it once it holds none.
func (s *sched) drain(c *child) {
	s.mu.Lock()
	c.draining = true
	s.remove(c)
	s.mu.Unlock()
}

// drop takes c out for good (it died or broke); it reports whether this
// was the first drop, so one caller alone has a replacement started.
func (s *sched) drop(c *child) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remove(c)
	if c.retired {
		return false
	}
	c.retired = true
	return true
}

// remove takes c out of the children that take calls. s.mu is held.
func (s *sched) remove(c *child) {
	if i := slices.Index(s.kids, c); i >= 0 {
		s.kids = slices.Delete(s.kids, i, i+1)
	}
}

// clear forgets every child.
func (s *sched) clear() {
	s.mu.Lock()
	s.kids = nil
	s.mu.Unlock()
}
