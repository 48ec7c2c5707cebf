package serve

import (
	"context"
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
