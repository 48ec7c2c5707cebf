#!/bin/sh
# node.sh prints workers.Pool, its Go peers (bench/pool) and Node.js piscina
# (bench/node/pool) on the same tasks side by side, as a Markdown table, then
# the target ratios: workers.Pool's tiny-task throughput against the best Go
# pool library and against piscina, and its lone-task p99.
#
#   bench/pool/node.sh [-n 1000000] [-cpu-n 4000] [-lone 20000] [-rounds 3]
set -eu
cd "$(dirname "$0")/../.."
n=1000000
cpun=4000
lone=20000
rounds=3
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-cpu-n) cpun=$2; shift 2 ;;
	-lone) lone=$2; shift 2 ;;
	-rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 [-n TINY] [-cpu-n CPU] [-lone LONE] [-rounds R]" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd bench && go run ./pool -n "$n" -cpu-n "$cpun" -lone "$lone" -rounds "$rounds" -json) >"$tmp/go.jsonl"
: >"$tmp/node.jsonl"
if command -v node >/dev/null 2>&1; then
	if [ ! -d bench/node/pool/node_modules/piscina ]; then
		(cd bench/node/pool && npm install --no-audit --no-fund >&2)
	fi
	# piscina is ~100x slower per tiny task: a tenth of the tasks is plenty.
	node bench/node/pool/pool.mjs -n $((n / 10)) -cpu-n "$cpun" -lone $((lone / 4)) -rounds "$rounds" -json >"$tmp/node.jsonl"
else
	echo "node.sh: node is not installed; piscina is left out" >&2
fi
python3 - "$tmp/go.jsonl" "$tmp/node.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for p in sys.argv[1:] for l in open(p) if l.strip()]
pools = list(dict.fromkeys(r["pool"] for r in rows))
by = {(r["pool"], r["task"]): r for r in rows}
ref = by[("workers.Pool", "tiny")]
def rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.1f} k"
print("| pool | tiny tasks/s | vs workers.Pool | lone tiny p50 µs | lone tiny p99 µs | 100 µs CPU tasks/s | lone CPU p50 µs |")
print("|---|---:|---:|---:|---:|---:|---:|")
for p in pools:
    t, c = by.get((p, "tiny")), by.get((p, "100µs CPU"))
    if t is None:
        continue
    cpu = (rate(c["tasks_per_s"]), f'{c["lone_p50_us"]:.1f}') if c else ("", "")
    print(f'| {p} | {rate(t["tasks_per_s"])} | {t["tasks_per_s"] / ref["tasks_per_s"]:.2f}× | '
          f'{t["lone_p50_us"]:.2f} | {t["lone_p99_us"]:.2f} | {cpu[0]} | {cpu[1]} |')
libs = [r for r in rows if r["task"] == "tiny" and not r["pool"].startswith(("workers.", "channel", "piscina"))]
best = max(libs, key=lambda r: r["tasks_per_s"])
print()
print(f'workers.Pool tiny throughput: {ref["tasks_per_s"] / best["tasks_per_s"]:.2f}× the best Go pool library ({best["pool"]}; target ≥ 1.0×)')
pis = [r for r in rows if r["task"] == "tiny" and r["pool"].startswith("piscina")]
if pis:
    print(f'workers.Pool tiny throughput: {ref["tasks_per_s"] / pis[0]["tasks_per_s"]:.0f}× piscina (target ≥ 100×)')
    print(f'lone tiny task round trip through piscina\'s threads: p50 {pis[0]["lone_p50_us"]:.1f} µs, p99 {pis[0]["lone_p99_us"]:.1f} µs')
print(f'workers.Pool lone tiny task p99: {ref["lone_p99_us"]:.2f} µs (target ≤ 2 µs)')
PY
