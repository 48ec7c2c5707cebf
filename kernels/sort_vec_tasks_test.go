package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/workers"
)

// TestSortRanges sorts ranges of keys through the shared stack on teams of
// 1 to 4 workers: ranges below, at and above sortTaskMin, many duplicates,
// and ranges whose keys are all equal.
func TestSortRanges(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(11, 12))
	lengths := []int{sortNetMax + 1, 1000, sortTaskMin - 1, sortTaskMin, 3*sortTaskMin + 5, 50000}
	shapes := []struct {
		name string
		gen  func() int64
	}{
		{"random", func() int64 { return int64(r.Uint64()) }},
		{"few values", func() int64 { return int64(r.IntN(5)) }},
		{"one value", func() int64 { return -3 }},
	}
	for workersN := 1; workersN <= 4; workersN++ {
		tm := workers.NewTeam(workersN)
		for _, m := range keyMaps {
			for _, sh := range shapes {
				t.Run(fmt.Sprintf("team%d/%s/%s", workersN, m.name, sh.name), func(t *testing.T) {
					var all []int64
					for _, n := range lengths {
						for range n {
							all = append(all, sh.gen())
						}
					}
					// The ranges as keys, each to be sorted in place and
					// mapped back to bit patterns.
					keys := keysOf(all, m.xa, m.xb)
					var rs [][]int64
					want := make([]int64, 0, len(all))
					off := 0
					for _, n := range lengths {
						rs = append(rs, keys[off:off+n])
						s := slices.Clone(keys[off : off+n])
						slices.Sort(s)
						want = append(want, keysOf(s, m.xa, m.xb)...)
						off += n
					}
					sortRanges(tm, rs, m.xa, m.xb)
					require.Equal(t, want, keys)
				})
			}
		}
		tm.Close()
	}
}

// TestSortTasksDepth runs the shared stack's ranges out of partition
// depth, which hands them to slices.Sort.
func TestSortTasksDepth(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(13, 14))
	tm := workers.NewTeam(2)
	defer tm.Close()
	for _, m := range keyMaps {
		for _, depth := range []int{0, 1, 3} {
			a := make([]int64, 5*sortTaskMin)
			for i := range a {
				a[i] = int64(r.Uint64())
			}
			keys := keysOf(a, m.xa, m.xb)
			sorted := slices.Clone(keys)
			slices.Sort(sorted)
			want := keysOf(sorted, m.xa, m.xb)
			s := newSortTasks(2, m.xa, m.xb)
			s.push(1, keys, depth) // on the other worker's stack: worker 0 steals it
			tm.For(2, 1, func(lo, hi int) { s.work(lo) })
			require.Equal(t, want, keys, "%s depth %d", m.name, depth)
			require.Zero(t, s.live.Load())
		}
	}
}

// TestSortTasksFailed checks that a worker waiting for ranges stops when
// another one has failed, though its range is still counted as live.
func TestSortTasksFailed(t *testing.T) {
	s := newSortTasks(2, 0, 0)
	s.live.Add(1) // a range another worker took and will never finish
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.work(0)
	}()
	select {
	case <-done:
		t.Fatal("work returned while a range was live")
	case <-time.After(20 * time.Millisecond):
	}
	s.failed.Store(true)
	s.wakeAll()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("work did not return after a failure")
	}
}

func TestMedian3(t *testing.T) {
	for _, c := range []struct{ x, y, z, want int64 }{
		{1, 2, 3, 2}, {1, 3, 2, 2}, {2, 1, 3, 2}, {2, 3, 1, 2}, {3, 1, 2, 2}, {3, 2, 1, 2},
		{5, 5, 1, 5}, {1, 5, 5, 5}, {-1, -1, -1, -1}, {minInt64, maxInt64, 0, 0},
	} {
		require.Equal(t, c.want, median3(c.x, c.y, c.z), "median3(%d, %d, %d)", c.x, c.y, c.z)
	}
}

const (
	minInt64 = -1 << 63
	maxInt64 = 1<<63 - 1
)
