package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"
)

// The process-per-task method re-executes this test binary; serve as the
// child here, before any test runs.
func init() {
	if os.Getenv("SHARC_DEMO_CHILD") == spawnChildMarker {
		runSpawnChild()
	}
}

func TestSpawnCostJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runSpawnCost([]string{"-n", "100", "-json"}, &out, &errb); err != nil {
		t.Fatalf("spawn-cost: %v (stderr %q)", err, errb.String())
	}
	sc := bufio.NewScanner(&out)
	seen := map[string]int{}
	for sc.Scan() {
		var r spawnResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		if r.Demo != "spawn-cost" || r.N < 10 || r.PerTaskUS <= 0 || r.TasksPerS <= 0 {
			t.Errorf("implausible row %+v", r)
		}
		if r.Task == "100µs CPU" && r.PerTaskUS*float64(runtime.GOMAXPROCS(0)) < 90 {
			// p cores can at best divide the wall time of a 100 µs task by p.
			t.Errorf("CPU task too cheap: %+v", r)
		}
		seen[r.Method]++
	}
	for _, m := range []string{"goroutine per task", "locked OS thread per task", "OS process per task", "workers.Pool", "process worker (workers/proc)", "workers.Team For"} {
		if seen[m] != 2 {
			t.Errorf("method %q: %d rows, want 2 (tiny and CPU)", m, seen[m])
		}
	}
}

func TestSpawnCostTable(t *testing.T) {
	var out, errb bytes.Buffer
	if err := runSpawnCost([]string{"-n", "100"}, &out, &errb); err != nil {
		t.Fatalf("spawn-cost: %v (stderr %q)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 13 || !strings.Contains(lines[0], "overhead µs/task/core") {
		t.Errorf("want a labelled header and 12 rows, got:\n%s", out.String())
	}
}

// TestSpawnSummary checks that the tour's conclusion comes from the
// measured rows: the 100 µs task's methods, costliest first, each as a
// multiple of the task.
func TestSpawnSummary(t *testing.T) {
	var out bytes.Buffer
	printSpawnSummary(&out, []spawnResult{
		{Method: "goroutine per task", TaskUS: 0, Overhead: 1},
		{Method: "goroutine per task", TaskUS: 100, Overhead: 5},
		{Method: "OS process per task", TaskUS: 100, Overhead: 2500},
		{Method: "workers.Pool", TaskUS: 100, Overhead: 0.5},
	})
	want := "Overhead beyond a 100 µs task, in units of the task, this run:\n" +
		"  OS process per task                25.00×\n" +
		"  goroutine per task                  0.05×\n" +
		"  workers.Pool                        0.01×\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
