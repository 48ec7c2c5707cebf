package kernels

import (
	bin "encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/workers"
)

// sortSizes are the lengths every type is sorted at: awkward small ones
// (slices.Sort's path), the radix path on one worker and on the team, and
// one larger than the L3 cache (float64 and int64 only, see below).
var sortSizes = []int{0, 1, 7, 8, 9, 63, 65, 1000, 1<<12 - 1, 1 << 12, 5000, 70001}

// bigSortSize is larger than this machine's caches for 8-byte elements.
const bigSortSize = 5 << 20

// requireSortedLike checks got against want = slices.Sort's result. Floats
// must match bit for bit, except that slices.Sort is not stable, so it may
// order -0 and +0 and the NaNs differently: NaNs must fill the same prefix
// (in orig's order, as documented), and each run of zeros must hold the
// same number of -0s, all before the +0s.
func requireSortedLike[T Number](t *testing.T, orig, want, got []T) {
	t.Helper()
	require.Len(t, got, len(want))
	if !isFloatType[T]() {
		for i := range want {
			if want[i] != got[i] {
				require.Equal(t, want[i], got[i], "index %d of %d", i, len(want))
			}
		}
		return
	}
	var origNaNs []uint64
	for _, v := range orig {
		if v != v {
			origNaNs = append(origNaNs, floatBits(v))
		}
	}
	for i, v := range origNaNs {
		require.True(t, got[i] != got[i], "index %d: want NaN, got %v", i, got[i])
		require.Equal(t, v, floatBits(got[i]), "NaN %d out of order", i)
	}
	negZeros, gotNegZeros, zeroRun, zeroStart := 0, 0, false, 0
	for i := len(origNaNs); i < len(want); i++ {
		w, g := want[i], got[i]
		require.False(t, w != w, "slices.Sort left a NaN at %d", i)
		if w == 0 {
			if !zeroRun {
				zeroStart = i
			}
			require.True(t, g == 0, "index %d of %d: want 0, got %v", i, len(want), g)
			if math.Signbit(float64(w)) {
				negZeros++
			}
			if math.Signbit(float64(g)) {
				if gotNegZeros != i-zeroStart {
					require.Equal(t, gotNegZeros, i-zeroStart, "index %d: -0 after +0", i)
				}
				gotNegZeros++
			}
			zeroRun = true
			continue
		}
		if zeroRun {
			require.Equal(t, negZeros, gotNegZeros, "count of -0")
			zeroRun = false
		}
		if floatBits(w) != floatBits(g) {
			require.Equal(t, w, g, "index %d of %d", i, len(want))
		}
	}
	require.Equal(t, negZeros, gotNegZeros, "count of -0")
}

func floatBits[T Number](v T) uint64 {
	if unsafe.Sizeof(v) == 4 {
		return uint64(math.Float32bits(float32(v)))
	}
	return math.Float64bits(float64(v))
}

// sortShapes turns random data into the inputs a sort must get right.
func sortShapes[T Number](r *rand.Rand, n int, gen func() T) map[string][]T {
	random := make([]T, n)
	for i := range random {
		random[i] = gen()
	}
	dups := make([]T, n)
	few := []T{gen(), gen(), gen()}
	for i := range dups {
		dups[i] = few[r.IntN(len(few))]
	}
	sorted := slices.Clone(random)
	slices.Sort(sorted)
	reversed := slices.Clone(sorted)
	slices.Reverse(reversed)
	equal := make([]T, n)
	for i := range equal {
		equal[i] = few[0]
	}
	return map[string][]T{"random": random, "duplicates": dups, "sorted": sorted, "reversed": reversed, "equal": equal}
}

