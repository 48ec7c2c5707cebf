// gemm.c times OpenBLAS cblas_dgemm and cblas_sgemm on n×n row-major
// matrices, best of several runs, and prints "matmul-<type>-<n> GFLOP/s".
// Build: gcc -O2 gemm.c -o gemm -lopenblas
// Usage: gemm [runs [n ...]]   (default 5 runs, n = 1024 2048)
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

char *openblas_get_corename(void);

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	fprintf(stderr, "openblas core: %s, threads: %d\n", openblas_get_corename(), openblas_get_num_threads());
	int def[] = {1024, 2048}, *sizes = def, ns = 2;
	if (argc > 2) { /* gemm runs n1 n2 ... */
		ns = argc - 2;
		sizes = malloc(sizeof(int) * ns);
		for (int s = 0; s < ns; s++) sizes[s] = atoi(argv[s + 2]);
	}
	for (int s = 0; s < ns; s++) {
		int n = sizes[s];
		double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n), *c = malloc(sizeof(double) * n * n);
		float *af = malloc(sizeof(float) * n * n), *bf = malloc(sizeof(float) * n * n), *cf = malloc(sizeof(float) * n * n);
		for (long i = 0; i < (long)n * n; i++) {
			a[i] = af[i] = drand48() * 2 - 1;
			b[i] = bf[i] = drand48() * 2 - 1;
		}
		double best = 1e30, bestf = 1e30;
		for (int r = 0; r < runs; r++) {
			double t = now();
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
			t = now() - t;
			if (t < best) best = t;
			t = now();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, af, n, bf, n, 0, cf, n);
			t = now() - t;
			if (t < bestf) bestf = t;
		}
		double flop = 2.0 * n * n * n;
		printf("matmul-float64-%d %.2f\n", n, flop / best / 1e9);
		printf("matmul-float32-%d %.2f\n", n, flop / bestf / 1e9);
		free(a); free(b); free(c); free(af); free(bf); free(cf);
	}
	return 0;
}
