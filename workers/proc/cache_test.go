//go:build linux

package proc

import (
	"bufio"
	"context"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/shm"
)

func init() {
	// mapped reports the child's mmap count and how many memfd regions it
	// has mapped right now.
	Register("mapped", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		f, err := os.Open("/proc/self/maps")
		if err != nil {
			return nil, err
		}
		defer f.Close()
		n := 0
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "/memfd:sharc") {
				n++
			}
		}
		if childQueues.Load() != nil {
			n-- // the region of the child's queues
		}
		return []byte(strconv.FormatInt(childMaps.Load(), 10) + " " + strconv.Itoa(n)), sc.Err()
	})
	Register("first-word", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		return rs[0].Bytes()[:8], nil
	})
	Register("close-region", func(ctx context.Context, arg []byte, rs []*shm.Region) ([]byte, error) {
		return nil, rs[0].Close()
	})
}

// mapped returns the child's mmap count and its current memfd mappings.
func mapped(t *testing.T, p *Pool) (maps, live int) {
	t.Helper()
	out, err := p.Call(context.Background(), "mapped", nil)
	require.NoError(t, err)
	f := strings.Fields(string(out))
	require.Len(t, f, 2)
	maps, _ = strconv.Atoi(f[0])
	live, _ = strconv.Atoi(f[1])
	return maps, live
}

func newWordRegion(t *testing.T, size int, word uint64) *shm.Region {
	t.Helper()
	r, err := shm.New(size)
	require.NoError(t, err)
	binary.LittleEndian.PutUint64(r.Bytes(), word)
	return r
}

func firstWord(t *testing.T, p *Pool, ra RegionArg) uint64 {
	t.Helper()
	out, err := p.Call(context.Background(), "first-word", nil, ra)
	require.NoError(t, err)
	require.Len(t, out, 8)
	return binary.LittleEndian.Uint64(out)
}

func TestChildMappingCache(t *testing.T) {
	fdsBefore := fdCount(t)
	p := newPool(t, Options{Workers: 1})

	// A region shared again is not mapped again.
	r1 := newWordRegion(t, 3*4096+17, 11)
	for range 3 {
		assert.EqualValues(t, 11, firstWord(t, p, Share(r1)))
	}
	maps, live := mapped(t, p)
	assert.Equal(t, 1, maps, "one mmap for three calls")
	assert.Equal(t, 1, live)

	// Closing it here unmaps it in the child at the next call.
	r1.Close()
	r2 := newWordRegion(t, 4096, 22)
	defer r2.Close()
	assert.EqualValues(t, 22, firstWord(t, p, Share(r2)))
	maps, live = mapped(t, p)
	assert.Equal(t, 2, maps)
	assert.Equal(t, 1, live, "the closed region is gone from the child")

	// A cached region that is then transferred: the parent's mapping goes,
	// the child uses its cached one for the call and unmaps it after.
	assert.EqualValues(t, 22, firstWord(t, p, Transfer(r2)))
	assert.Nil(t, r2.Bytes(), "the parent's mapping is gone")
	maps, live = mapped(t, p)
	assert.Equal(t, 2, maps, "the transfer reused the cached mapping")
	assert.Equal(t, 0, live, "the child unmapped the transferred region")

	// A task that closes a cached region: the next call remaps it.
	r3 := newWordRegion(t, 4096, 33)
	defer r3.Close()
	assert.EqualValues(t, 33, firstWord(t, p, Share(r3)))
	_, err := p.Call(context.Background(), "close-region", nil, Share(r3))
	require.NoError(t, err)
	// With a transfer in the same call, every region goes with its fd: a
	// miss could not be answered by sending the transferred one again.
	r4 := newWordRegion(t, 8192, 44)
	out, err := p.Call(context.Background(), "first-word", nil, Share(r3), Transfer(r4))
	require.NoError(t, err)
	assert.EqualValues(t, 33, binary.LittleEndian.Uint64(out), "remapped after the task closed it")
	assert.Nil(t, r4.Bytes())
	assert.EqualValues(t, 33, firstWord(t, p, Share(r3)), "cached again")
	maps, live = mapped(t, p)
	assert.Equal(t, 5, maps, "r3 mapped again once, r4 once")
	assert.Equal(t, 1, live, "r3 only")

	// The cache is bounded: the least recently used regions are unmapped.
	rs := make([]*shm.Region, maxCached+6)
	for i := range rs {
		rs[i] = newWordRegion(t, 4096, uint64(100+i))
		defer rs[i].Close()
		assert.EqualValues(t, 100+i, firstWord(t, p, Share(rs[i])))
	}
	_, live = mapped(t, p)
	assert.Equal(t, maxCached, live, "at most %d regions stay mapped", maxCached)
	// r3 and the first regions were evicted; the most recent ones are hits.
	before, _ := mapped(t, p)
	assert.EqualValues(t, 100+len(rs)-1, firstWord(t, p, Share(rs[len(rs)-1])))
	assert.EqualValues(t, 100, firstWord(t, p, Share(rs[0])))
	after, _ := mapped(t, p)
	assert.Equal(t, before+1, after, "a hit for the recent region, a fresh map for the evicted one")

	require.NoError(t, p.Close(context.Background()))
	r3.Close()
	for _, r := range rs {
		r.Close()
	}
	assert.Equal(t, fdsBefore, fdCount(t), "no fds left open")
}
