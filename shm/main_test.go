package shm

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	sweepStale()
	code := 0
	func() {
		defer sweepOwn()
		goleak.VerifyTestMain(exitCatcher{m, &code})
	}()
	os.Exit(code)
}

// exitCatcher lets TestMain clean up after goleak's VerifyTestMain, which
// calls os.Exit itself.
type exitCatcher struct {
	m    *testing.M
	code *int
}

func (e exitCatcher) Run() int {
	*e.code = e.m.Run()
	sweepOwn()
	return *e.code
}

var segCount atomic.Int64

// testName returns a segment name owned by this test process and removes the
// segment when the test ends, pass or fail.
func testName(t testing.TB) string {
	name := fmt.Sprintf("sharc-test-%d-%d", os.Getpid(), segCount.Add(1))
	t.Cleanup(func() { os.Remove(segmentPath(name)) })
	return name
}

// sweepOwn removes the segments of this process that a crashed test left.
func sweepOwn() {
	matches, _ := filepath.Glob(fmt.Sprintf("/dev/shm/sharc-test-%d-*", os.Getpid()))
	for _, m := range matches {
		os.Remove(m)
	}
}

// sweepStale removes segments of earlier test processes that no longer run.
func sweepStale() {
	matches, _ := filepath.Glob("/dev/shm/sharc-test-*")
	for _, m := range matches {
		parts := strings.Split(filepath.Base(m), "-")
		if len(parts) < 4 {
			continue
		}
		pid, err := strconv.Atoi(parts[2])
		if err != nil {
			continue
		}
		if !processAlive(pid) {
			os.Remove(m)
		}
	}
}
