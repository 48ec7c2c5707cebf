package serve

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashPassword(t *testing.T) {
	h, err := hashPassword("correct horse")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`), h)
	h2, err := hashPassword("correct horse")
	require.NoError(t, err)
	assert.NotEqual(t, h, h2, "salts must differ")

	ok, err := verifyPassword("correct horse", h)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = verifyPassword("correct horsE", h)
	require.NoError(t, err)
	assert.False(t, ok)
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=1,t=0,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		_, err := verifyPassword("x", bad)
		assert.ErrorIs(t, err, errBadHash, bad)
	}
}

func TestAuthFlowAndPersistence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.json")
	s, err := NewAuthServer(AuthConfig{Workers: 2, Queue: 4, DataFile: file})
	require.NoError(t, err)
	h := s.Handler()

	alice := `{"user":"alice","password":"correct horse"}`
	tests := []struct {
		name, path, body string
		status           int
		msg              string
	}{
		{"register", "/register", alice, 201, ""},
		{"register again", "/register", alice, 409, "already exists"},
		{"login", "/login", alice, 200, ""},
		{"wrong password", "/login", `{"user":"alice","password":"wrong horse"}`, 401, "wrong user or password"},
		{"unknown user", "/login", `{"user":"bob","password":"correct horse"}`, 401, "wrong user or password"},
		{"short user", "/register", `{"user":"al","password":"correct horse"}`, 400, "user must be"},
		{"bad user", "/register", `{"user":"al ice","password":"correct horse"}`, 400, "user must be"},
		{"short password", "/register", `{"user":"carol","password":"short"}`, 400, "password must be"},
		{"long password", "/register", `{"user":"carol","password":"` + strings.Repeat("x", 129) + `"}`, 400, "at most 128 bytes"},
		{"not JSON", "/login", `user=alice`, 400, "not JSON"},
		{"too large", "/login", `{"user":"` + strings.Repeat("a", 2000) + `"}`, 400, "body too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := post(t, h, tc.path, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.msg != "" {
				assert.Contains(t, errorOf(t, rec), tc.msg)
			}
		})
	}
	require.NoError(t, s.Close(context.Background()))

	// The file holds alice's PHC hash, and no temporary file is left.
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"alice": "$argon2id$v=19$m=19456,t=2,p=1$`)
	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	// A restart keeps the user.
	s2, err := NewAuthServer(AuthConfig{Workers: 1, DataFile: file})
	require.NoError(t, err)
	defer s2.Close(context.Background())
	assert.Equal(t, 200, post(t, s2.Handler(), "/login", alice).Code)
	assert.Equal(t, 409, post(t, s2.Handler(), "/register", alice).Code)
}

func TestAuthCorruptFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "users.json")
	require.NoError(t, os.WriteFile(file, []byte("{not json"), 0o600))
	_, err := NewAuthServer(AuthConfig{Workers: 1, DataFile: file})
	require.Error(t, err)
}

func TestAuthBusy(t *testing.T) {
	r := newLocalRunner(1, 0)
	s, err := newAuthServer(r, AuthConfig{})
	require.NoError(t, err)
	defer s.Close(context.Background())
	release := blockWorkers(t, r, 1)
	rec := post(t, s.Handler(), "/register", `{"user":"dave","password":"correct horse"}`)
	require.Equal(t, 503, rec.Code)
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	release()
	assert.Equal(t, 201, post(t, s.Handler(), "/register", `{"user":"dave","password":"correct horse"}`).Code)
}

// TestUnknownUserHashes checks that a login for an unknown user does the
// same work as for a known one: one Argon2id verification on the runner.
func TestUnknownUserHashes(t *testing.T) {
	r := newLocalRunner(1, 1)
	s, err := newAuthServer(r, AuthConfig{})
	require.NoError(t, err)
	defer s.Close(context.Background())
	require.Equal(t, 201, post(t, s.Handler(), "/register", `{"user":"erin","password":"correct horse"}`).Code)
	before := r.completed.Load()
	known := post(t, s.Handler(), "/login", `{"user":"erin","password":"wrong horse"}`)
	unknown := post(t, s.Handler(), "/login", `{"user":"frank","password":"wrong horse"}`)
	assert.EqualValues(t, 2, r.completed.Load()-before, "both logins hash once")
	assert.Equal(t, 401, known.Code)
	assert.Equal(t, known.Body.String(), unknown.Body.String(), "same answer whether the user exists or not")
	assert.Contains(t, s.dummy, "$argon2id$v=19$m=19456,t=2,p=1$")
}
