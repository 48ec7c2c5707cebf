package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sharc-go/sharc/internal/testchild"
)

// crashChildEnv names the data file the child of TestAuthCrashMidWrite
// serves.
const crashChildEnv = "SHARC_SERVE_CRASH_CHILD_DATA"

// cheapHash is a valid Argon2id PHC hash at the smallest cost, so that the
// crash test's child saves hundreds of times a second: the test is about
// the data file, not the hashing.
func cheapHash(password string) (string, error) { return hashPasswordWith(password, 1, 64) }

// serveCrashChild is the process TestAuthCrashMidWrite kills: an auth
// server on a loopback port persisting to the file crashChildEnv names. It
// prints its address once the file is loaded and serves until killed.
func serveCrashChild() {
	s, err := newAuthServer(newLocalRunner(2, 64), AuthConfig{DataFile: os.Getenv(crashChildEnv)})
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(3)
	}
	s.hash = cheapHash
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(3)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	_ = http.Serve(ln, s.Handler()) // until SIGKILL
	os.Exit(4)
}

// TestAuthCrashMidWrite SIGKILLs an auth server at random moments while
// clients register users, in several rounds on the same data file, and
// checks after each kill that the file parses, still holds every user it
// held before and every user whose registration was answered 201, with a
// hash that verifies; and that the temporary files of interrupted saves
// are gone once the server starts again.
func TestAuthCrashMidWrite(t *testing.T) {
	if testchild.Is(t.Name()) {
		serveCrashChild()
	}
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "users.json")

	// Preloaded users make every save a ~40 KB write and fsync; many more
	// and the kills land mostly in json.Marshal, before the temporary file
	// exists.
	pre := map[string]string{}
	for i := range 300 {
		pre[fmt.Sprintf("old%04d", i)] = fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%022d$%043d", i, i)
	}
	b, err := json.Marshal(pre)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o600))

	start := func() (*testchild.Child, string) {
		t.Helper()
		c, line := startChild(t, t.Name(), crashChildEnv+"="+file)
		addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		require.True(t, ok, "child said %q", line)
		return c, "http://" + addr
	}

	acked := map[string]string{} // user -> password, answered 201
	roundsMidSave := 0
	const rounds = 6
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	for round := range rounds {
		child, url := start()
		// The restarted server removed what the last kill left behind.
		assert.Equal(t, []string{"users.json"}, dirNames(t, dir), "round %d: stale temporary files after restart", round)

		tr := &http.Transport{}
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		ctx, stop := context.WithCancel(context.Background())
		var (
			wg       sync.WaitGroup
			ackMu    sync.Mutex
			statuses = map[int]int{}
		)
		for c := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ctx.Err() == nil; k++ {
					user := fmt.Sprintf("r%dc%dk%d", round, c, k)
					pw := "pw-" + user
					body := fmt.Sprintf(`{"user":%q,"password":%q}`, user, pw)
					req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/register", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						return // the server is gone
					}
					resp.Body.Close()
					ackMu.Lock()
					statuses[resp.StatusCode]++
					if resp.StatusCode == http.StatusCreated {
						acked[user] = pw
					}
					ackMu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		child.Kill()
		child.Wait()
		stop()
		wg.Wait()
		tr.CloseIdleConnections()
		for code := range statuses {
			assert.Equal(t, http.StatusCreated, code, "round %d: statuses %v", round, statuses)
		}

		names := dirNames(t, dir)
		if len(names) > 1 {
			roundsMidSave++
		}
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		var got map[string]string
		require.NoError(t, json.Unmarshal(b, &got), "round %d: the users file does not parse", round)
		for u, h := range pre {
			require.Equal(t, h, got[u], "round %d: preloaded user %s", round, u)
		}
		for u, pw := range acked {
			h, ok := got[u]
			require.True(t, ok, "round %d: user %s was answered 201 but is not in the file", round, u)
			match, err := verifyPassword(pw, h)
			require.NoError(t, err)
			require.True(t, match, "round %d: user %s", round, u)
		}
		t.Logf("round %d: %d users acknowledged so far, statuses %v, files after the kill %v", round, len(acked), statuses, names)
	}
	assert.Greater(t, len(acked), rounds, "too few registrations to mean anything")
	t.Logf("%d of %d kills left a temporary file behind (landed inside a save)", roundsMidSave, rounds)

	// A last start in this process cleans up and serves the survivors.
	s, err := newAuthServer(newLocalRunner(1, 0), AuthConfig{DataFile: file})
	require.NoError(t, err)
	defer s.Close(context.Background())
	assert.Equal(t, []string{"users.json"}, dirNames(t, dir))
	// Saved users whose 201 the kill cut off may be there too.
	assert.GreaterOrEqual(t, len(s.users), len(pre)+len(acked))
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}
