// The parallel phase of Sort's vector quicksort: the ranges left by the
// first partition go to the workers' stacks, and the workers of one
// fork-join take ranges from their own stack, partition them and push the
// shorter sides back; a worker whose stack is empty steals from another's.

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
// worker's stack rather than being sorted at once. Small enough that the
// last ranges take tens of microseconds, so that the workers finish
// together; large enough that a stack's lock is taken once per thousands
// of keys.
const sortTaskMin = 1 << 12

// sortTasks holds the ranges (as keys) still to sort of one Sort: a stack
// per worker. A worker pushes and pops at the top of its own stack, so that
// the range it takes next is the one it split last, still in its cache, and
// its lock stays in its cache too; a worker that runs dry steals from the
// bottom of another's, where the oldest and longest ranges are.
type sortTasks struct {
	stacks []sortStack
	xa, xb uint64
	// live counts the ranges pushed and not yet sorted, the ones being
	// partitioned included: a worker that finds every stack empty waits
	// for more while it is above 0.
	live atomic.Int64
	// failed is set when a worker panics, so that the others stop waiting
	// for ranges it will never push.
	failed atomic.Bool
	// waiting counts the workers asleep on more (or about to be); a push
	// or the last finish takes mu to wake them only when it is above 0.
	waiting atomic.Int32
	mu      sync.Mutex
	more    sync.Cond // signalled, under mu, on a push, the last finish and a failure
}

// sortStack is one worker's stack of ranges.
type sortStack struct {
	mu    sync.Mutex
	tasks []sortTask
	// n is len(tasks), for the workers that poll the stack without its
	// lock.
	n atomic.Int32
	_ [64]byte // the next stack's lock on a line of its own
}

type sortTask struct {
	a     []int64
	depth int
}

// sortRanges sorts the keys of each range in rs (each longer than
// sortNetMax) on the workers of tm, taking and splitting ranges as they
// free up, and maps the keys back to bit patterns.
func sortRanges(tm *workers.Team, rs [][]int64, xa, xb uint64) {
	p := tm.Workers()
	s := newSortTasks(p, xa, xb)
	// Longest first, dealt out in turn and pushed in reverse, so that each
	// worker starts on a long range at the top of its stack.
	slices.SortFunc(rs, func(x, y []int64) int { return len(y) - len(x) })
	for i := len(rs) - 1; i >= 0; i-- {
		s.push(i%p, rs[i], sortDepth(len(rs[i])))
	}
	tm.For(p, 1, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			s.work(w)
		}
	})
}

// sortTaskSpin is how long a worker that finds every stack empty polls
// them before it sleeps: about the time a split of a range it could take
// lasts.
const sortTaskSpin = 20 * time.Microsecond

func newSortTasks(p int, xa, xb uint64) *sortTasks {
	s := &sortTasks{xa: xa, xb: xb, stacks: make([]sortStack, p)}
	for i := range s.stacks {
		s.stacks[i].tasks = make([]sortTask, 0, 32)
	}
	s.more.L = &s.mu
	return s
}

// push puts a range on worker w's stack.
func (s *sortTasks) push(w int, a []int64, depth int) {
	s.live.Add(1)
	st := &s.stacks[w]
	st.mu.Lock()
	st.tasks = append(st.tasks, sortTask{a, depth})
	st.n.Store(int32(len(st.tasks)))
	st.mu.Unlock()
	if s.waiting.Load() > 0 {
		s.mu.Lock()
		s.more.Signal()
		s.mu.Unlock()
	}
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

// take returns the top range of worker w's stack or, if that is empty,
// the bottom range of another's.
func (s *sortTasks) take(w int) (sortTask, bool) {
	if t, ok := s.stacks[w].remove(false); ok {
		return t, true
	}
	for i := 1; i < len(s.stacks); i++ {
		if t, ok := s.stacks[(w+i)%len(s.stacks)].remove(true); ok {
			return t, true
		}
	}
	return sortTask{}, false
}

// remove takes the range pushed last or, with bottom, the one pushed
// first.
func (st *sortStack) remove(bottom bool) (sortTask, bool) {
	if st.n.Load() == 0 {
		return sortTask{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	n := len(st.tasks)
	if n == 0 {
		return sortTask{}, false
	}
	i := n - 1
	if bottom {
		i = 0
	}
	t := st.tasks[i]
	copy(st.tasks[i:], st.tasks[i+1:])
	st.tasks[n-1] = sortTask{}
	st.tasks = st.tasks[:n-1]
	st.n.Store(int32(n - 1))
	return t, true
}

// work sorts ranges as worker w until every range is sorted.
func (s *sortTasks) work(w int) {
	defer func() {
		if r := recover(); r != nil {
			s.failed.Store(true)
			s.wakeAll()
			panic(r)
		}
	}()
	for {
		t, ok := s.take(w)
		if !ok {
			t, ok = s.await(w)
			if !ok {
				return
			}
		}
		s.sort(w, t.a, t.depth)
		s.finish()
	}
}

// await waits for a range to take while others are being split: polling
// for sortTaskSpin, then asleep until a push or the last finish. It
// reports false when every range is sorted or a worker failed.
func (s *sortTasks) await(w int) (sortTask, bool) {
	start := time.Now()
	for time.Since(start) < sortTaskSpin {
		if s.live.Load() == 0 || s.failed.Load() {
			return sortTask{}, false
		}
		if t, ok := s.take(w); ok {
			return t, true
		}
		runtime.Gosched()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		// Counted as waiting before looking: a push after the look sees
		// the count and signals, which cannot come before the Wait
		// because it takes mu.
		s.waiting.Add(1)
		t, ok := s.take(w)
		if !ok && s.live.Load() > 0 && !s.failed.Load() {
			s.more.Wait()
		}
		s.waiting.Add(-1)
		if ok {
			return t, true
		}
		if s.live.Load() == 0 || s.failed.Load() {
			return sortTask{}, false
		}
	}
}

// sort is quickSort64 that pushes the shorter side of a split to worker
// w's stack when it is long enough for another worker to take.
func (s *sortTasks) sort(w int, a []int64, depth int) {
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
			s.push(w, l, depth)
		} else {
			quickSort64(l, s.xa, s.xb, depth)
		}
		a = r
	}
	quickSort64(a, s.xa, s.xb, depth)
}
