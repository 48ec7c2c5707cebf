// gemm.c times OpenBLAS cblas_dgemm and cblas_sgemm on row-major matrices,
// best of several runs, and prints "matmul-<type>-<shape> GFLOP/s". A shape
// is n (n×n times n×n) or MxKxN (M×K times K×N).
// Build: gcc -O2 gemm.c -o gemm -lopenblas
// Usage: gemm [runs [shape ...]]   (default 5 runs, shapes 1024 2048)
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

// parse reads a shape, "n" (n×n times n×n) or "MxKxN" (M×K times K×N).
static void parse(const char *s, int *m, int *k, int *n) {
	if (sscanf(s, "%dx%dx%d", m, k, n) != 3) *m = *k = *n = atoi(s);
}

int main(int argc, char **argv) {
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	fprintf(stderr, "openblas core: %s, threads: %d\n", openblas_get_corename(), openblas_get_num_threads());
	const char *def[] = {"1024", "2048"}, **shapes = def;
	int ns = 2;
	if (argc > 2) { /* gemm runs shape1 shape2 ... */
		ns = argc - 2;
		shapes = (const char **)argv + 2;
	}
	for (int s = 0; s < ns; s++) {
		int m, k, n;
		parse(shapes[s], &m, &k, &n);
		long la = (long)m * k, lb = (long)k * n, lc = (long)m * n;
		double *a = malloc(sizeof(double) * la), *b = malloc(sizeof(double) * lb), *c = malloc(sizeof(double) * lc);
		float *af = malloc(sizeof(float) * la), *bf = malloc(sizeof(float) * lb), *cf = malloc(sizeof(float) * lc);
		for (long i = 0; i < la; i++) a[i] = af[i] = drand48() * 2 - 1;
		for (long i = 0; i < lb; i++) b[i] = bf[i] = drand48() * 2 - 1;
		double best = 1e30, bestf = 1e30;
		for (int r = 0; r < runs; r++) {
			double t = now();
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, c, n);
			t = now() - t;
			if (t < best) best = t;
			t = now();
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, af, k, bf, n, 0, cf, n);
			t = now() - t;
			if (t < bestf) bestf = t;
		}
		double flop = 2.0 * m * n * k;
		printf("matmul-float64-%s %.2f\n", shapes[s], flop / best / 1e9);
		printf("matmul-float32-%s %.2f\n", shapes[s], flop / bestf / 1e9);
		free(a); free(b); free(c); free(af); free(bf); free(cf);
	}
	return 0;
}
