package kernels

import (
	bin "encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/workers"
)

// vecSortTested is whether the tests run the vector quicksort: this CPU
// has it and the level switches (SHARC_NOAVX512, -noavx512 and those
// below) leave AVX-512 in. Without it the tests sort 64-bit elements with
// the radix sort, as on a CPU without AVX-512.
func vecSortTested() bool { return sortVecCPU && maxTestLevel() >= levelAVX512 }

func skipWithoutVecSort(t testing.TB) {
	if !vecSortTested() {
		t.Skip("no AVX-512 (on this CPU or left in by the level switches): Sort runs its radix sort only")
	}
}

// keyMaps are the key maps of the three kinds of 64-bit elements.
var keyMaps = []struct {
	name   string
	xa, xb uint64
}{{"signed", 0, 0}, {"unsigned", 0, 1 << 63}, {"float", math.MaxInt64, 0}}

// keysOf maps bit patterns to keys (the map is its own inverse).
func keysOf(a []int64, xa, xb uint64) []int64 {
	k := slices.Clone(a)
	unmap64(k, xa, xb)
	return k
}

func TestSortNet64(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, m := range keyMaps {
		for n := 0; n <= sortNetMax; n++ {
			for rep := range 8 {
				a := make([]int64, n+9)
				for i := range a {
					a[i] = int64(r.Uint64()) >> r.IntN(64)
					if rep%2 == 1 {
						a[i] = int64(r.IntN(3)) - 1
					}
					if rep%4 == 3 {
						// The extremes: MaxInt64 is also the padding.
						a[i] = []int64{math.MinInt64, math.MaxInt64, 0, -1}[r.IntN(4)]
					}
				}
				a[n+8] = 0x5a5a // past the end: must stay
				keys := keysOf(a[:n], m.xa, m.xb)
				slices.Sort(keys)
				want := keysOf(keys, m.xa, m.xb)
				tail := slices.Clone(a[n:])
				got := keysOf(a[:n], m.xa, m.xb)
				sortNet64(got, m.xa, m.xb)
				require.Equal(t, want, got, "%s n=%d", m.name, n)
				require.Equal(t, tail, a[n:], "n=%d: wrote past the end", n)
			}
		}
	}
}

func TestPartition64(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(5, 6))
	sizes := []int{128, 129, 135, 136, 191, 192, 193, 255, 256, 257, 300, 511, 512, 1000, 4099, 1<<16 + 1}
	for _, m := range keyMaps {
		for _, n := range sizes {
			for rep := range 20 {
				bitsOf := make([]int64, n)
				for i := range bitsOf {
					switch rep % 3 {
					case 0:
						bitsOf[i] = int64(r.Uint64())
					case 1:
						bitsOf[i] = int64(r.IntN(5))
					default:
						bitsOf[i] = int64(r.Uint64()) >> 40
					}
				}
				keys := keysOf(bitsOf, m.xa, m.xb)
				piv := keys[r.IntN(n)]
				if rep%5 == 4 {
					piv = slices.Min(keys) // nothing below the pivot
				}
				for _, mapped := range []bool{false, true} {
					var got []int64
					var lt int
					mn, mx := slices.Min(keys), slices.Max(keys)
					if mapped {
						got = slices.Clone(bitsOf)
						lt, mn, mx = partitionMap64(got, piv, m.xa, m.xb)
					} else {
						// Only the mapped partition reports the extremes.
						got = slices.Clone(keys)
						lt = partition64(got, piv)
					}
					name := fmt.Sprintf("%s n=%d rep=%d mapped=%v", m.name, n, rep, mapped)
					for i, k := range got {
						if (i < lt) != (k < piv) {
							require.Failf(t, "not partitioned", "%s: lt=%d, key %d at %d, pivot %d", name, lt, k, i, piv)
						}
					}
					require.Equal(t, slices.Min(keys), mn, name)
					require.Equal(t, slices.Max(keys), mx, name)
					w := slices.Clone(keys)
					slices.Sort(w)
					slices.Sort(got)
					require.Equal(t, w, got, "%s: not a permutation", name)
				}
			}
		}
	}
}

