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
