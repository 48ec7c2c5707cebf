// The parallel phase of Sort's vector quicksort: the ranges left by the
// first partition go to a shared stack, and the workers of one fork-join
// take ranges from it, partition them and push back the shorter sides.

package kernels

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sharc-go/sharc/workers"
)

// sortTaskMin is the length from which a range's shorter side goes to the
// shared stack rather than being sorted by the worker that split it. Small
// enough that the last ranges take tens of microseconds, so that the
// workers finish together; large enough that the stack's lock is taken
// once per thousands of keys.
const sortTaskMin = 1 << 12

// sortTasks is the stack of ranges (as keys) still to sort, shared by the
// workers of one Sort.
type sortTasks struct {
	mu      sync.Mutex
	more    sync.Cond // signalled, under mu, on a push, the last finish and a failure
	waiting int       // workers waiting on more, under mu
	stack   []sortTask
	xa, xb  uint64
	// live counts the ranges pushed and not yet sorted, the ones being
	// partitioned included: a worker that finds the stack empty waits for
	// more while it is above 0.
	live atomic.Int64
	// failed is set when a worker panics, so that the others stop waiting
	// for ranges it will never push.
	failed atomic.Bool
}

type sortTask struct {
	a     []int64
	depth int
}

// sortRanges sorts the keys of each range in rs (each longer than
// sortNetMax) on the workers of tm, taking and splitting ranges as they
// free up, and maps the keys back to bit patterns.
func sortRanges(tm *workers.Team, rs [][]int64, xa, xb uint64) {
	s := newSortTasks(xa, xb)
	// Longest last: popped first, so that both workers start on long ones.
	slices.SortFunc(rs, func(x, y []int64) int { return len(x) - len(y) })
	for _, a := range rs {
		s.push(a, sortDepth(len(a)))
	}
	tm.For(tm.Workers(), 1, func(lo, hi int) { s.work() })
}

// sortTaskSpin is how long a worker that finds the stack empty polls it
// before it sleeps: about the time a split of a range it could take lasts.
const sortTaskSpin = 20 * time.Microsecond

func newSortTasks(xa, xb uint64) *sortTasks {
	s := &sortTasks{xa: xa, xb: xb, stack: make([]sortTask, 0, 64)}
	s.more.L = &s.mu
	return s
}

func (s *sortTasks) push(a []int64, depth int) {
	s.live.Add(1)
	s.mu.Lock()
	s.stack = append(s.stack, sortTask{a, depth})
	if s.waiting > 0 {
		s.more.Signal()
	}
	s.mu.Unlock()
}

// finish counts a range as sorted, and wakes the waiting workers when it
// was the last.
func (s *sortTasks) finish() {
	if s.live.Add(-1) == 0 {
		s.wakeAll()
	}
}

func (s *sortTasks) wakeAll() {
	s.mu.Lock()
	s.more.Broadcast()
	s.mu.Unlock()
}

// pop takes the range pushed last: usually the one its pusher split most
// recently, still in cache.
func (s *sortTasks) pop() (sortTask, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.popLocked()
}

// popLocked is pop with mu held.
func (s *sortTasks) popLocked() (sortTask, bool) {
	n := len(s.stack)
	if n == 0 {
		return sortTask{}, false
	}
	t := s.stack[n-1]
	s.stack[n-1] = sortTask{}
	s.stack = s.stack[:n-1]
	return t, true
}

// work sorts ranges from the stack until every range is sorted.
func (s *sortTasks) work() {
	defer func() {
		if r := recover(); r != nil {
			s.failed.Store(true)
			s.wakeAll()
			panic(r)
		}
	}()
	for {
		t, ok := s.pop()
		if !ok {
			t, ok = s.await()
			if !ok {
				return
			}
		}
		s.sort(t.a, t.depth)
		s.finish()
	}
}

// await waits for a range to take while others are being split: polling
// for sortTaskSpin, then asleep until a push or the last finish. It
// reports false when every range is sorted or a worker failed.
func (s *sortTasks) await() (sortTask, bool) {
	start := time.Now()
	for time.Since(start) < sortTaskSpin {
		if s.live.Load() == 0 || s.failed.Load() {
			return sortTask{}, false
		}
		if t, ok := s.pop(); ok {
			return t, true
		}
		runtime.Gosched()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if t, ok := s.popLocked(); ok {
			return t, true
		}
		if s.live.Load() == 0 || s.failed.Load() {
			return sortTask{}, false
		}
		s.waiting++
		s.more.Wait()
		s.waiting--
	}
}

// sort is quickSort64 that pushes the shorter side of a split when it is
// long enough for another worker to take.
func (s *sortTasks) sort(a []int64, depth int) {
	for len(a) >= sortTaskMin {
		if depth == 0 {
			slices.Sort(a)
			unmap64(a, s.xa, s.xb)
			return
		}
		depth--
		l, r := splitKeys(a, s.xa, s.xb)
		if len(l) > len(r) {
			l, r = r, l
		}
		if len(l) >= sortTaskMin {
			s.push(l, depth)
		} else {
			quickSort64(l, s.xa, s.xb, depth)
		}
		a = r
	}
	quickSort64(a, s.xa, s.xb, depth)
}