// vecShapes adds the inputs that stress a quicksort's pivots to sortShapes.
func vecShapes[T Number](r *rand.Rand, n int, gen func() T) map[string][]T {
	s := sortShapes(r, n, gen)
	base := s["sorted"]
	organ := make([]T, n)
	saw := make([]T, n)
	minHeavy := make([]T, n)
	for i := range n {
		organ[i] = base[min(i, n-1-i)]
		saw[i] = base[(i*37)%max(n/10, 1)]
		minHeavy[i] = base[0]
		if r.IntN(16) == 0 {
			minHeavy[i] = base[r.IntN(n)]
		}
	}
	s["organ"], s["sawtooth"], s["mostlyMin"] = organ, saw, minHeavy
	return s
}

func testVecSort[T Number](t *testing.T, gen func(r *rand.Rand) T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(7, 8))
	teams := []*workers.Team{workers.NewTeam(1), workers.NewTeam(2), workers.NewTeam(3)}
	defer func() {
		for _, tm := range teams {
			tm.Close()
		}
	}()
	sizes := []int{sortNetMax + 1, 200, 1000, 4097, 70001}
	if !raceOn {
		sizes = append(sizes, 300007)
	}
	for _, n := range sizes {
		for name, x := range vecShapes(r, n, func() T { return gen(r) }) {
			want := slices.Clone(x)
			slices.Sort(want)
			for ti, tm := range teams {
				big := n > 100000 || raceOn && n > 50000
				if big && (ti != 1 || name != "random" && name != "mostlyMin") {
					continue // covered by smaller sizes; keeps test runs short
				}
				for _, vec := range []bool{true, false} {
					if !vec && (ti != 1 || n > 100000) {
						continue // the radix sort on one team is enough here
					}
					t.Run(fmt.Sprintf("n%d/%s/team%d/vec=%v", n, name, ti+1, vec), func(t *testing.T) {
						got := slices.Clone(x)
						sortOf(tm, got, vec)
						requireSortedLike(t, x, want, got)
					})
				}
			}
		}
	}
}

func TestSortVec(t *testing.T) {
	t.Run("int64", func(t *testing.T) {
		testVecSort(t, func(r *rand.Rand) int64 { return int64(r.Uint64()) >> r.IntN(64) })
	})
	t.Run("uint64", func(t *testing.T) {
		testVecSort(t, func(r *rand.Rand) uint64 { return r.Uint64() >> r.IntN(64) })
	})
	t.Run("float64", func(t *testing.T) { testVecSort(t, floatGen[float64](50)) })
	t.Run("float64 no specials", func(t *testing.T) { testVecSort(t, floatGen[float64](1<<30)) })
}

// TestQuickSort64Depth runs out of partition depth at once, which hands
// the ranges to slices.Sort.
func TestQuickSort64Depth(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(9, 10))
	for _, m := range keyMaps {
		for _, depth := range []int{0, 1, 2} {
			a := make([]int64, 5000)
			for i := range a {
				a[i] = int64(r.Uint64())
			}
			keys := keysOf(a, m.xa, m.xb)
			slices.Sort(keys)
			want := keysOf(keys, m.xa, m.xb)
			got := keysOf(a, m.xa, m.xb)
			quickSort64(got, m.xa, m.xb, depth)
			require.Equal(t, want, got, "%s depth %d", m.name, depth)
		}
	}
}

// FuzzSortVec compares the vector quicksort with slices.Sort on float64,
// int64 and uint64 data taken from the input bytes (lengths past the
// network's 128, on a team of 1 to 4 workers). go test runs the seeds; a
// longer run: go test -run x -fuzz FuzzSortVec -fuzztime 60s ./kernels
func FuzzSortVec(f *testing.F) {
	seed := make([]byte, 8*1000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	f.Add(seed, uint8(1))
	f.Add(seed[:8*129], uint8(2))
	f.Add(seed[:8*300], uint8(3))
	nan := []byte("\x01\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00")
	f.Add(slices.Repeat(nan, 60), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, workersByte uint8) {
		skipWithoutVecSort(t)
		n := len(data) / 8
		if n <= sortNetMax {
			return
		}
		tm := workers.NewTeam(1 + int(workersByte)%4)
		defer tm.Close()
		x := make([]float64, n)
		y := make([]int64, n)
		z := make([]uint64, n)
		for i := range n {
			u := bin.LittleEndian.Uint64(data[8*i:])
			x[i], y[i], z[i] = math.Float64frombits(u), int64(u), u
		}
		want := slices.Clone(x)
		slices.Sort(want)
		got := slices.Clone(x)
		sortOf(tm, got, true)
		requireSortedLike(t, x, want, got)
		wy := slices.Clone(y)
		slices.Sort(wy)
		sortOf(tm, y, true)
		require.Equal(t, wy, y)
		wz := slices.Clone(z)
		slices.Sort(wz)
		sortOf(tm, z, true)
		require.Equal(t, wz, z)
	})
}

