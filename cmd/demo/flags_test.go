package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadCommandLines checks that every bad flag value and stray argument
// exits 2 with one message naming what was wrong.
func TestBadCommandLines(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"shm", "-n", "0"}, "-n must be ≥ 1, got 0"},
		{[]string{"processes", "-workers", "0"}, "-workers must be in 1..256, got 0"},
		{[]string{"processes", "-n", "-5"}, "-n must be ≥ 1, got -5"},
		{[]string{"spawn-cost", "-n", "0"}, "-n must be ≥ 1, got 0"},
		{[]string{"kernels", "-reps", "0"}, "-reps must be ≥ 1, got 0"},
		{[]string{"kernels", "-workers", "-1"}, "-workers must be ≥ 1, got -1"},
		{[]string{"sudoku-server", "-workers", "0"}, "-workers must be in 1..1024, got 0"},
		{[]string{"sudoku-server", "-nice", "20"}, "-nice must be in 0..19, got 20"},
		{[]string{"auth-server", "-queue", "-1"}, "-queue must be ≥ 0, got -1"},
		{[]string{"auth-server", "-max-conns", "-1"}, "-max-conns must be ≥ 0, got -1"},
		{[]string{"load", "-c", "-1"}, "-c must be ≥ 0, got -1"},
		{[]string{"load"}, "-url is required"},
		{[]string{"load", "-url", "localhost:8080/solve"}, "-url must be an http:// or https:// URL"},
		{[]string{"load", "-url", "http://x", "-d", "0s"}, "-d must be > 0, got 0s"},
		{[]string{"tour", "extra"}, `unexpected argument "extra"`},
		{[]string{"shm", "-n", "5", "extra"}, `unexpected argument "extra"`},
		{[]string{"-json"}, "flag -json comes after a subcommand"},
		{[]string{"no-such-command"}, `unknown subcommand "no-such-command"`},
		{[]string{"shm", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"shm", "-n", "x"}, `invalid value "x" for flag -n`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(tc.args, &out, &errOut)
			require.Error(t, err)
			code := exitCode(err, &errOut)
			assert.Equal(t, 2, code, errOut.String())
			assert.Equal(t, 1, strings.Count(errOut.String(), tc.msg), "printed once: %q", errOut.String())
		})
	}
	// A stray argument and an unknown subcommand come with the usage.
	var errOut bytes.Buffer
	err := run([]string{"-json"}, &bytes.Buffer{}, &errOut)
	exitCode(err, &errOut)
	assert.Contains(t, errOut.String(), "usage: demo")
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"-version", "--version", "version"} {
		var out bytes.Buffer
		require.NoError(t, run([]string{arg}, &out, &bytes.Buffer{}))
		assert.Equal(t, "sharc demo "+Version+"\n", out.String())
	}
	assert.Equal(t, "v0.2.0", Version)
}

// TestLoadFailsWhenEveryRequestFails points load at a closed port: it must
// fail, saying why.
func TestLoadFailsWhenEveryRequestFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	var out, errOut bytes.Buffer
	err = run([]string{"load", "-url", "http://" + addr + "/solve", "-c", "2", "-d", "200ms"}, &out, &errOut)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err, &errOut))
	assert.Contains(t, err.Error(), "every request to http://"+addr+"/solve failed")
	assert.Contains(t, err.Error(), "connection refused")
}

func TestAuthServerRefusesMissingDataDir(t *testing.T) {
	missing := t.TempDir() + "/no/such/dir/users.json"
	var out, errOut bytes.Buffer
	err := run([]string{"auth-server", "-addr", "127.0.0.1:0", "-data", missing}, &out, &errOut)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), "does not exist; create it first")
	assert.Empty(t, out.String(), "the server never listened")
}
