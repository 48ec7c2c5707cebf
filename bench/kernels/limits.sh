#!/bin/sh
# Prints sharc ÷ C/OpenMP (gcc -O3 -march=native -ffast-math -fopenmp) GB/s for
# sum, dot and axpy on 2^26 float64 with the same number of threads.
# Usage: bench/kernels/limits.sh [threads]   (default 2)
set -eu
cd "$(dirname "$0")"
T=${1:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O3 -march=native -ffast-math -fopenmp stream.c -o "$tmp/stream"
go build -o "$tmp/sharc" ./sharc
OMP_NUM_THREADS=$T "$tmp/stream" > "$tmp/c.txt"
"$tmp/sharc" -workers "$T" > "$tmp/go.txt"
printf '%-6s %12s %12s %10s\n' kernel "sharc GB/s" "C/OMP GB/s" "sharc/C"
join "$tmp/go.txt" "$tmp/c.txt" | awk '{ printf "%-6s %12.2f %12.2f %10.2f\n", $1, $2, $3, $2 / $3 }'
