//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIPCJSON(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run([]string{"ipc", "-n", "50", "-pairs", "3", "-json"}, &out, &errb), errb.String())
	sc := bufio.NewScanner(&out)
	var methods []string
	for sc.Scan() {
		var r ipcResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		assert.Equal(t, "ipc", r.Demo)
		assert.Equal(t, 50, r.N)
		assert.Len(t, r.Ratios, 3)
		assert.Positive(t, r.P50US)
		assert.GreaterOrEqual(t, r.P99US, r.P50US)
		assert.LessOrEqual(t, r.RatioL, r.Ratio)
		assert.LessOrEqual(t, r.Ratio, r.RatioH)
		methods = append(methods, r.Method)
	}
	assert.Equal(t, []string{"process worker, shm queues", "process worker, Unix socket", "in-process workers.Pool"}, methods)
}

func TestIPCTable(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run([]string{"ipc", "-n", "20", "-pairs", "1"}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "× queue")
	assert.Contains(t, out.String(), "process worker, Unix socket")
}

func TestIPCBadFlags(t *testing.T) {
	for _, tc := range []struct{ args, flag string }{
		{"-n 0", "-n"},
		{"-n 9", "-n"},
		{"-pairs 0", "-pairs"},
		{"-pairs 1000", "-pairs"},
		{"-n x", "-n"},
		{"-idle -1ms", "-idle"},
		{"-idle 2s", "-idle"},
	} {
		var out, errb bytes.Buffer
		err := run(append([]string{"ipc"}, strings.Fields(tc.args)...), &out, &errb)
		require.Error(t, err, tc.args)
		assert.Equal(t, 2, exitCode(err, &errb), tc.args)
		assert.Contains(t, err.Error()+errb.String(), tc.flag, tc.args)
		assert.Empty(t, out.String())
	}
}

func TestIPCIdle(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run([]string{"ipc", "-idle", "1ms", "-n", "20", "-pairs", "2", "-json"}, &out, &errb), errb.String())
	sc := bufio.NewScanner(&out)
	lines := 0
	for sc.Scan() {
		var r ipcResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r), sc.Text())
		assert.InDelta(t, 1000, r.IdleUS, 0.001)
		assert.Equal(t, 20, r.N)
		assert.Positive(t, r.P50US)
		lines++
	}
	assert.Equal(t, 3, lines)

	out.Reset()
	require.NoError(t, run([]string{"ipc", "-idle", "1ms", "-pairs", "1"}, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "200 per method per round", "-idle lowers the default -n")
	assert.Contains(t, out.String(), "after 1ms of idle")
}
