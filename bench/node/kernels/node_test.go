// Package kernels checks the Node.js counterpart of sharc's Sum and Dot
// (bench/node/kernels) computes the right values and prints its JSON lines.
package kernels

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"testing"
)

func TestNodeKernelsJSON(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	for _, w := range []int{1, 2, 3} {
		const n = 100003 // not a multiple of the worker count
		out, err := exec.Command(node, "kernels.mjs", "-n", fmt.Sprint(n),
			"-workers", fmt.Sprint(w), "-reps", "2", "-json").Output()
		if err != nil {
			t.Fatalf("node, %d workers: %v", w, err)
		}
		seen := map[string]bool{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			var r struct {
				Kernel  string  `json:"kernel"`
				N       int     `json:"n"`
				Workers int     `json:"workers"`
				Ns      float64 `json:"ns"`
				GBps    float64 `json:"gb_per_s"`
				OK      bool    `json:"ok"`
			}
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			if !r.OK || r.N != n || r.Workers != w || r.Ns <= 0 || r.GBps <= 0 {
				t.Errorf("bad line %q", sc.Text())
			}
			seen[r.Kernel] = true
		}
		if !seen["sum"] || !seen["dot"] {
			t.Errorf("%d workers: kernels %v, want sum and dot", w, seen)
		}
	}
}
