package workers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/sharc-go/sharc/internal/atomics"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForCoversEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		team := NewTeam(workers)
		for _, tc := range []struct{ n, grain int }{
			{0, 1}, {1, 1}, {7, 3}, {8, 8}, {9, 8}, {63, 1}, {65, 4}, {1000, 0}, {100003, 977},
		} {
			t.Run(fmt.Sprintf("w%d/n%d/g%d", workers, tc.n, tc.grain), func(t *testing.T) {
				hits := make([]int32, tc.n)
				team.For(tc.n, tc.grain, func(lo, hi int) {
					require.LessOrEqual(t, 0, lo)
					require.Less(t, lo, hi)
					require.LessOrEqual(t, hi, tc.n)
					if tc.grain > 0 {
						require.LessOrEqual(t, hi-lo, tc.grain)
					}
					for i := lo; i < hi; i++ {
						atomic.AddInt32(&hits[i], 1)
					}
				})
				for i, h := range hits {
					require.EqualValues(t, 1, h, "index %d", i)
				}
			})
		}
		team.Close()
	}
}

func TestNewTeamDefault(t *testing.T) {
	team := NewTeam(0)
	defer team.Close()
	assert.GreaterOrEqual(t, team.Workers(), 1)
	assert.Same(t, DefaultTeam(), DefaultTeam())
}

func TestPanicSurfacesAndTeamSurvives(t *testing.T) {
	team := NewTeam(3)
	defer team.Close()
	sentinel := errors.New("boom")
	for range 20 {
		func() {
			defer func() {
				v := recover()
				require.NotNil(t, v)
				p, ok := v.(*PanicError)
				require.True(t, ok, "%T", v)
				assert.Equal(t, sentinel, p.Value)
				assert.ErrorIs(t, p, sentinel)
				assert.NotEmpty(t, p.Stack)
			}()
			team.For(1000, 10, func(lo, hi int) {
				if lo == 500 {
					panic(sentinel)
				}
			})
		}()
	}
	var total atomic.Int64
	team.For(1000, 10, func(lo, hi int) { total.Add(int64(hi - lo)) })
	assert.EqualValues(t, 1000, total.Load())
	// Serial path (n <= grain) panics the same way.
	assert.Panics(t, func() { team.For(5, 10, func(lo, hi int) { panic("small") }) })
}

func TestNestedAndConcurrentFor(t *testing.T) {
	team := NewTeam(2)
	defer team.Close()
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				team.For(100, 7, func(lo, hi int) {
					team.For(hi-lo, 1, func(a, b int) { total.Add(int64(b - a)) })
				})
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 4*50*100, total.Load())
}

func TestCloseIdempotentAndForAfterClose(t *testing.T) {
	team := NewTeam(4)
	team.Close()
	team.Close()
	n := 0
	team.For(10, 1, func(lo, hi int) { n += hi - lo })
	assert.Equal(t, 10, n)
}

func ExampleTeam_For() {
	team := NewTeam(2)
	defer team.Close()
	x := make([]int, 1000)
	team.For(len(x), 100, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x[i] = i * i
		}
	})
	fmt.Println(x[999])
	// Output: 998001
}

func TestForDoesNotAllocate(t *testing.T) {
	team := NewTeam(2)
	defer team.Close()
	var sink atomic.Int64
	body := func(lo, hi int) { sink.Add(int64(hi - lo)) }
	for _, tc := range []struct{ n, grain int }{{2, 1}, {1000, 0}, {1000, 7}, {5, 10}} {
		allocs := testing.AllocsPerRun(200, func() { team.For(tc.n, tc.grain, body) })
		assert.Zero(t, allocs, "n=%d grain=%d", tc.n, tc.grain)
	}
}

