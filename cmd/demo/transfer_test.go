package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1KiB, 64KiB,1MiB,24,1GiB,8B")
	require.NoError(t, err)
	assert.Equal(t, []int{1 << 10, 64 << 10, 1 << 20, 24, 1 << 30, 8}, got)
	for _, bad := range []string{"", "KiB", "-1MiB", "1TiB", "0", "3B", "12"} {
		_, err := parseSizes(bad)
		assert.Errorf(t, err, "%q", bad)
	}
	assert.Equal(t, "64KiB", formatSize(64<<10))
	assert.Equal(t, "1000B", formatSize(1000))
}

// TestTransferVsShareJSON runs the command briefly and checks each JSON line,
// that copy round trips grow with size and transfer ones do not, the CSV and
// the PNG.
func TestTransferVsShareJSON(t *testing.T) {
	dir := t.TempDir()
	csvPath, pngPath := filepath.Join(dir, "t.csv"), filepath.Join(dir, "t.png")
	var out, errOut bytes.Buffer
	err := runTransferVsShare([]string{"-sizes", "1KiB,8MiB", "-time", "60ms", "-json",
		"-csv", csvPath, "-plot", pngPath}, &out, &errOut)
	require.NoError(t, err, errOut.String())

	byKey := map[string]transferResult{}
	sc := bufio.NewScanner(&out)
	lines := 0
	for sc.Scan() {
		lines++
		var raw map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &raw), sc.Text())
		for _, k := range []string{"mode", "bytes", "touch", "iters", "rt_us_p50", "rt_us_p99"} {
			assert.Contains(t, raw, k)
		}
		assert.Len(t, raw, 6)
		var r transferResult
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		assert.Equal(t, "ends", r.Touch)
		assert.GreaterOrEqual(t, r.Iters, 3)
		assert.Positive(t, r.RTp50us)
		assert.GreaterOrEqual(t, r.RTp99us, r.RTp50us)
		byKey[r.Mode+formatSize(r.Bytes)] = r
	}
	require.Equal(t, 8, lines)
	for _, m := range transferModes {
		require.Contains(t, byKey, m+"1KiB")
		require.Contains(t, byKey, m+"8MiB")
	}
	// Copying 8 MiB twice per round trip costs far more than 1 KiB; moving
	// it costs the same. Generous bounds: the machine is shared and -race slows
	// everything down.
	assert.Greater(t, byKey["copy8MiB"].RTp50us, 10*byKey["copy1KiB"].RTp50us)
	assert.Less(t, byKey["transfer8MiB"].RTp50us, 5*byKey["transfer1KiB"].RTp50us+5)

	csvData, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	assert.Equal(t, 9, strings.Count(string(csvData), "\n"))
	assert.True(t, strings.HasPrefix(string(csvData), "mode,bytes,touch,iters,rt_us_p50,rt_us_p99\n"))

	assert.Contains(t, errOut.String(), "plot written to "+pngPath)
	png, err := os.ReadFile(pngPath)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "not a PNG")
}

func TestTransferVsShareTableAndErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, runTransferVsShare([]string{"-sizes", "4KiB", "-touch", "all", "-time", "20ms", "-modes", "transfer,share"}, &out, &errOut))
	assert.Contains(t, out.String(), "round trip p50")
	assert.Contains(t, out.String(), "transfer")
	assert.Contains(t, out.String(), "all")
	assert.NotContains(t, out.String(), "copy")
	assert.NotContains(t, out.String(), "GB/s")

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-touch", "some"}, `-touch must be ends or all, got "some"`},
		{[]string{"-sizes", "x"}, `-sizes: bad size "x"`},
		{[]string{"-sizes", "3B"}, "-sizes: size 3B is not a whole number of float64s"},
		{[]string{"-modes", "mail"}, `-modes: unknown mode "mail"`},
		{[]string{"-time", "0s"}, "-time must be > 0, got 0s"},
		{[]string{"-node", filepath.Join(t.TempDir(), "none.json")}, "-node: open "},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		errOut.Reset()
		err := runTransferVsShare(tc.args, &out, &errOut)
		require.Error(t, err, "%v", tc.args)
		assert.Equal(t, 2, exitCode(err, &errOut), "%v", tc.args)
		assert.Contains(t, errOut.String(), tc.msg, "%v", tc.args)
		assert.Equal(t, 1, strings.Count(errOut.String(), tc.msg), "printed once: %v", tc.args)
	}
}

// TestTransferVsShareNode gives the command Node.js results and checks the
// table's Node.js column, the plot, and that a file of something else is
// refused.
func TestTransferVsShareNode(t *testing.T) {
	dir := t.TempDir()
	nodePath, pngPath := filepath.Join(dir, "node.json"), filepath.Join(dir, "t.png")
	require.NoError(t, os.WriteFile(nodePath, []byte(
		`{"mode":"transfer","bytes":4096,"touch":"ends","iters":10,"rt_us_p50":35.5,"rt_us_p99":40}`+"\n"+
			`{"mode":"share","bytes":4096,"touch":"ends","iters":10,"rt_us_p50":16.25,"rt_us_p99":20}`+"\n"), 0o644))
	var out, errOut bytes.Buffer
	require.NoError(t, runTransferVsShare([]string{"-sizes", "4KiB", "-time", "20ms", "-modes", "transfer,share,copy",
		"-node", nodePath, "-plot", pngPath}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "Node.js p50 (µs)")
	assert.Contains(t, out.String(), "35.500")
	assert.Contains(t, out.String(), "16.250")
	// copy has no Node.js figure in the file.
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "copy") && strings.Contains(line, "4KiB") {
			f := strings.Fields(line)
			assert.Equal(t, []string{"-", "-"}, f[len(f)-2:], line)
		}
	}
	png, err := os.ReadFile(pngPath)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")), "not a PNG")

	require.NoError(t, os.WriteFile(nodePath, []byte(`{"pool":"piscina"}`+"\n"), 0o644))
	err = runTransferVsShare([]string{"-sizes", "4KiB", "-time", "20ms", "-node", nodePath}, &out, &errOut)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a transfer-vs-share result")
}

func TestTourTransfer(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, tourTransfer(&out))
	for _, m := range transferModes {
		assert.Contains(t, out.String(), m)
	}
	assert.Contains(t, out.String(), "4MiB")
}

func TestPlotTicks(t *testing.T) {
	var labels []string
	for _, tk := range (sizeTicks{}).Ticks(1024, 64<<20) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"1KiB", "4KiB", "16KiB", "64KiB", "256KiB", "1MiB", "4MiB", "16MiB", "64MiB"}, labels)
	labels = labels[:0]
	for _, tk := range (oneTwoFiveTicks{}).Ticks(0.15, 30) {
		labels = append(labels, tk.Label)
	}
	assert.Equal(t, []string{"0.2", "0.5", "1", "2", "5", "10", "20"}, labels)
}