// testSortType sorts the shapes at sortSizes; size 1 adds 1000003, size 2
// bigSortSize too (random data only, and not under -race).
func testSortType[T Number](t *testing.T, gen func(r *rand.Rand) T, size int) {
	r := rand.New(rand.NewPCG(11, uint64(unsafe.Sizeof(T(0)))))
	teams := []*workers.Team{workers.NewTeam(1), workers.NewTeam(3)}
	defer func() {
		for _, tm := range teams {
			tm.Close()
		}
	}()
	sizes := slices.Clone(sortSizes)
	if size >= 2 || size >= 1 && !raceOn {
		sizes = append(sizes, 1000003)
	}
	if size >= 2 && !raceOn {
		sizes = append(sizes, bigSortSize)
	}
	for _, n := range sizes {
		for name, x := range sortShapes(r, n, func() T { return gen(r) }) {
			if n > 100000 && name != "random" || raceOn && n > 50000 && name != "random" && name != "duplicates" {
				continue // keep -race runs short
			}
			want := slices.Clone(x)
			slices.Sort(want)
			for ti, tm := range append([]*workers.Team{nil}, teams...) {
				if n >= 100000 && ti == 1 || raceOn && n > 50000 && ti > 0 {
					continue // covered by smaller sizes; keeps -race runs short
				}
				t.Run(fmt.Sprintf("n%d/%s/team%d", n, name, ti), func(t *testing.T) {
					got := slices.Clone(x)
					sortOn(tm, got, vecSortTested())
					requireSortedLike(t, x, want, got)
					if n > 0 && n < sortSerialBelow {
						// The radix path on its own, below the cut-over.
						got = slices.Clone(x)
						radixSortOf(teamOf(tm), got)
						requireSortedLike(t, x, want, got)
					}
				})
			}
		}
	}
}

// floatGen returns normal numbers spread over many binades, with specials
// mixed in at rate 1/every.
func floatGen[T Float](every int) func(r *rand.Rand) T {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1),
		math.MaxFloat64, -math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64,
		math.Float64frombits(0xFFF8000000000001), math.Float64frombits(0x7FF0000000000001)}
	return func(r *rand.Rand) T {
		if r.IntN(every) == 0 {
			return T(specials[r.IntN(len(specials))])
		}
		return T(r.NormFloat64() * math.Exp(r.NormFloat64()*5))
	}
}

type myInt32 int32

func TestSortEveryType(t *testing.T) {
	u64 := func(r *rand.Rand) uint64 { return r.Uint64() }
	t.Run("float64", func(t *testing.T) { testSortType(t, floatGen[float64](20), 2) })
	t.Run("float32", func(t *testing.T) { testSortType(t, floatGen[float32](20), 1) })
	t.Run("float64-nonans", func(t *testing.T) {
		testSortType(t, func(r *rand.Rand) float64 { return r.NormFloat64() * 1e6 }, 1)
	})
	t.Run("int64", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int64 { return int64(u64(r)) }, 2) })
	t.Run("int", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int { return int(u64(r)) }, 1) })
	t.Run("int32", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int32 { return int32(u64(r)) }, 1) })
	t.Run("myInt32", func(t *testing.T) { testSortType(t, func(r *rand.Rand) myInt32 { return myInt32(u64(r)) }, 1) })
	t.Run("int16", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int16 { return int16(u64(r)) }, 1) })
	t.Run("int8", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int8 { return int8(u64(r)) }, 1) })
	t.Run("uint64", func(t *testing.T) { testSortType(t, u64, 1) })
	t.Run("uint", func(t *testing.T) { testSortType(t, func(r *rand.Rand) uint { return uint(u64(r)) }, 1) })
	t.Run("uintptr", func(t *testing.T) { testSortType(t, func(r *rand.Rand) uintptr { return uintptr(u64(r)) }, 1) })
	t.Run("uint32", func(t *testing.T) { testSortType(t, func(r *rand.Rand) uint32 { return uint32(u64(r)) }, 1) })
	t.Run("uint16", func(t *testing.T) { testSortType(t, func(r *rand.Rand) uint16 { return uint16(u64(r)) }, 1) })
	t.Run("uint8", func(t *testing.T) { testSortType(t, func(r *rand.Rand) uint8 { return uint8(u64(r)) }, 1) })
	// Narrow ranges: most digits constant, buckets huge and split again.
	t.Run("int-small-range", func(t *testing.T) { testSortType(t, func(r *rand.Rand) int { return r.IntN(100) - 50 }, 1) })
	t.Run("uint64-high-bits", func(t *testing.T) {
		testSortType(t, func(r *rand.Rand) uint64 { return u64(r) &^ (1<<40 - 1) }, 1)
	})
	t.Run("float64-one-binade", func(t *testing.T) {
		testSortType(t, func(r *rand.Rand) float64 { return 1 + r.Float64() }, 1)
	})
}

