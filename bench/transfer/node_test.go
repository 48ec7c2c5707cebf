// Package transfer checks the Node.js counterpart of demo transfer-vs-share
// (bench/node/transfer) prints the same JSON lines as the Go command.
package transfer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

func TestNodeScriptJSON(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	out, err := exec.Command(node, "../node/transfer/transfer.mjs", "-sizes", "1KiB,64KiB", "-time", "0.05").Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	modes := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			Mode  string   `json:"mode"`
			Bytes int      `json:"bytes"`
			Touch string   `json:"touch"`
			Iters int      `json:"iters"`
			P50   *float64 `json:"rt_us_p50"`
			P99   *float64 `json:"rt_us_p99"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if r.P50 == nil || r.P99 == nil || *r.P50 <= 0 || *r.P99 < *r.P50 || r.Iters < 3 || r.Touch != "ends" {
			t.Errorf("bad line %q", sc.Text())
		}
		if r.Bytes != 1024 && r.Bytes != 64<<10 {
			t.Errorf("unexpected size in %q", sc.Text())
		}
		modes[r.Mode]++
	}
	for _, m := range []string{"copy", "transfer", "share", "share-spin"} {
		if modes[m] != 2 {
			t.Errorf("mode %s: %d lines, want 2", m, modes[m])
		}
	}
}
