package serve

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuthPasswordCollisions registers with bytes that encoding/json would
// turn into U+FFFD and checks that they are refused, so no other byte
// string can log in as the same password.
func TestAuthPasswordCollisions(t *testing.T) {
	s, err := NewAuthServer(AuthConfig{Workers: 1, Queue: 4})
	require.NoError(t, err)
	defer s.Close(context.Background())
	h := s.Handler()

	bad := []struct{ name, password string }{
		{"invalid UTF-8 \\xff", "\xff\xff\xff\xff\xff\xff\xff\xff"},
		{"invalid UTF-8 \\x80", "\x80\x80\x80\x80\x80\x80\x80\x80"},
		{"lone high surrogate", `\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800`},
		{"lone low surrogate", `\udc00abcdefgh`},
		{"high then not low", `\ud800\u0041bcdefgh`},
		{"high at the end", `abcdefgh\uD83D`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, h, "/register", `{"user":"mallory","password":"`+tc.password+`"}`)
			require.Equal(t, 400, rec.Code, rec.Body.String())
			assert.Regexp(t, "UTF-8|surrogate", errorOf(t, rec))
			rec = post(t, h, "/login", `{"user":"mallory","password":"`+tc.password+`"}`)
			require.Equal(t, 400, rec.Code, rec.Body.String())
		})
	}

	// Valid escapes still work: a surrogate pair and a literal U+FFFD are
	// real characters, and different ones stay different passwords.
	require.Equal(t, 201, post(t, h, "/register", `{"user":"trent","password":"\ud83d\ude00\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd"}`).Code)
	assert.Equal(t, 200, post(t, h, "/login", `{"user":"trent","password":"😀\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd"}`).Code)
	assert.Equal(t, 401, post(t, h, "/login", `{"user":"trent","password":"\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd"}`).Code)
}

func TestCheckRawStrings(t *testing.T) {
	for _, ok := range []string{`{}`, `{"a":"\\u00e9"}`, `{"a":"\ud83d\ude00"}`, `{"a":"\"\\"}`, `{"a":"é"}`, `{"a":"\u12`} {
		assert.Empty(t, checkRawStrings([]byte(ok)), ok)
	}
	for _, bad := range []string{"{\"a\":\"\xc3\"}", `{"a":"\udfff"}`, `{"a":"\ud800"}`, `{"a":"\ud800\n"}`, `{"a":"\ud800\ud800"}`} {
		assert.NotEmpty(t, checkRawStrings([]byte(bad)), bad)
	}
}

func TestAuthDataFileRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	dangling := filepath.Join(dir, "dangling.json")
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere", "x.json"), dangling))
	tests := []struct{ name, file, msg string }{
		{"null", write("null.json", "null\n"), "want a JSON object"},
		{"array", write("array.json", "[]"), "does not hold the users"},
		{"garbage", write("garbage.json", "\x00\x01garbage"), "does not hold the users"},
		{"bad hash", write("hash.json", `{"alice":"plain text"}`), `hash of user "alice"`},
		{"bad user", write("user.json", `{"a b":"$argon2id$v=19$m=8,t=1,p=1$AAAA$AAAA"}`), `user "a b"`},
		{"missing directory", filepath.Join(dir, "no", "such", "users.json"), "does not exist; create it first"},
		{"a directory", dir, "not a regular file"},
		{"dangling symlink", dangling, "symlink that cannot be resolved"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewAuthServer(AuthConfig{Workers: 1, DataFile: tc.file})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "-data "+tc.file)
		})
	}
}

// TestAuthDataFileSymlink checks that users go to the symlink's target and
// the link stays a link.
func TestAuthDataFileSymlink(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "real"), 0o700))
	target := filepath.Join(dir, "real", "users.json")
	require.NoError(t, os.WriteFile(target, []byte("{}"), 0o600))
	link := filepath.Join(dir, "users.json")
	require.NoError(t, os.Symlink(target, link))

	s, err := NewAuthServer(AuthConfig{Workers: 1, DataFile: link})
	require.NoError(t, err)
	s.hash = cheapHash
	require.Equal(t, 201, post(t, s.Handler(), "/register", `{"user":"alice","password":"correct horse"}`).Code)
	require.NoError(t, s.Close(context.Background()))

	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&os.ModeSymlink, "the link must stay a link")
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"alice"`)
}

// TestAuthConcurrentRegistrationsPersist registers many users at once and
// checks that a restart knows every one.
func TestAuthConcurrentRegistrationsPersist(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.json")
	s, err := NewAuthServer(AuthConfig{Workers: 2, Queue: 64, DataFile: file})
	require.NoError(t, err)
	s.hash = cheapHash
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			rec := post(t, s.Handler(), "/register", fmt.Sprintf(`{"user":"user%02d","password":"correct horse"}`, i))
			assert.Equal(t, 201, rec.Code, rec.Body.String())
		})
	}
	wg.Wait()
	require.NoError(t, s.Close(context.Background()))
	s2, err := NewAuthServer(AuthConfig{Workers: 1, DataFile: file})
	require.NoError(t, err)
	defer s2.Close(context.Background())
	assert.Len(t, s2.users, 24)
	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}
