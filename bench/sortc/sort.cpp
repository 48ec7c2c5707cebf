// sort.cpp times sorts of n random keys with each of Intel's
// x86-simd-sort (AVX-512 when the CPU has it, else AVX2; OpenMP threads),
// ips4o and ips2ra (parallel, OMP_NUM_THREADS threads): the best of runs
// sorts (default 1), each of a fresh copy of the same keys, and prints
// "<name>-<type> <ns>" lines for bench/run. The keys are uniform in [0, 1)
// for f64 and uniform over the whole range for i64, as bench/run's Go side
// makes them; every result is checked.
//
// Build: g++ -O3 -march=native -fopenmp -std=c++17 -DXSS_USE_OPENMP
//   -I../third_party/x86-simd-sort/src -I../third_party/ips4o/include
//   -I../third_party/ips2ra/include sort.cpp -o sortc -ltbb -latomic
// Usage: sortc f64|i64 n [runs]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ips2ra.hpp"
#include "ips4o.hpp"
#include "x86simdsort-static-incl.h"

static double now_ns() {
	return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct f64key {
	uint64_t operator()(double d) const {
		uint64_t b;
		std::memcpy(&b, &d, 8);
		return b ^ ((b >> 63) ? ~uint64_t(0) : uint64_t(1) << 63);
	}
};
struct i64key {
	uint64_t operator()(int64_t v) const { return uint64_t(v) ^ (uint64_t(1) << 63); }
};

template <class T, class Key>
static void bench(const char *type, const std::vector<T> &src, int runs) {
	std::vector<T> a(src.size());
	auto run = [&](const char *name, auto sortf) {
		double best = 1e300;
		for (int r = 0; r < runs; r++) {
			std::copy(src.begin(), src.end(), a.begin());
			double t = now_ns();
			sortf(a);
			t = now_ns() - t;
			if (!std::is_sorted(a.begin(), a.end())) {
				std::fprintf(stderr, "%s-%s: not sorted\n", name, type);
				std::exit(1);
			}
			best = std::min(best, t);
		}
		std::printf("%s-%s %.0f\n", name, type, best);
	};
	run("xss", [](std::vector<T> &v) { x86simdsortStatic::qsort(v.data(), v.size(), false); });
	run("ips4o", [](std::vector<T> &v) { ips4o::parallel::sort(v.begin(), v.end()); });
	run("ips2ra", [](std::vector<T> &v) { ips2ra::parallel::sort(v.begin(), v.end(), Key{}); });
}

int main(int argc, char **argv) {
	if (argc != 3 && argc != 4) {
		std::fprintf(stderr, "usage: sortc f64|i64 n [runs]\n");
		return 2;
	}
	int runs = argc == 4 ? std::atoi(argv[3]) : 1;
	if (runs < 1) {
		std::fprintf(stderr, "sortc: runs must be at least 1, got %s\n", argv[3]);
		return 2;
	}
	std::string type = argv[1];
	size_t n = std::strtoull(argv[2], nullptr, 10);
	std::mt19937_64 rng(std::random_device{}());
	if (type == "f64") {
		std::vector<double> v(n);
		std::uniform_real_distribution<double> d(0, 1);
		for (auto &x : v) x = d(rng);
		bench<double, f64key>("f64", v, runs);
	} else if (type == "i64") {
		std::vector<int64_t> v(n);
		for (auto &x : v) x = int64_t(rng());
		bench<int64_t, i64key>("i64", v, runs);
	} else {
		std::fprintf(stderr, "sortc: type must be f64 or i64, got %s\n", argv[1]);
		return 2;
	}
	std::fprintf(stderr, "threads=%d\n", omp_get_max_threads());
	return 0;
}