func TestForEveryWorkerTakesPart(t *testing.T) {
	// Each chunk waits until all have started, so For can only return if
	// every worker ran one: the workers really are woken.
	for _, w := range []int{2, 3} {
		team := NewTeam(w)
		for range 200 {
			var started atomic.Int32
			team.For(w, 1, func(lo, hi int) {
				started.Add(1)
				for started.Load() < int32(w) {
					runtime.Gosched()
				}
			})
		}
		// And again after the workers have had time to park.
		time.Sleep(2 * teamSpinMax)
		var started atomic.Int32
		team.For(w, 1, func(lo, hi int) {
			started.Add(1)
			for started.Load() < int32(w) {
				runtime.Gosched()
			}
		})
		team.Close()
	}
}

func TestForManyLoopsWithPanics(t *testing.T) {
	// Back-to-back loops of varied shapes, some panicking, check the
	// per-loop bookkeeping (claims, done counter, panic slot).
	team := NewTeam(3)
	defer team.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		n, grain := r.IntN(50), r.IntN(8)
		bad := -1
		if i%7 == 0 && n > 0 {
			bad = r.IntN(n)
		}
		var total atomic.Int64
		f := func() {
			team.For(n, grain, func(lo, hi int) {
				total.Add(int64(hi - lo))
				if lo <= bad && bad < hi {
					panic(i)
				}
			})
		}
		if bad >= 0 {
			var pe *PanicError
			require.Panics(t, f)
			func() {
				defer func() { pe, _ = recover().(*PanicError) }()
				f()
			}()
			require.NotNil(t, pe)
			assert.Equal(t, i, pe.Value)
			total.Store(int64(n)) // f ran twice
		} else {
			f()
		}
		require.EqualValues(t, n, total.Load(), "loop %d n=%d grain=%d", i, n, grain)
	}
}

// BenchmarkForkJoinEmpty times one fork-join of an empty body over two
// chunks. With dynamic chunking the caller usually takes both chunks before
// the spinning worker sees the loop, so this is the cost a caller pays for a
// tiny loop; BenchmarkForkJoinBarrier times a loop in which both must work.
func BenchmarkForkJoinEmpty(b *testing.B) {
	const w = 2
	b.Run("team", func(b *testing.B) {
		team := NewTeam(w)
		defer team.Close()
		body := func(lo, hi int) {}
		for b.Loop() {
			team.For(w, 1, body)
		}
	})
	b.Run("waitgroup+go", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			for i := range w {
				wg.Add(1)
				go func(lo int) { defer wg.Done(); _ = lo }(i)
			}
			wg.Wait()
		}
	})
}

// BenchmarkForkJoinBarrier times a fork-join in which the caller and one
// other goroutine must each run a chunk: each chunk waits for the other to
// start. The go version runs chunk 0 on the caller too.
func BenchmarkForkJoinBarrier(b *testing.B) {
	const w = 2
	var started atomic.Int64
	var round int64
	body := func(lo, hi int) {
		target := round * w
		for started.Add(1); started.Load() < target; {
			atomics.Pause()
		}
	}
	b.Run("team", func(b *testing.B) {
		team := NewTeam(w)
		defer team.Close()
		started.Store(0)
		round = 0
		for b.Loop() {
			round++
			team.For(w, 1, body)
		}
	})
	b.Run("waitgroup+go", func(b *testing.B) {
		started.Store(0)
		round = 0
		for b.Loop() {
			round++
			var wg sync.WaitGroup
			for i := 1; i < w; i++ {
				wg.Add(1)
				go func(lo int) { defer wg.Done(); body(lo, lo+1) }(i)
			}
			body(0, 1)
			wg.Wait()
		}
	})
}

// gen's group and done each start a cache line (the Team's layout
// comment), so a worker picks up a loop with one miss and counts it with
// another.
func TestTeamLayout(t *testing.T) {
	const line = 64
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the pads are sized for 64-bit words")
	}
	for range 8 {
		tm := NewTeam(2)
		gen := uintptr(unsafe.Pointer(&tm.gen))
		assert.Zero(t, gen%line, "gen starts a line")
		end := uintptr(unsafe.Pointer(&tm.job)) + unsafe.Sizeof(tm.job)
		assert.LessOrEqual(t, end-gen, uintptr(line), "gen, left and job share gen's line")
		assert.Zero(t, uintptr(unsafe.Pointer(&tm.done))%line, "done starts a line")
		tm.Close()
	}
}
