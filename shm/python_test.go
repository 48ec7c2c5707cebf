package shm

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	out, err := pythonCmd(t, py, code).CombinedOutput()
	require.NoError(t, err, "python: %s", out)
	return strings.TrimSpace(string(out))
}

// pythonCmd returns a command running code with the repository's python/
// folder on the module path.
func pythonCmd(t *testing.T, py, code string) *exec.Cmd {
	t.Helper()
	dir, err := filepath.Abs("../python")
	require.NoError(t, err)
	cmd := exec.Command(py, "-c", code)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	return cmd
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

// waitersOf reads the registered-waiter count of the word at off: the low
// 11 bits of each process slot, summed (docs/design/words.md).
func waitersOf(t *testing.T, r *Region, off int) int {
	slots, err := View[uint64](r, off+16, (WordSize-16)/8)
	require.NoError(t, err)
	n := 0
	for _, v := range slots {
		n += int(v & 0x7FF)
	}
	return n
}

// TestPythonNotifiesGo: a Go waiter parked on a word is woken by
// sharc.words.notify in a Python process, and Python learns it woke one.
func TestPythonNotifiesGo(t *testing.T) {
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	w, err := r.Int32(64)
	require.NoError(t, err)
	res := make(chan WaitResult, 1)
	go func() {
		got, err := w.Wait(0, 20*time.Second)
		assert.NoError(t, err)
		res <- got
	}()
	require.Eventually(t, func() bool { return waitersOf(t, r, 64) == 1 }, 10*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond) // past the spin: asleep in the kernel
	out := python(t, `
from sharc import attach, words
s = attach("`+name+`")
words.store(s.buf, 64, 7)
print(words.notify(s.buf, 64, 1))
s.close()
`)
	assert.Equal(t, "1", out, "Python's notify reports the Go waiter it woke")
	select {
	case got := <-res:
		assert.Equal(t, Woken, got)
	case <-time.After(10 * time.Second):
		w.NotifyAll()
		t.Fatal("Python's notify did not wake the Go waiter")
	}
	assert.Equal(t, int32(7), w.Load())
}

// TestGoNotifiesPython: a Python process waiting with sharc.words.wait is
// woken by Int32.Notify, which counts it.
func TestGoNotifiesPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; the Python interop test needs it")
	}
	name := testName(t)
	r, err := Create(name, 4096)
	require.NoError(t, err)
	defer r.Close()
	w, err := r.Int32(64)
	require.NoError(t, err)
	cmd := pythonCmd(t, py, `
from sharc import attach, words
s = attach("`+name+`")
print(words.wait(s.buf, 64, 0, 5.0), words.wait(s.buf, 64, 0, 0.01), words.wait(s.buf, 64 + 128, 0, 0.02))
s.close()
`)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	require.Eventually(t, func() bool { return waitersOf(t, r, 64) == 1 }, 10*time.Second, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	w.Store(1)
	assert.Equal(t, 1, w.Notify(1), "Notify counts the Python waiter")
	require.NoError(t, cmd.Wait(), "python: %s", out.String())
	assert.Equal(t, "ok not-equal timed-out", strings.TrimSpace(out.String()))
	assert.Equal(t, 0, waitersOf(t, r, 64), "nothing left registered")
}

// TestPythonResourceTracker shows why sharc.attach exists: Python's
// SharedMemory(name) unlinks a segment it merely opened when the Python
// process exits; attach leaves it alone.
func TestPythonResourceTracker(t *testing.T) {
	for _, tt := range []struct {
		open     string
		survives bool
	}{
		{"shared_memory.SharedMemory(name=NAME)", false},
		{"sharc.attach(NAME)", true},
	} {
		t.Run(strings.Fields(tt.open)[0], func(t *testing.T) {
			name := testName(t)
			r, err := Create(name, 4096)
			require.NoError(t, err)
			defer r.Close()
			python(t, `
import warnings; warnings.simplefilter("ignore")
import sharc
from multiprocessing import shared_memory
NAME = "`+name+`"
s = `+tt.open+`
s.buf[0] = 1
s.close()
`)
			_, err = os.Stat(segmentPath(name))
			if tt.survives {
				assert.NoError(t, err)
			} else {
				assert.Truef(t, errors.Is(err, fs.ErrNotExist), "Python's resource tracker no longer unlinks: %v", err)
			}
			assert.Equal(t, byte(1), r.Bytes()[0], "our mapping lives on either way")
		})
	}
}
