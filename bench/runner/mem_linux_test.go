package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTouchPages checks that touchPages maps n pages with a write to each,
// and that its release unmaps them.
func TestTouchPages(t *testing.T) {
	isMapped := func(b []byte) bool {
		maps, err := os.ReadFile("/proc/self/maps")
		require.NoError(t, err)
		return strings.Contains(string(maps), fmt.Sprintf("\n%x-", uintptr(unsafe.Pointer(unsafe.SliceData(b)))))
	}
	page := os.Getpagesize()
	for _, n := range []int{0, 1, 7, 512} {
		b, release, err := touchPages(n)
		require.NoError(t, err)
		require.Len(t, b, n*page)
		if n == 0 {
			release()
			continue
		}
		for i := 0; i < len(b); i += page {
			require.Equal(t, byte(1), b[i], "page %d not written", i/page)
		}
		assert.True(t, isMapped(b), "%d pages not in /proc/self/maps", n)
		release()
		assert.False(t, isMapped(b), "%d pages still mapped after the release", n)
	}
	release, err := spreadPages()
	require.NoError(t, err)
	release()
}
