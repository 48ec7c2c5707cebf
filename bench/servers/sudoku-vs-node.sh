#!/bin/bash
# Runs demo sudoku-server against its Node.js original (bench/node/sudoku:
# piscina, one thread per core, the same solver ported line for line) under
# the same load, and the goroutine pool against -processes, each server
# alone on the machine in turn, in alternated pairs (A,B then B,A, ...).
#
# Every run: the server; `demo load` with -c clients POSTing Inkala's
# "world's hardest" puzzle to /solve for -d seconds; and, from a process of
# its own, `demo load -c 0` probing /healthz every 10 ms. Under "polite"
# load the clients wait the Retry-After of a 503; under "flood" they retry
# at once. Printed per run: solves/s (200 answers), request p50/p99, prober
# /healthz p99; per comparison: the median and min-max of the per-pair
# ratios. Last, what a crashing solver costs each server.
#
# Usage: bench/servers/sudoku-vs-node.sh [-pairs 7] [-d 5] [-c 64] [-workers 2] [-queue 16]
# (needs go, node >= 20, npm, curl, python3; ~10 min with the defaults)
set -eu
cd "$(dirname "$0")/../.."
PAIRS=7 D=5 C=64 W=$(nproc) Q=16 CMP=""
while [ $# -gt 0 ]; do
	case "$1" in
	-pairs) PAIRS=$2; shift 2 ;;
	-d) D=$2; shift 2 ;;
	-c) C=$2; shift 2 ;;
	-workers) W=$2; shift 2 ;;
	-queue) Q=$2; shift 2 ;;
	*) echo "usage: $0 [-pairs N] [-d SECONDS] [-c CLIENTS] [-workers N] [-queue N]" >&2; exit 2 ;;
	esac
done
if [ "$D" -lt 3 ]; then echo "-d must be at least 3 (the prober starts 1 s in and stops 1 s early)" >&2; exit 2; fi
for tool in node npm curl python3; do
	command -v $tool >/dev/null || { echo "$0: $tool is not installed" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/demo" ./cmd/demo
if [ ! -d bench/node/sudoku/node_modules/piscina ]; then
	(cd bench/node/sudoku && npm ci --no-audit --no-fund >/dev/null)
fi
printf '{"puzzle":"8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."}' >"$tmp/hard.json"
port=18300

# start KIND: starts a server of KIND on a fresh port, waits for /healthz,
# and sets url and sp.
start() {
	port=$((port + 1))
	url=http://127.0.0.1:$port
	if curl -s -o /dev/null "$url/healthz"; then
		echo "$0: something already listens on port $port" >&2
		exit 1
	fi
	local cmd
	case $1 in
	goroutines) cmd=("$tmp/demo" sudoku-server -addr 127.0.0.1:$port -workers "$W" -queue "$Q") ;;
	processes) cmd=("$tmp/demo" sudoku-server -addr 127.0.0.1:$port -processes "$W" -queue "$Q") ;;
	node) cmd=(node bench/node/sudoku/server.mjs -addr 127.0.0.1:$port -threads "$W" -queue "$Q") ;;
	esac
	"${cmd[@]}" >/dev/null 2>"$tmp/server.log" &
	sp=$!
	pids+=("$sp")
	for _ in $(seq 300); do
		if curl -sf "$url/healthz" >/dev/null 2>&1; then
			kill -0 "$sp" && return
			break
		fi
		sleep 0.05
	done
	echo "$1 server did not start:" >&2
	cat "$tmp/server.log" >&2
	exit 1
}

stop() {
	kill -TERM "$sp" 2>/dev/null || true
	wait "$sp" 2>/dev/null || true
}

# run KIND MODE: one run; appends a JSON line to $tmp/runs.jsonl.
run() {
	local kind=$1 mode=$2 lflags=""
	[ "$mode" = polite ] && lflags=-retry-after
	start "$kind"
	# shellcheck disable=SC2086
	"$tmp/demo" load -url "$url/solve" -body "$tmp/hard.json" -c "$C" -d "${D}s" $lflags -json >"$tmp/load.json" &
	local lp=$!
	sleep 1
	# Fails (non-zero) only if no probe at all was answered in time.
	"$tmp/demo" load -c 0 -d "$((D - 2))s" -health "$url/healthz" -json >"$tmp/probe.json" || true
	wait "$lp"
	stop
	python3 - "$kind" "$mode" "$tmp/load.json" "$tmp/probe.json" "$CMP" >>"$tmp/runs.jsonl" <<'PY'
import json, sys
kind, mode, load, probe = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
h = probe.get("health") or {}
print(json.dumps({"cmp": sys.argv[5], "kind": kind, "mode": mode, "solves": load["ok_per_second"], "p50": load["latency"]["p50_ms"],
                  "p99": load["latency"]["p99_ms"], "hp99": h.get("p99_ms", float("nan")), "status": load["status"],
                  "probes": h.get("count", 0), "probe_failures": probe.get("health_failures", 0)}))
PY
	tail -1 "$tmp/runs.jsonl" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("  %-10s %-6s %8.1f solves/s  p50 %8.2f ms  p99 %8.2f ms  /healthz p99 %7.2f ms  %s" % (r["kind"], r["mode"], r["solves"], r["p50"], r["p99"], r["hp99"], r["status"]))'
}