func TestSortZerosAndNaNs(t *testing.T) {
	negZero := math.Copysign(0, -1)
	nan1, nan2 := math.Float64frombits(0x7FF8000000000001), math.Float64frombits(0xFFF8000000000002)
	for _, n := range []int{9, 5000, 100000} {
		x := make([]float64, n)
		for i := range x {
			switch i % 4 {
			case 0:
				x[i] = negZero
			case 1:
				x[i] = nan1
			case 2:
				x[i] = nan2
			}
		}
		orig := slices.Clone(x)
		sortOn(nil, x, vecSortTested())
		nans := (n+2)/4 + (n+1)/4
		for i := range nans {
			require.True(t, math.IsNaN(x[i]))
		}
		// NaNs keep their order: nan1, nan2, nan1, ...
		j := 0
		for _, v := range orig {
			if v != v {
				require.Equal(t, math.Float64bits(v), math.Float64bits(x[j]))
				j++
			}
		}
		zeros := x[nans:]
		negs := (n + 3) / 4
		for i, v := range zeros {
			require.Zero(t, v)
			require.Equal(t, i < negs, math.Signbit(v), "zero %d of n=%d", i, n)
		}
	}
}

func TestSortBucketSplits(t *testing.T) {
	// A small bucketMax makes the recursive split run at every level on
	// modest inputs, for each key width.
	defer func(v int) { bucketMax = v }(bucketMax)
	r := rand.New(rand.NewPCG(3, 3))
	for _, bm := range []int{1, 40, 300} {
		bucketMax = bm
		for _, n := range []int{2, 33, 1000, 20000} {
			f := floatGen[float64](30)
			x := make([]float64, n)
			y := make([]int32, n)
			z := make([]uint16, n)
			for i := range x {
				x[i], y[i], z[i] = f(r), int32(r.Uint32())>>r.IntN(32), uint16(r.Uint32())
			}
			for _, tm := range []*workers.Team{nil} {
				check := func(x []float64) {
					want := slices.Clone(x)
					slices.Sort(want)
					got := slices.Clone(x)
					radixSortOf(teamOf(tm), got)
					requireSortedLike(t, x, want, got)
				}
				check(x)
				wy := slices.Clone(y)
				slices.Sort(wy)
				radixSortOf(teamOf(tm), y)
				require.Equal(t, wy, y)
				wz := slices.Clone(z)
				slices.Sort(wz)
				radixSortOf(teamOf(tm), z)
				require.Equal(t, wz, z)
			}
		}
	}
}

func TestSortConcurrent(t *testing.T) {
	// Sorts from several goroutines share the team and the scratch pool.
	tm := workers.NewTeam(2)
	defer tm.Close()
	done := make(chan []int64)
	for g := range 4 {
		go func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			x := make([]int64, 200000+g)
			for i := range x {
				x[i] = int64(r.Uint64())
			}
			sortOn(tm, x, vecSortTested())
			done <- x
		}()
	}
	for range 4 {
		require.True(t, slices.IsSorted(<-done))
	}
}

// FuzzSort compares the radix sort (the cut-over to slices.Sort bypassed,
// buckets split often) with slices.Sort on float64 and int64 data taken
// from the input bytes. go test runs the seeds; a longer run:
// go test -run x -fuzz FuzzSort -fuzztime 60s ./kernels
func FuzzSort(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add([]byte("\x00\x00\x00\x00\x00\x00\xf8\x7f\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00\x00\xf0\xff"), uint8(1))
	seed := make([]byte, 8*300)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range seed {
		seed[i] = byte(r.Uint32())
	}
	f.Add(seed, uint8(7))
	f.Add(seed[:8*37], uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		defer func(v int) { bucketMax = v }(bucketMax)
		bucketMax = int(split)
		n := len(data) / 8
		x := make([]float64, n)
		y := make([]int64, n)
		for i := range n {
			u := bin.LittleEndian.Uint64(data[8*i:])
			x[i], y[i] = math.Float64frombits(u), int64(u)
		}
		want := slices.Clone(x)
		slices.Sort(want)
		got := slices.Clone(x)
		radixSortOf(workers.DefaultTeam(), got)
		requireSortedLike(t, x, want, got)
		wy := slices.Clone(y)
		slices.Sort(wy)
		radixSortOf(workers.DefaultTeam(), y)
		require.Equal(t, wy, y)
	})
}

