package argon2id

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/crypto/argon2"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestIDKeyMatchesXCrypto checks the copy against x/crypto on random
// inputs at awkward sizes, several lanes included, and twice in a row so
// that the second run uses reused (dirty, then cleared) memory.
func TestIDKeyMatchesXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	tests := []struct {
		time, memory uint32
		threads      uint8
		keyLen       uint32
	}{
		{1, 8, 1, 32}, {1, 64, 1, 16}, {2, 100, 1, 32}, {3, 37, 2, 7},
		{1, 256, 4, 64}, {2, 1000, 3, 65}, {2, 19456, 1, 32},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("t%d_m%d_p%d_k%d", tc.time, tc.memory, tc.threads, tc.keyLen), func(t *testing.T) {
			pw, salt := rnd(1+rng.IntN(40)), rnd(8+rng.IntN(17))
			want := argon2.IDKey(pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen)
			for range 2 {
				require.Equal(t, want, IDKey(pw, salt, tc.time, tc.memory, tc.threads, tc.keyLen))
			}
		})
	}
}

// TestIDKeyConcurrent checks that concurrent calls sharing the free list
// all get x/crypto's answer, and that the list stays bounded.
func TestIDKeyConcurrent(t *testing.T) {
	pw, salt := []byte("correct horse"), []byte("0123456789abcdef")
	want := argon2.IDKey(pw, salt, 1, 256, 1, 32)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				assert.Equal(t, want, IDKey(pw, salt, 1, 256, 1, 32))
			}
		}()
	}
	wg.Wait()
	free.Lock()
	defer free.Unlock()
	assert.LessOrEqual(t, len(free.bufs), maxFree)
}

func TestIDKeyPanics(t *testing.T) {
	assert.PanicsWithValue(t, "argon2id.IDKey: number of rounds too small", func() { IDKey(nil, nil, 0, 64, 1, 32) })
	assert.PanicsWithValue(t, "argon2id.IDKey: parallelism degree too low", func() { IDKey(nil, nil, 1, 64, 0, 32) })
}

func BenchmarkIDKey(b *testing.B) {
	pw, salt := []byte("correct horse battery"), []byte("0123456789abcdef")
	b.SetBytes(19456 << 10) // memory filled per hash, per pass
	b.Run("sharc", func(b *testing.B) {
		for b.Loop() {
			IDKey(pw, salt, 2, 19456, 1, 32)
		}
	})
	b.Run("x-crypto", func(b *testing.B) {
		for b.Loop() {
			argon2.IDKey(pw, salt, 2, 19456, 1, 32)
		}
	})
}