# compare A B: PAIRS alternated pairs of runs of A and B in each mode.
compare() {
	local a=$1 b=$2
	CMP="$a vs $b"
	for mode in polite flood; do
		echo "== $a vs $b, $mode load: $PAIRS pairs"
		for i in $(seq "$PAIRS"); do
			if [ $((i % 2)) = 1 ]; then run "$a" $mode; run "$b" $mode; else run "$b" $mode; run "$a" $mode; fi
		done
	done
}

# crash KIND: what one crashing solve costs. With -processes, the solver
# process dies (SHARC_DEMO_CRASH=exit makes a child exit on demo's crash
# puzzle): the request gets a 500 and the next ones are answered. The
# goroutine pool runs the solver in the server's own process: a crash there
# ends the server, so the cost is a restart: the time from exec to the
# first /healthz answer (a supervisor's restart delay comes on top).
crash() {
	echo "== what a crashing solver costs"
	local crashp='{"puzzle":"123456789........................................................................"}'
	SHARC_DEMO_CRASH=exit start processes
	local t0 t1 t2 code
	t0=$(date +%s%N)
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$crashp" "$url/solve")
	t1=$(date +%s%N)
	curl -sf -o /dev/null -H 'Content-Type: application/json' -d @"$tmp/hard.json" "$url/solve"
	t2=$(date +%s%N)
	local st
	st=$(curl -s "$url/stats")
	stop
	echo "  processes:  the crashing request got $code after $(((t1 - t0) / 1000000)) ms; the next solve answered 200 in $(((t2 - t1) / 1000000)) ms; /stats: $(echo "$st" | python3 -c 'import json,sys; s=json.load(sys.stdin); print("died %d, restarts %d, workers %d" % (s.get("died",0), s.get("restarts",0), s["workers"]))')"
	local best=999999
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		start goroutines
		t1=$(date +%s%N)
		stop
		best=$(( (t1 - t0) / 1000000 < best ? (t1 - t0) / 1000000 : best ))
	done
	echo "  goroutines: the crash ends the server: every request in flight fails, connections are refused until it is restarted; exec to first /healthz answer: $best ms (best of 5)"
	best=999999
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		start node
		t1=$(date +%s%N)
		stop
		best=$(( (t1 - t0) / 1000000 < best ? (t1 - t0) / 1000000 : best ))
	done
	echo "  node:       an exception in a piscina task fails its request only; a crashed worker thread (process.exit in a task, a native fault) is replaced; a fatal fault ends the server; exec to first /healthz answer: $best ms (best of 5)"
}

echo "# $(date -u +%FT%TZ), $(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $("$tmp/demo" -version), $(go version | cut -d' ' -f3), node $(node --version), piscina $(node -p 'require("./bench/node/sudoku/node_modules/piscina/package.json").version')"
echo "# each run: -workers/-threads/-processes $W, -queue $Q; demo load -c $C -d ${D}s on Inkala's puzzle; /healthz prober in its own process"
compare goroutines node
compare goroutines processes
python3 - "$tmp/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def pairs(a, b, mode):
    cmp = a + " vs " + b
    ra = [r for r in runs if r["cmp"] == cmp and r["kind"] == a and r["mode"] == mode]
    rb = [r for r in runs if r["cmp"] == cmp and r["kind"] == b and r["mode"] == mode]
    return list(zip(ra, rb))
def stat(xs):
    return "%.2f (%.2f-%.2f)" % (statistics.median(xs), min(xs), max(xs))
def med(rs, k):
    return statistics.median(r[k] for r in rs)
print()
print("| comparison | load | solves/s A | solves/s B | A/B solves/s | p50 ms A / B | p99 ms A / B | /healthz p99 ms A / B | A/B /healthz p99 |")
print("|---|---|---|---|---|---|---|---|---|")
for a, b in (("goroutines", "node"), ("goroutines", "processes")):
    for mode in ("polite", "flood"):
        ps = pairs(a, b, mode)
        if not ps:
            continue
        A, B = [p[0] for p in ps], [p[1] for p in ps]
        sr = [x["solves"] / y["solves"] for x, y in ps if y["solves"] > 0]
        hr = [x["hp99"] / y["hp99"] for x, y in ps if y["hp99"] > 0]
        print("| %s (A) vs %s (B), %d pairs | %s | %.0f | %.0f | %s | %.1f / %.1f | %.1f / %.1f | %.2f / %.2f | %s |" % (
            a, b, len(ps), mode, med(A, "solves"), med(B, "solves"), stat(sr) if sr else "-",
            med(A, "p50"), med(B, "p50"), med(A, "p99"), med(B, "p99"), med(A, "hp99"), med(B, "hp99"),
            stat(hr) if hr else "-"))
print()
print("Medians over the runs; ratios are the median (min-max) of the per-pair ratios.")
PY
crash
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