func BenchmarkSortTypes(b *testing.B) {
	const n = 1 << 22
	r := rand.New(rand.NewPCG(1, 1))
	f := make([]float64, n)
	i := make([]int64, n)
	for k := range f {
		f[k], i[k] = r.NormFloat64()*1e6, int64(r.Uint64())
	}
	benchSort(b, "float64", f)
	benchSort(b, "int64", i)
}

// BenchmarkSortSkewed sorts 2^22 float64 of which three in four lie in
// one narrow range, so one MSD bucket holds them: the team splits it
// instead of leaving it to one worker. Compare with BenchmarkSortTypes.
func BenchmarkSortSkewed(b *testing.B) {
	const n = 1 << 22
	r := rand.New(rand.NewPCG(1, 1))
	f := make([]float64, n)
	for k := range f {
		f[k] = 1000 + r.Float64()*1e-3
		if k%4 == 0 {
			f[k] = r.NormFloat64() * 1e6
		}
	}
	benchSort(b, "float64-skew75", f)
}

func benchSort[T Number](b *testing.B, name string, src []T) {
	x := make([]T, len(src))
	for _, c := range []struct {
		name string
		f    func([]T)
	}{{"slices.Sort", slices.Sort[[]T]}, {"kernel", Sort[T]}} {
		b.Run(name+"/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)) * int64(unsafe.Sizeof(src[0])))
			for b.Loop() {
				copy(x, src)
				c.f(x)
			}
		})
	}
}

// TestSortSkewed sorts inputs where most keys fall in one MSD bucket (and,
// nested, in one sub-bucket of it), or are all equal: such a bucket is
// larger than a worker's share, and the whole team splits it.
func TestSortSkewed(t *testing.T) {
	defer func(v int) { bucketMax = v }(bucketMax)
	r := rand.New(rand.NewPCG(5, 5))
	sizes := []int{1<<16 + 7, 300001}
	for _, bm := range []int{bucketMax, 300} {
		bucketMax = bm
		for _, p := range []int{2, 3} {
			tm := workers.NewTeam(p)
			for _, n := range sizes {
				name := func(s string) string { return fmt.Sprintf("%s n=%d p=%d bucketMax=%d", s, n, p, bm) }
				f := make([]float64, n)
				i := make([]int64, n)
				u := make([]uint32, n)
				for k := range f {
					switch {
					case k%4 == 0: // spread
						f[k], i[k], u[k] = r.NormFloat64()*1e6, int64(r.Uint64()), r.Uint32()
					case k%16 == 1: // one narrow range
						f[k], i[k], u[k] = 1000+r.Float64()*1e-3, 1<<40+int64(r.IntN(1<<20)), 1<<30+uint32(r.IntN(1<<16))
					default: // and most of it in a narrower one inside
						f[k], i[k], u[k] = 1000+r.Float64()*1e-9, 1<<40+int64(r.IntN(1<<8)), 1<<30+uint32(r.IntN(1<<4))
					}
				}
				f[3], f[7], f[11] = math.NaN(), math.Copysign(0, -1), 0
				for _, x := range [][]float64{f, mostlyEqual(r, n, 1000.5, func() float64 { return r.NormFloat64() })} {
					want := slices.Clone(x)
					slices.Sort(want)
					got := slices.Clone(x)
					sortOn(tm, got, vecSortTested())
					requireSortedLike(t, x, want, got)
				}
				wi := slices.Clone(i)
				slices.Sort(wi)
				sortOn(tm, i, vecSortTested())
				require.Equal(t, wi, i, name("int64"))
				wu := slices.Clone(u)
				slices.Sort(wu)
				sortOn(tm, u, vecSortTested())
				require.Equal(t, wu, u, name("uint32"))
			}
			tm.Close()
		}
	}
}

// mostlyEqual is n values, nine in ten of them v and the rest from gen.
func mostlyEqual[T Number](r *rand.Rand, n int, v T, gen func() T) []T {
	x := make([]T, n)
	for k := range x {
		x[k] = v
		if r.IntN(10) == 0 {
			x[k] = gen()
		}
	}
	return x
}
