package serve

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sharc-go/sharc/cmd/demo/internal/argon2id"
)

// Argon2id parameters: OWASP's password storage guidance (m=19 MiB, t=2, p=1).
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Input limits of the auth server.
const (
	MinPassword   = 8
	MaxPassword   = 128 // bytes: bounds the hashing cost an attacker can ask for
	authBodyLimit = 1 << 10
)

var userRule = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,32}$`)

// AuthConfig configures an auth server.
type AuthConfig struct {
	Workers, Queue int
	NoPool         bool
	// WorkerNice is as in SudokuConfig: Argon2id cannot yield, so only
	// the kernel can put a request thread ahead of a hashing worker.
	WorkerNice int
	// Processes, when > 0, hashes in that many child processes, as in
	// SudokuConfig.
	Processes int
	// DataFile persists the users; empty keeps them in memory only.
	DataFile string
	Logger   *log.Logger
}

// AuthServer answers POST /register and POST /login, hashing passwords
// with Argon2id on its runner, plus GET /healthz and GET /stats.
type AuthServer struct {
	r      runner
	mux    *http.ServeMux
	file   string
	logger *log.Logger
	dummy  string // hash compared against for unknown users
	// hash hashes a password for storage: hashPassword, or in tests a
	// cheaper Argon2id that verifyPassword still reads.
	hash func(password string) (string, error)

	mu    sync.Mutex // guards users and the data file
	users map[string]string
}

// NewAuthServer returns an auth server, loading cfg.DataFile if it exists.
func NewAuthServer(cfg AuthConfig) (*AuthServer, error) {
	r, err := newRunner(cfg.Workers, cfg.Queue, cfg.WorkerNice, cfg.Processes, cfg.NoPool)
	if err != nil {
		return nil, err
	}
	s, err := newAuthServer(r, cfg)
	if err != nil {
		r.close(context.Background()) // its workers must not outlive a failed start
		return nil, err
	}
	return s, nil
}

func newAuthServer(r runner, cfg AuthConfig) (*AuthServer, error) {
	s := &AuthServer{r: r, file: cfg.DataFile, logger: cfg.Logger, users: map[string]string{}, hash: hashPassword}
	if s.file != "" {
		if err := s.openDataFile(); err != nil {
			return nil, err
		}
	} else if s.logger != nil {
		s.logger.Print("no -data file: users are kept in memory and lost at exit")
	}
	dummy, err := hashPassword("dummy password for unknown users")
	if err != nil {
		return nil, err
	}
	s.dummy = dummy
	s.mux = newMux([]route{
		{"POST", "/register", s.register},
		{"POST", "/login", s.login},
		{"GET", "/healthz", healthz},
		{"GET", "/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, s.r.stats()) }},
	})
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *AuthServer) Handler() http.Handler { return s.mux }

// Close stops admitting work and waits for admitted hashes until ctx ends.
func (s *AuthServer) Close(ctx context.Context) error { return s.r.close(ctx) }

// Credentials is the body of POST /register and POST /login.
type Credentials struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

func (s *AuthServer) readCredentials(w http.ResponseWriter, r *http.Request) (Credentials, bool) {
	var c Credentials
	if msg, ok := decodeBody(w, r, authBodyLimit, &c); !ok {
		writeError(w, http.StatusBadRequest, msg)
		return c, false
	}
	if !userRule.MatchString(c.User) {
		writeError(w, http.StatusBadRequest, "user must be 3-32 characters from a-z, A-Z, 0-9, '_', '.', '-'")
		return c, false
	}
	if n := utf8.RuneCountInString(c.Password); n < MinPassword || len(c.Password) > MaxPassword || !utf8.ValidString(c.Password) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("password must be valid UTF-8, at least %d characters and at most %d bytes", MinPassword, MaxPassword))
		return c, false
	}
	return c, true
}

func (s *AuthServer) register(w http.ResponseWriter, r *http.Request) {
	c, ok := s.readCredentials(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	_, exists := s.users[c.User]
	s.mu.Unlock()
	if exists {
		writeError(w, http.StatusConflict, "user already exists")
		return
	}
	phc, err := s.hashOn(r.Context(), c.Password)
	if s.failed(w, r, err) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.users[c.User]; exists { // registered while we hashed
		writeError(w, http.StatusConflict, "user already exists")
		return
	}
	s.users[c.User] = phc
	if err := s.save(); err != nil {
		delete(s.users, c.User)
		if s.logger != nil {
			s.logger.Printf("register: %v", err)
		}
		writeError(w, http.StatusInternalServerError, "could not store the user")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"user": c.User})
}

func (s *AuthServer) login(w http.ResponseWriter, r *http.Request) {
	c, ok := s.readCredentials(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	stored, known := s.users[c.User]
	s.mu.Unlock()
	if !known {
		// Hash against a dummy so an unknown user costs what a known one does.
		stored = s.dummy
	}
	match, err := s.verifyOn(r.Context(), c.Password, stored)
	if s.failed(w, r, err) {
		return
	}
	if !match || !known {
		writeError(w, http.StatusUnauthorized, "wrong user or password")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": c.User})
}

// hashOn hashes password for storage on the runner.
func (s *AuthServer) hashOn(ctx context.Context, password string) (string, error) {
	if pr, ok := s.r.(*procRunner); ok {
		b, err := pr.call(ctx, taskHash, []byte(password))
		return string(b), err
	}
	v, err := s.r.run(ctx, func(context.Context) (any, error) { return s.hash(password) })
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// verifyOn checks password against the PHC string phc on the runner.
func (s *AuthServer) verifyOn(ctx context.Context, password, phc string) (bool, error) {
	if pr, ok := s.r.(*procRunner); ok {
		b, err := pr.call(ctx, taskVerify, encodeVerify(phc, password))
		return len(b) == 1 && b[0] == 1, err
	}
	v, err := s.r.run(ctx, func(context.Context) (any, error) { return verifyPassword(password, phc) })
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

func (s *AuthServer) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, errBusy), r.Context().Err() != nil:
		writeBusy(w)
	case errors.Is(err, errWorkerDied):
		if s.logger != nil {
			s.logger.Printf("hash: %v", err)
		}
		writeError(w, http.StatusInternalServerError, workerDiedMsg)
	default:
		if s.logger != nil {
			s.logger.Printf("hash: %v", err)
		}
		writeError(w, http.StatusInternalServerError, "internal error")
	}
	return true
}

// save writes the users atomically: a temporary file in the same
// directory, fsynced, then renamed over the old one, and the directory
// fsynced, so a crash leaves either the old or the new file whole.
// s.mu must be held.
func (s *AuthServer) save() error {
	if s.file == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.users, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.file)
	f, err := os.CreateTemp(dir, s.tempPrefix()+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // fails harmlessly after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.file); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // not supported everywhere; the rename is done either way
		d.Close()
	}
	return nil
}

// openDataFile checks s.file at start and loads its users, so that a
// server that cannot keep its users refuses to start instead of answering
// 500 to every registration. A symlink is resolved once, here, and the
// server writes to its target from then on: save renames a temporary file
// over the path it writes, which would otherwise replace the link with a
// regular file and leave the target behind. The directory must exist and
// take a new file; the file, if present, must be a regular file holding a
// JSON object of user -> Argon2id hash.
func (s *AuthServer) openDataFile() error {
	name := s.file
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("serve: -data %s: %w", name, err)
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return fmt.Errorf("serve: -data %s is a symlink that cannot be resolved (%w); give the target's path", name, err)
		}
		if s.logger != nil {
			s.logger.Printf("-data %s is a symlink: users are written to its target %s", name, target)
		}
		abs = target
	}
	dir := filepath.Dir(abs)
	di, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("serve: -data %s: directory %s does not exist; create it first", name, dir)
	case err != nil:
		return fmt.Errorf("serve: -data %s: %w", name, err)
	case !di.IsDir():
		return fmt.Errorf("serve: -data %s: %s is not a directory", name, dir)
	}
	s.file = abs
	if err := s.removeStaleTemps(); err != nil {
		return err
	}
	// The directory must take the temporary files save writes.
	probe, err := os.CreateTemp(dir, s.tempPrefix()+"*")
	if err != nil {
		return fmt.Errorf("serve: -data %s: cannot write in %s: %w", name, dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil // created by the first registration
	case err != nil:
		return fmt.Errorf("serve: -data %s: %w", name, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("serve: -data %s is not a regular file", name)
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("serve: -data %s: %w", name, err)
	}
	var users map[string]string
	if err := json.Unmarshal(b, &users); err != nil {
		return fmt.Errorf("serve: -data %s does not hold the users (a JSON object of user -> hash): %w", name, err)
	}
	if users == nil {
		return fmt.Errorf("serve: -data %s holds %.20q, want a JSON object of user -> hash", name, bytes.TrimSpace(b))
	}
	for u, h := range users {
		if !userRule.MatchString(u) {
			return fmt.Errorf("serve: -data %s: user %q is not a valid user name", name, u)
		}
		if _, err := parsePHC(h); err != nil {
			return fmt.Errorf("serve: -data %s: the hash of user %q is not an Argon2id PHC string", name, u)
		}
	}
	s.users = users
	return nil
}

// tempPrefix is how the names of save's temporary files begin.
func (s *AuthServer) tempPrefix() string { return "." + filepath.Base(s.file) + ".tmp-" }

// removeStaleTemps removes the temporary files of saves that a crash
// interrupted before their rename: the data file itself is whole either
// way, old or new.
func (s *AuthServer) removeStaleTemps() error {
	entries, err := os.ReadDir(filepath.Dir(s.file))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // CreateTemp will report the missing directory
		}
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), s.tempPrefix()) {
			continue
		}
		if err := os.Remove(filepath.Join(filepath.Dir(s.file), e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if s.logger != nil {
			s.logger.Printf("removed %s, left by an interrupted save", e.Name())
		}
	}
	return nil
}

// hashPassword returns an Argon2id hash of password with a random salt in
// the PHC string format: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string) (string, error) {
	return hashPasswordWith(password, argonTime, argonMemory)
}

func hashPasswordWith(password string, time, memory uint32) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2id.IDKey([]byte(password), salt, time, memory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2id.Version, memory, time, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash means a stored hash is not an Argon2id PHC string we can read.
var errBadHash = errors.New("serve: malformed argon2id hash")

// verifyPassword reports whether password matches the PHC string phc,
// comparing in constant time with the parameters phc records.
func verifyPassword(password, phc string) (bool, error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	got := argon2id.IDKey([]byte(password), p.salt, p.t, p.m, p.p, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(got, p.key) == 1, nil
}

// phcParams is a parsed Argon2id PHC string.
type phcParams struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

// parsePHC reads an Argon2id PHC string: $argon2id$v=19$m=..,t=..,p=..$salt$key.
func parsePHC(phc string) (phcParams, error) {
	var r phcParams
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return r, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2id.Version {
		return r, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &r.m, &r.t, &r.p); err != nil || r.t == 0 || r.p == 0 {
		return r, errBadHash
	}
	b64 := base64.RawStdEncoding
	var err error
	if r.salt, err = b64.DecodeString(parts[4]); err != nil {
		return r, errBadHash
	}
	if r.key, err = b64.DecodeString(parts[5]); err != nil || len(r.key) == 0 {
		return r, errBadHash
	}
	return r, nil
}
