#!/bin/sh
# Prints sharc ÷ C/OpenMP (gcc -O3 -march=native -ffast-math -fopenmp) GB/s for
# sum, dot and axpy on 2^26 float64 with the same number of threads, then
# sharc's MatMul GFLOP/s next to OpenBLAS dgemm/sgemm (same threads, its own
# best core: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for that run)
# and gonum (mat.Dense.Mul; blas32 Sgemm for float32) for n = 1024 and 2048.
# Usage: bench/kernels/limits.sh [threads]   (default 2)
# OpenBLAS: apt-get install -y libopenblas-dev (the MatMul table is skipped
# without it).
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

echo
if ! gcc -O2 gemm.c -o "$tmp/gemm" -lopenblas 2>"$tmp/gcc.txt"; then
	echo "MatMul table skipped: OpenBLAS not found (apt-get install -y libopenblas-dev)"
	exit 0
fi
go build -o "$tmp/matmul" ./matmul
# The machine may be shared: alternate the two programs for three rounds and
# keep each one's best figure (gonum, slow, runs in the first round only).
for round in 1 2 3; do
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$T" "$tmp/gemm" 5 >> "$tmp/blas.txt" 2> "$tmp/core.txt"
	g=0
	[ "$round" = 1 ] && g=2
	GOMAXPROCS=$T "$tmp/matmul" -workers "$T" -runs 5 -gonum-runs $g >> "$tmp/mm.txt"
done
best() { awk '{ for (i = 2; i <= NF; i++) if ($i > m[$1, i]) m[$1, i] = $i; nf = NF; k[$1] = 1 }
	END { for (x in k) { printf "%s", x; for (i = 2; i <= nf; i++) printf " %s", m[x, i]; print "" } }' "$1" | sort; }
best "$tmp/blas.txt" > "$tmp/blas-best.txt"
best "$tmp/mm.txt" > "$tmp/mm-best.txt"
cat "$tmp/core.txt"
printf '%-20s %12s %12s %8s %12s %8s\n' kernel "sharc GF/s" "OpenBLAS" "sharc/OB" "gonum GF/s" "sharc/g"
join "$tmp/mm-best.txt" "$tmp/blas-best.txt" | awk '{ printf "%-20s %12.2f %12.2f %8.2f %12.2f %8.2f\n", $1, $2, $4, $2 / $4, $3, $2 / $3 }'
