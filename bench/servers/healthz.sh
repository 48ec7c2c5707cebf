#!/bin/bash
# Measures what the worker pool buys the demo servers, each in a process of
# its own: the server, the load generator (demo load) and a separate /healthz
# prober (demo load -c 0), all over loopback. For each server it runs:
#   pool      the default: workers on niced threads (-nice 10), GOMAXPROCS
#             raised to workers + CPUs, GOGC=400
#   pool-old  the pool without those (-nice 0 -headroom=false)
#   no-pool   the naive server, hashing/solving in the handler
# each against a flood (clients retry a 503 at once) and, for the pooled
# servers, against polite clients (-retry-after: they wait the Retry-After).
# Usage: bench/servers/healthz.sh [seconds per run]   (default 5; ~2 min)
set -eu
cd "$(dirname "$0")/../.."
D=${1:-5}
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/demo" ./cmd/demo
printf '{"puzzle":"8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."}' > "$tmp/hard.json"
printf '{"user":"alice","password":"correct horse battery"}' > "$tmp/alice.json"
port=18180

# run NAME SERVER "SERVER FLAGS" PATH BODY CLIENTS "LOAD FLAGS"
run() {
	local name=$1 server=$2 sflags=$3 path=$4 body=$5 c=$6 lflags=$7
	port=$((port + 1))
	local url=http://127.0.0.1:$port
	# shellcheck disable=SC2086
	"$tmp/demo" "$server" -addr 127.0.0.1:$port $sflags 2>"$tmp/server.log" >/dev/null &
	local sp=$!
	pids+=("$sp")
	for _ in $(seq 100); do curl -sf "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
	if [ "$server" = auth-server ]; then
		curl -sf -H "Content-Type: application/json" "$url/register" -d @"$tmp/alice.json" >/dev/null
	fi
	# shellcheck disable=SC2086
	"$tmp/demo" load -url "$url$path" -body "$body" -c "$c" -d "${D}s" $lflags -health "$url/healthz" >"$tmp/load.txt" &
	local lp=$!
	sleep 1
	"$tmp/demo" load -c 0 -d "$((D - 2))s" -health "$url/healthz" >"$tmp/probe.txt"
	wait "$lp"
	kill -TERM "$sp"
	local rc=0
	wait "$sp" || rc=$?
	echo "== $name: $server $sflags; load -c $c $lflags"
	grep -v '^load:' "$tmp/load.txt"
	sed -n 's/^  health ms /  prober ms  /p' "$tmp/probe.txt"
	echo "  server exit status $rc after SIGTERM"
}

echo "# $(date -u +%FT%TZ), $(nproc) CPUs, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
S="-workers 2 -queue 16"
run "sudoku pool, flood" sudoku-server "$S" /solve "$tmp/hard.json" 64 ""
run "sudoku pool, polite" sudoku-server "$S" /solve "$tmp/hard.json" 64 -retry-after
run "sudoku pool-old, flood" sudoku-server "$S -nice 0 -headroom=false" /solve "$tmp/hard.json" 64 ""
run "sudoku pool-old, polite" sudoku-server "$S -nice 0 -headroom=false" /solve "$tmp/hard.json" 64 -retry-after
run "sudoku no-pool" sudoku-server -no-pool /solve "$tmp/hard.json" 64 ""
A="-workers 2 -queue 8"
run "auth pool, flood" auth-server "$A" /login "$tmp/alice.json" 32 ""
run "auth pool, polite" auth-server "$A" /login "$tmp/alice.json" 32 -retry-after
run "auth pool-old, flood" auth-server "$A -nice 0 -headroom=false" /login "$tmp/alice.json" 32 ""
run "auth pool-old, polite" auth-server "$A -nice 0 -headroom=false" /login "$tmp/alice.json" 32 -retry-after
run "auth no-pool" auth-server -no-pool /login "$tmp/alice.json" 32 ""
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
