package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
)

// cachedBuild builds a C or C++ peer once per version of its sources: the
// binary goes to the user's cache directory under a hash of the sources
// and the command line, so later runs skip the (slow) build. srcs are
// relative to the bench directory; cmd gets the output path.
func cachedBuild(e *env, name string, srcs []string, cmd func(out string) []string) (string, error) {
	h := sha256.New()
	for _, s := range srcs {
		b, err := os.ReadFile(filepath.Join(e.bench, s))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	h.Write([]byte(strings.Join(cmd(""), " ")))
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = e.tmp
	}
	out := filepath.Join(dir, "sharc-bench", name+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	tmp := out + ".tmp"
	if err := build(e.bench, cmd(tmp)...); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
