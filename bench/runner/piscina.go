package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sharc-go/sharc/bench/internal/pools"
)

// piscinaTables compares workers.Pool with piscina, Node.js's task pool
// (bench/node/pool), on empty tasks and on tasks of ~100 µs of work. Each
// round is one batch through a fresh workers.Pool in this process and one
// run of the Node.js script (a fresh piscina pool, warmed up before its
// timed batch).
func piscinaTables(e *env) ([]table, error) {
	if e.noPeers {
		return nil, nil
	}
	dir := filepath.Join(e.bench, "node", "pool")
	if !have("node") {
		e.note("piscina not run: node not installed (apt-get install -y nodejs npm)")
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "piscina")); err != nil {
		e.note("piscina not run: bench/node/pool/node_modules/piscina missing (cd bench/node/pool && npm ci)")
		return nil, nil
	}
	tiny, cpu := 10_000, 1_000
	if e.quick {
		tiny, cpu = 4_000, 400
	}
	cs := map[string]pools.Contender{}
	for _, c := range pools.Contenders() {
		cs[c.Name] = c
	}
	calibrate()
	t := table{Section: "piscina", Title: "workers.Pool vs piscina",
		About: fmt.Sprintf("%d workers or threads each; time per task over a batch of tasks. workers.Pool is fed by %d producer goroutines; piscina (bench/node/pool/pool.mjs -keys) keeps up to 512 tasks in flight with `await pool.run`. Empty tasks: %d per batch; ~100 µs tasks (a spin loop on either side): %d per batch.", e.threads, e.threads, tiny, cpu)}
	node := command("piscina", nil, nil, "node", filepath.Join(dir, "pool.mjs"), "-keys", "-threads", strconv.Itoa(e.threads),
		"-n", strconv.Itoa(tiny), "-cpu-n", strconv.Itoa(cpu))
	empty := poolSide(cs["workers.Pool"], e.threads, e.threads, tiny, taskWork{"~0", 0})
	busy := poolSide(cs["workers.Pool"], e.threads, e.threads, cpu, taskWork{"100 µs", 100 * time.Microsecond})
	sharc := side{name: "workers.Pool", run: func() (map[string]float64, error) {
		a, err := empty.run()
		if err != nil {
			return nil, err
		}
		b, err := busy.run()
		if err != nil {
			return nil, err
		}
		return map[string]float64{"tiny": a["task"], "cpu": b["task"]}, nil
	}}
	rs, err := runPairs(comparison{a: sharc, b: node, rows: []row{{"empty tasks", "tiny", "tiny"}, {"~100 µs tasks", "cpu", "cpu"}}}, e.pairs)
	if err != nil {
		return nil, err
	}
	t.Results = rs
	return []table{t}, nil
}
