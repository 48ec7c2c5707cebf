// STREAM-style limits for sum, dot, axpy on n float64 (default 2^26) with
// OpenMP. Prints "kernel GB/s" lines, each the best of reps calls (default
// 5). Built by bench/run with
// gcc -O3 -march=native -ffast-math -fopenmp.
// Usage: stream [n [reps]]
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static double now(void) { return omp_get_wtime(); }

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1L << 26;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
#pragma omp parallel for
	for (long i = 0; i < n; i++) { x[i] = (i % 7) * 0.25; y[i] = (i % 5) * 0.5; }
	double best[3] = {1e9, 1e9, 1e9}, sink = 0;
	for (int r = 0; r < reps; r++) {
		double t = now(), s = 0;
#pragma omp parallel for reduction(+ : s)
		for (long i = 0; i < n; i++) s += x[i];
		t = now() - t; sink += s; if (t < best[0]) best[0] = t;

		t = now(); s = 0;
#pragma omp parallel for reduction(+ : s)
		for (long i = 0; i < n; i++) s += x[i] * y[i];
		t = now() - t; sink += s; if (t < best[1]) best[1] = t;

		t = now();
#pragma omp parallel for
		for (long i = 0; i < n; i++) y[i] += 1e-12 * x[i];
		t = now() - t; if (t < best[2]) best[2] = t;
	}
	printf("sum %.3f\ndot %.3f\naxpy %.3f\n", 8.0 * n / best[0] / 1e9, 16.0 * n / best[1] / 1e9, 24.0 * n / best[2] / 1e9);
	fprintf(stderr, "threads=%d sink=%g\n", omp_get_max_threads(), sink);
	return 0;
}