func TestCountNaN64(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(11, 12))
	specials := []uint64{0x7ff0000000000000, 0xfff0000000000000, 0x7ff0000000000001, 0xfff0000000000001,
		0x7ff8000000000000, 0xffffffffffffffff, 0x8000000000000000, 0, 0x7fefffffffffffff}
	for n := range 300 {
		u := make([]uint64, n)
		for i := range u {
			u[i] = r.Uint64()
			if r.IntN(3) == 0 {
				u[i] = specials[r.IntN(len(specials))]
			}
		}
		require.Equal(t, countNaN64Go(u), countNaN64(u), "n=%d", n)
	}
}

// TestParallelPartitionMap64 splits short inputs over teams of 2 to 5, so
// that the misplaced keys of several chunks trade places.
func TestParallelPartitionMap64(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(13, 14))
	for p := 2; p <= 5; p++ {
		tm := workers.NewTeam(p)
		for _, n := range []int{64 * p, 500, 1001, 5000} {
			for _, m := range keyMaps {
				for rep := range 6 {
					a := make([]int64, n)
					for i := range a {
						a[i] = int64(r.Uint64())
						if rep%2 == 1 {
							a[i] = int64(r.IntN(4))
						}
						if m.name == "float" {
							a[i] = int64(math.Float64bits(r.NormFloat64()))
						}
					}
					keys := keysOf(a, m.xa, m.xb)
					piv := keys[r.IntN(n)]
					got := slices.Clone(a)
					lt, mn, mx, nan := parallelPartitionMap64(tm, p, got, piv, m.xa, m.xb, m.name == "float")
					require.False(t, nan)
					name := fmt.Sprintf("p=%d n=%d %s rep=%d", p, n, m.name, rep)
					for i, k := range got {
						if (i < lt) != (k < piv) {
							require.Failf(t, "not partitioned", "%s: lt=%d, key %d at %d, pivot %d", name, lt, k, i, piv)
						}
					}
					require.Equal(t, slices.Min(keys), mn, name)
					require.Equal(t, slices.Max(keys), mx, name)
					slices.Sort(keys)
					slices.Sort(got)
					require.Equal(t, keys, got, "%s: not a permutation", name)
				}
			}
		}
		tm.Close()
	}
}

// TestParallelPartitionMapNaN puts NaNs in some blocks of the first
// partition: it must report them and leave a permutation of the bit
// patterns with the NaNs in their order.
func TestParallelPartitionMapNaN(t *testing.T) {
	skipWithoutVecSort(t)
	r := rand.New(rand.NewPCG(15, 16))
	xa, xb := keyMap64(sortFloat)
	for p := 2; p <= 4; p++ {
		tm := workers.NewTeam(p)
		for _, n := range []int{1000, 3*sortSplitBlock + 17} {
			for _, nans := range []int{1, 5, n / 10} {
				a := make([]int64, n)
				for i := range a {
					a[i] = int64(math.Float64bits(r.NormFloat64()))
				}
				for range nans {
					a[r.IntN(n)] = int64(math.Float64bits(math.NaN())) ^ int64(r.Uint64()&0xfffff) | int64(r.Uint64()&(1<<63))
				}
				var wantNaN []int64
				for _, v := range a {
					if math.IsNaN(math.Float64frombits(uint64(v))) {
						wantNaN = append(wantNaN, v)
					}
				}
				got := slices.Clone(a)
				piv := keysOf(a[n/2:n/2+1], xa, xb)[0]
				_, _, _, nan := parallelPartitionMap64(tm, p, got, piv, xa, xb, true)
				name := fmt.Sprintf("p=%d n=%d nans=%d", p, n, nans)
				require.True(t, nan, name)
				var gotNaN []int64
				for _, v := range got {
					if math.IsNaN(math.Float64frombits(uint64(v))) {
						gotNaN = append(gotNaN, v)
					}
				}
				require.Equal(t, wantNaN, gotNaN, "%s: NaN order", name)
				w := slices.Clone(a)
				slices.Sort(w)
				slices.Sort(got)
				require.Equal(t, w, got, "%s: not a permutation of the bit patterns", name)
			}
		}
		tm.Close()
	}
}
