package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGeneratedAssembly checks that each committed assembly file is what its
// generator writes, so that a hand edit of a generated file fails here
// instead of drifting from the script (go generate ./kernels regenerates
// them). It needs python3 and skips without it.
func TestGeneratedAssembly(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the generated assembly is not checked")
	}
	for _, g := range []struct {
		script, file string
		stdout       bool // the script writes to stdout, else to file in its working directory
	}{
		{"simd_amd64_gen.py", "simd_amd64.s", true},
		{"nan_amd64_gen.py", "nan_amd64.s", true},
		{"matmul_amd64_gen.py", "matmul_amd64.s", false},
	} {
		t.Run(g.file, func(t *testing.T) {
			t.Parallel()
			script, err := filepath.Abs(g.script)
			require.NoError(t, err)
			dir := t.TempDir()
			cmd := exec.Command(py, script)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err := cmd.Output()
			require.NoError(t, err, "%s: %s", g.script, stderr.String())
			if !g.stdout {
				got, err = os.ReadFile(filepath.Join(dir, g.file))
				require.NoError(t, err)
			}
			want, err := os.ReadFile(g.file)
			require.NoError(t, err)
			if !bytes.Equal(want, got) {
				t.Fatalf("%s differs from the output of %s: edit the script and run go generate ./kernels, not the .s file", g.file, g.script)
			}
		})
	}
}
