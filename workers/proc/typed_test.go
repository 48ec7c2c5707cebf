//go:build linux

package proc

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

type point struct{ X, Y float64 }

type padded struct {
	A int8
	B int64
	C bool
	D [3]uint16
}

type stats struct {
	N        int64
	Sum, Min float64
}

var (
	typedNorm = RegisterT("typed-norm", func(ctx context.Context, p point, _ []*shm.Region) (float64, error) {
		return math.Hypot(p.X, p.Y), nil
	})
	typedReverse = RegisterT("typed-reverse", func(ctx context.Context, xs []int32, _ []*shm.Region) ([]int32, error) {
		for i, j := 0, len(xs)-1; i < j; i, j = i+1, j-1 {
			xs[i], xs[j] = xs[j], xs[i]
		}
		return xs, nil
	})
	typedPadded = RegisterT("typed-padded", func(ctx context.Context, v padded, _ []*shm.Region) (padded, error) {
		v.A, v.B, v.C = v.A+1, v.B*2, !v.C
		return v, nil
	})
	typedFail = RegisterT("typed-fail", func(ctx context.Context, _ struct{}, _ []*shm.Region) (int64, error) {
		return 0, errors.New("typed failure")
	})
	chunkStats = RegisterT("chunk-stats", func(ctx context.Context, c Chunk, rs []*shm.Region) (stats, error) {
		xs, err := shm.View[float64](rs[0], 0, rs[0].Len()/8)
		if err != nil {
			return stats{}, err
		}
		s := stats{N: c.Hi - c.Lo, Min: math.Inf(1)}
		for _, x := range xs[c.Lo:c.Hi] {
			s.Sum += x
			s.Min = min(s.Min, x)
		}
		if s.Min < 0 {
			return s, errors.New("negative value")
		}
		return s, nil
	})
)

// The encoding is encoding/binary's little-endian layout, fast path or not.
func TestCodecMatchesEncodingBinary(t *testing.T) {
	check := func(t *testing.T, v any, enc []byte) {
		want, err := binary.Append(nil, binary.LittleEndian, v)
		require.NoError(t, err)
		assert.Equal(t, want, enc)
	}
	p := point{1.5, -2}
	c := mustCodec[point]("test")
	assert.True(t, c.raw)
	check(t, p, encodeValue(c, nil, &p))
	back, err := decodeValue[point](c, encodeValue(c, nil, &p))
	require.NoError(t, err)
	assert.Equal(t, p, back)

	v := padded{A: -3, B: 1 << 40, C: true, D: [3]uint16{1, 2, 65535}}
	c = mustCodec[padded]("test")
	assert.False(t, c.raw, "padding")
	assert.Equal(t, 1+8+1+6, c.size)
	check(t, v, encodeValue(c, nil, &v))
	backP, err := decodeValue[padded](c, encodeValue(c, nil, &v))
	require.NoError(t, err)
	assert.Equal(t, v, backP)

	for _, n := range []int{0, 1, 7, 1001} {
		xs := make([]float32, n)
		for i := range xs {
			xs[i] = rand.Float32()
		}
		c = mustCodec[[]float32]("test")
		enc := encodeValue(c, nil, &xs)
		check(t, xs, enc)
		back, err := decodeValue[[]float32](c, enc)
		require.NoError(t, err)
		assert.Equal(t, len(xs), len(back))
		if n > 0 {
			assert.Equal(t, xs, back)
		}

		ps := make([]padded, n)
		for i := range ps {
			ps[i] = padded{A: int8(i), B: int64(i) << 33, C: i%2 == 0}
		}
		c = mustCodec[[]padded]("test")
		enc = encodeValue(c, nil, &ps)
		if n > 0 {
			check(t, ps, enc)
		}
		backPs, err := decodeValue[[]padded](c, enc)
		require.NoError(t, err)
		assert.Len(t, backPs, n)
		if n > 0 {
			assert.Equal(t, ps, backPs)
		}
	}

	_, err = decodeValue[point](mustCodec[point]("test"), make([]byte, 15))
	assert.ErrorContains(t, err, "15 bytes for a proc.point of 16")
	_, err = decodeValue[[]int64](mustCodec[[]int64]("test"), make([]byte, 12))
	assert.ErrorContains(t, err, "not a whole number of 8-byte elements")
	for _, bad := range []func(){
		func() { mustCodec[int]("proc.RegisterT") },
		func() { mustCodec[struct{ S string }]("proc.RegisterT") },
		func() { mustCodec[[]int]("proc.RegisterT") },
		func() { mustCodec[[][]byte]("proc.RegisterT") },
	} {
		func() {
			defer func() {
				v := recover()
				require.NotNil(t, v)
				assert.Contains(t, v, "proc.RegisterT: proc: ")
				assert.Contains(t, v, "no fixed-size encoding")
			}()
			bad()
		}()
	}
	// A decoded bool is a valid bool whatever the byte said.
	b := bytes.Repeat([]byte{2}, 16)
	vb, err := decodeValue[padded](mustCodec[padded]("test"), b)
	require.NoError(t, err)
	assert.True(t, vb.C)
}

func TestTypedCalls(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	ctx := context.Background()
	n, err := typedNorm.Call(ctx, p, point{3, 4})
	require.NoError(t, err)
	assert.Equal(t, 5.0, n)

	n, err = CallT[point, float64](ctx, p, "typed-norm", point{6, 8})
	require.NoError(t, err)
	assert.Equal(t, 10.0, n)

	xs, err := typedReverse.Call(ctx, p, []int32{1, 2, 3, 4, 5})
	require.NoError(t, err)
	assert.Equal(t, []int32{5, 4, 3, 2, 1}, xs)

	v, err := typedPadded.Call(ctx, p, padded{A: 1, B: 2, C: false, D: [3]uint16{7, 8, 9}})
	require.NoError(t, err)
	assert.Equal(t, padded{A: 2, B: 4, C: true, D: [3]uint16{7, 8, 9}}, v)

	_, err = typedFail.Call(ctx, p, struct{}{})
	var te *TaskError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, te.Msg, "typed failure")

	// The wrong result type for a name is caught by its length.
	_, err = CallT[point, point](ctx, p, "typed-norm", point{3, 4})
	assert.ErrorContains(t, err, "8 bytes for a proc.point of 16")
}

func TestMapChunks(t *testing.T) {
	p := newPool(t, Options{Workers: 2})
	const n = 10_007
	r, err := shm.New(n * 8)
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	xs, err := shm.View[float64](r, 0, n)
	require.NoError(t, err)
	for i := range xs {
		xs[i] = float64(i)
	}
	for _, grain := range []int{1000, 3333, n, 2 * n} {
		got, err := Map(context.Background(), p, chunkStats, r, n, grain)
		require.NoError(t, err)
		require.Len(t, got, (n+grain-1)/grain)
		total := 0.0
		for i, s := range got {
			lo := i * grain
			assert.Equal(t, float64(lo), s.Min, "chunk %d in order", i)
			assert.EqualValues(t, min(grain, n-lo), s.N)
			total += s.Sum
		}
		assert.Equal(t, float64(n*(n-1)/2), total)
	}
	got, err := Map(context.Background(), p, chunkStats, r, 0, 10)
	assert.NoError(t, err)
	assert.Empty(t, got)

	xs[5000] = -1
	_, err = Map(context.Background(), p, chunkStats, r, n, 100)
	assert.ErrorContains(t, err, "negative value")
	assert.PanicsWithValue(t, "proc.Map: n = 10 and grain = 0 (want n >= 0, grain >= 1)", func() {
		Map(context.Background(), p, chunkStats, r, 10, 0)
	})
}
