package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunKernelsJSON(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, runKernels([]string{"-n", "5000", "-workers", "2", "-reps", "1", "-json"}, &out, &errb))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.GreaterOrEqual(t, len(lines), 8)
	seen := map[string]bool{}
	for _, l := range lines {
		var r kernelResult
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		require.True(t, r.OK, l)
		require.Equal(t, 2, r.Workers)
		require.Positive(t, r.Ns)
		seen[r.Kernel] = true
	}
	for _, k := range []string{"sum", "dot", "axpy", "sort", "prefixsum", "matmul"} {
		require.True(t, seen[k], k)
	}
}

// TestKernelTableRates checks that sort is rated in keys per second, the
// others in GB/s, each with its unit.
func TestKernelTableRates(t *testing.T) {
	var out bytes.Buffer
	printKernelTable(&out, []kernelResult{
		{Kernel: "sum", Type: "float64", N: 1 << 20, Workers: 2, Ns: 1e6, Speedup: 2, GBPerS: 8.4, VsPlainGo: 3, OK: true},
		{Kernel: "sort", Type: "float64", N: 1 << 20, Workers: 2, Ns: 20e6, Speedup: 2, GBPerS: 0.4, VsPlainGo: 5, OK: true},
	})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	require.Contains(t, lines[1], "8.4 GB/s")
	require.Contains(t, lines[2], "52.4 Mkey/s")
	require.NotContains(t, lines[2], "GB/s")
}
