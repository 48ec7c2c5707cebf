#!/bin/sh
# Prints sharc ÷ Node.js GB/s for sum and dot on 2^26 float64: sharc's
# kernels.SumOn/DotOn on a team of W workers (bench/kernels/sharc) next to
# bench/node/kernels/kernels.mjs, W persistent worker_threads over a
# SharedArrayBuffer synchronised with Atomics.wait/notify; best of 5 each.
# Usage: bench/kernels/node.sh [workers]   (default 2)
set -eu
cd "$(dirname "$0")"
W=${1:-2}
if ! command -v node >/dev/null 2>&1; then
	echo "node.sh: node is not installed; skipping the Node.js comparison" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/sharc" ./sharc
"$tmp/sharc" -workers "$W" | grep -v '^axpy' > "$tmp/go.txt"
node ../node/kernels/kernels.mjs -workers "$W" > "$tmp/node.txt"
printf '%-6s %12s %12s %12s\n' kernel "sharc GB/s" "Node GB/s" "sharc/Node"
join "$tmp/go.txt" "$tmp/node.txt" | awk '{ printf "%-6s %12.2f %12.2f %12.2f\n", $1, $2, $3, $2 / $3 }'
