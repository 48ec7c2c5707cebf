#!/bin/sh
# compare-node.sh runs `demo transfer-vs-share -json` and its Node.js
# counterpart (bench/node/transfer) at the same sizes and prints, per mode and
# size, both median round trips and their ratio (Node / sharc).
#
#   bench/compare-node.sh [-sizes 1KiB,64KiB,1MiB,16MiB,64MiB] [-time 0.5]
#   PLOT=docs/transfer-vs-share.png bench/compare-node.sh   # also draw sharc's plot
set -eu
cd "$(dirname "$0")/.."
sizes=1KiB,64KiB,1MiB,16MiB,64MiB,256MiB
time=0.5
while [ $# -gt 0 ]; do
	case "$1" in
	-sizes) sizes=$2; shift 2 ;;
	-time) time=$2; shift 2 ;;
	*) echo "usage: $0 [-sizes LIST] [-time SECONDS]" >&2; exit 2 ;;
	esac
done
if ! command -v node >/dev/null 2>&1; then
	echo "compare-node: node is not installed; skipping the Node.js comparison" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/demo transfer-vs-share -sizes "$sizes" -time "${time}s" -json ${PLOT:+-plot "$PLOT"} >"$tmp/go.jsonl"
node bench/node/transfer/transfer.mjs -sizes "$sizes" -time "$time" >"$tmp/node.jsonl"
python3 - "$tmp/go.jsonl" "$tmp/node.jsonl" <<'PY'
import json, sys
def load(p):
    return {(r["mode"], r["bytes"]): r for r in map(json.loads, open(p))}
g, n = load(sys.argv[1]), load(sys.argv[2])
def size(b):
    for u, m in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= m and b % m == 0:
            return f"{b // m} {u}"
    return f"{b} B"
print(f"| {'mode':<10} | {'size':>8} | {'sharc p50 (µs)':>14} | {'Node p50 (µs)':>13} | {'Node / sharc':>12} |")
print(f"|{'-'*12}|{'-'*10}:|{'-'*15}:|{'-'*14}:|{'-'*13}:|")
for key in g:
    if key not in n:
        continue
    a, b = g[key]["rt_us_p50"], n[key]["rt_us_p50"]
    print(f"| {key[0]:<10} | {size(key[1]):>8} | {a:>14.2f} | {b:>13.2f} | {b / max(a, 1e-3):>11.1f}× |")
PY
