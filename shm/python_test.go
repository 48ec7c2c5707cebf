package shm

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// python runs a Python snippet, skipping the test if python3 is missing.
// Python's resource tracker would unlink segments it did not create when the
// interpreter exits, so the snippets unregister them.
func python(t *testing.T, code string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; the Python interop test needs it")
	}
	out, err := exec.Command(py, "-c", code).CombinedOutput()
	require.NoError(t, err, "python: %s", out)
	return strings.TrimSpace(string(out))
}

const pyPrelude = `
from multiprocessing import shared_memory, resource_tracker
import struct
`

func TestPythonCreatesGoOpens(t *testing.T) {
	name := testName(t)
	python(t, pyPrelude+`
s = shared_memory.SharedMemory(name="`+name+`", create=True, size=4096)
resource_tracker.unregister(s._name, "shared_memory")
struct.pack_into("<4d", s.buf, 8, 1.5, -2.25, 1e300, 42.0)
s.close()
`)
	r, err := Open(name)
	require.NoError(t, err)
	defer r.Close()
	v, err := View[float64](r, 8, 4)
	require.NoError(t, err)
	assert.Equal(t, []float64{1.5, -2.25, 1e300, 42}, v)
}

func TestGoCreatesPythonOpens(t *testing.T) {
	name := testName(t)
	r, err := Create(name, 1000)
	require.NoError(t, err)
	defer r.Close()
	v, err := View[int32](r, 0, 3)
	require.NoError(t, err)
	copy(v, []int32{7, -8, 1 << 30})
	out := python(t, pyPrelude+`
s = shared_memory.SharedMemory(name="`+name+`")
resource_tracker.unregister(s._name, "shared_memory")
print(s.size, *struct.unpack_from("<3i", s.buf, 0))
struct.pack_into("<i", s.buf, 12, 99)
s.close()
`)
	assert.Equal(t, "1000 7 -8 1073741824", out)
	w, err := View[int32](r, 12, 1)
	require.NoError(t, err)
	assert.Equal(t, int32(99), w[0], "Python's write is visible in Go")
}
