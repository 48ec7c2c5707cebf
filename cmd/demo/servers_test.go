package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTourServers(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, tourServers(&buf))
	out := buf.String()
	assert.Contains(t, out, "812753649943682175675491283154237896369845721287169534521974368438526917796318452")
	assert.Contains(t, out, "unique: true")
	assert.Contains(t, out, "health ms")
	assert.NotContains(t, out, "WRONG")
	assert.Contains(t, out, `{"done":true,"count":3}`)
}

func TestServerFlagErrors(t *testing.T) {
	var out, errb bytes.Buffer
	require.Error(t, runSudokuServer([]string{"-workers", "0"}, &out, &errb))
	require.Error(t, runAuthServer([]string{"-queue", "-1"}, &out, &errb))
	err := runSudokuServer([]string{"-processes", "-1"}, &out, &errb)
	require.ErrorContains(t, err, "-processes")
	err = runAuthServer([]string{"-processes", "2", "-no-pool"}, &out, &errb)
	require.ErrorContains(t, err, "-processes and -no-pool")
	require.Error(t, runLoad(nil, &out, &errb))
	require.Error(t, runLoad([]string{"-url", "http://127.0.0.1:1/", "-body", "/nonexistent"}, &out, &errb))
}
