package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sharc-go/sharc/shm"
)

// shareTables compares the bare ping-pong on a shm.Uint32 with Node.js's
// Atomics ping-pong, and demo transfer-vs-share with its Node.js
// counterpart (bench/node/transfer) mode by mode.
func shareTables(e *env) ([]table, error) {
	n := 1_000_000
	if e.quick {
		n = 100_000
	}
	if e.noPeers {
		return nil, nil
	}
	if !have("node") {
		e.note("share (ping-pong and transfer-vs-share vs Node.js) not run: node not installed (apt-get install -y nodejs)")
		return nil, nil
	}
	pp := table{Section: "share", Title: "Spin ping-pong on a shared word vs Node.js Atomics",
		About: fmt.Sprintf("Two goroutines pass the turn on a shm.Uint32 in a shm.New region (Load/Store only) vs bench/node/pingpong (main thread and a worker on an Int32Array over a SharedArrayBuffer, Atomics.load/store only); %d round trips timed as one batch per round.", n)}
	rs, err := runPairs(comparison{a: goPingPong(n), b: timedCommand("Node.js", pingPongLimit, "node", e.bench+"/node/pingpong/pingpong.mjs", "-n", strconv.Itoa(n)),
		rows: []row{{"round trip", "pingpong", "pingpong"}}}, e.pairs)
	var out []table
	if err != nil {
		e.note("share ping-pong not run: %v", firstLine(err))
	} else {
		pp.Results = rs
		out = append(out, pp)
	}

	demo := filepath.Join(e.tmp, "demo")
	if err := build(filepath.Join(e.bench, ".."), "go", "build", "-o", demo, "./cmd/demo"); err != nil {
		e.note("transfer-vs-share not run: building cmd/demo: %v", firstLine(err))
		return out, nil
	}
	sizes, budget := "1KiB,1MiB,64MiB", "0.3"
	if e.quick {
		sizes, budget = "1KiB,1MiB", "0.1"
	}
	tv := table{Section: "share", Title: "demo transfer-vs-share vs Node.js",
		About: "Median round trip of handing a float64 payload to a worker and back: copy (structured clone / shm.Buffer.Clone), transfer (transfer list / shm.Buffer.Transfer), share (shared memory, the turn passed with Atomics.wait/notify / shm.Uint32 Wait/Notify), share-spin (the same, spinning). `go run ./cmd/demo transfer-vs-share -json -sizes " + sizes + "` vs `node bench/node/transfer/transfer.mjs` with the same flags, one run of each per round."}
	// The demo takes a Go duration, the script seconds.
	a := jsonSide("sharc", []string{demo, "transfer-vs-share", "-json", "-sizes", sizes, "-time", budget + "s"})
	b := jsonSide("Node.js", []string{"node", e.bench + "/node/transfer/transfer.mjs", "-sizes", sizes, "-time", budget})
	var rows []row
	for _, s := range strings.Split(sizes, ",") {
		for _, m := range []string{"copy", "transfer", "share", "share-spin"} {
			rows = append(rows, row{m + " " + s, m + "-" + s, m + "-" + s})
		}
	}
	rs, err = runPairs(comparison{a: a, b: b, rows: rows}, e.pairs)
	if err != nil {
		return nil, err
	}
	tv.Results = rs
	return append(out, tv), nil
}

// timedCommand is a side that runs argv once per round, as command does,
// and fails if a run takes longer than limit.
func timedCommand(name string, limit time.Duration, argv ...string) side {
	return side{name: name, run: func() (map[string]float64, error) {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		var out, errb bytes.Buffer
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: no answer in %v (a busy machine?)", strings.Join(argv, " "), limit)
			}
			return nil, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(errb.String()))
		}
		return parseTimes(out.Bytes(), nil)
	}}
}

// commandLimit bounds one run of a transfer-vs-share command (a few
// seconds on an idle machine).
const commandLimit = 3 * time.Minute

// jsonSide runs a transfer-vs-share command and keys its median round trips
// by mode and size.
func jsonSide(name string, argv []string) side {
	return side{name: name, run: func() (map[string]float64, error) {
		ctx, cancel := context.WithTimeout(context.Background(), commandLimit)
		defer cancel()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
		}
		m := map[string]float64{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			var r struct {
				Mode  string  `json:"mode"`
				Bytes int     `json:"bytes"`
				P50   float64 `json:"rt_us_p50"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				return nil, fmt.Errorf("%s: line %q: %w", name, line, err)
			}
			m[r.Mode+"-"+sizeName(r.Bytes)] = r.P50 * 1e3
		}
		return m, nil
	}}
}

func sizeName(b int) string {
	switch {
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return fmt.Sprintf("%dB", b)
}

// pingPongLimit bounds one round of the ping-pong: a million round trips
// take about 0.1 s on two free cores.
const pingPongLimit = 20 * time.Second

// goPingPong passes the turn between two goroutines on a shm.Uint32: 1 is
// the peer's turn, 0 ours, 2 stops the peer. n round trips are timed as one
// batch, with no clock read, yield or check inside it.
func goPingPong(n int) side {
	return side{name: "sharc", run: func() (map[string]float64, error) {
		r, err := shm.New(4096)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		w, err := r.Uint32(0)
		if err != nil {
			return nil, err
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				v := w.Load()
				for ; v == 0; v = w.Load() {
				}
				if v == 2 {
					return
				}
				w.Store(0)
			}
		}()
		rounds := func(k int) {
			for range k {
				w.Store(1)
				for w.Load() != 0 {
				}
			}
		}
		defer func() {
			w.Store(2)
			<-done
			runtime.KeepAlive(r)
		}()
		rounds(10_000)
		// The batch is timed whole; it is split in blocks only to give up
		// on a machine too busy for two spinning threads (each round trip
		// then waits for a time slice), which would otherwise take hours.
		const block = 1 << 14
		t := time.Now()
		for ran := 0; ran < n; ran += block {
			rounds(min(block, n-ran))
			if el := time.Since(t); el > pingPongLimit {
				return nil, fmt.Errorf("ping-pong: %d round trips took %v (a busy machine: each side needs a core of its own)", ran+block, el.Round(time.Second))
			}
		}
		el := time.Since(t)
		return map[string]float64{"pingpong": float64(el.Nanoseconds()) / float64(n)}, nil
	}}
}
