package proc

import (
	"context"
	"strconv"
	"sync"

	"github.com/sharc-go/sharc/shm"
)

// Func is a task function that runs in a child process. It gets the
// argument payload and the regions sent with the call, mapped in the child,
// and returns a result payload. ctx is cancelled when the parent cancels the
// call or its timeout passes; a Func that ignores it is killed after the
// pool's grace period.
type Func func(ctx context.Context, arg []byte, regions []*shm.Region) ([]byte, error)

// The registry is written by init code and by main before any child starts,
// and only read afterwards.
var (
	registryMu sync.RWMutex
	registry   = map[string]Func{}
	// streaming holds the names registered with RegisterStream: only their
	// calls get an emit function in the child.
	streaming = map[string]bool{}
)

// Register makes fn callable by name in child processes. Every program that
// uses a Pool registers the same functions in the parent and the children,
// normally from init or at the top of main, before RunChildIfRequested.
func Register(name string, fn Func) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("proc: Register called twice for " + strconv.Quote(name))
	}
	registry[name] = fn
}

func lookup(name string) (Func, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	fn, ok := registry[name]
	return fn, ok
}

// lookupTask is lookup of a name still in a receive buffer (looked up
// without making a string of it), that also reports whether it streams.
func lookupTask(name []byte) (fn Func, stream, ok bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	fn, ok = registry[string(name)]
	return fn, streaming[string(name)], ok
}
