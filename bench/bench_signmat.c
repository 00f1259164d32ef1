/* bench_signmat.c: times the packed +-1 products of the diagonal-net step (S w and S^T r) at a given size,
 * with the current OMP thread count. Prints microseconds per call.
 * usage: bench_signmat N D REPS [portable]   (portable: without the AVX-512 kernels) */
#include "core/signmat.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 256, d = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    int reps = argc > 3 ? atoi(argv[3]) : 200;
    if (argc > 4 && !strcmp(argv[4], "portable")) gk_signmat_use_simd(0);
    gk_signmat S;
    gk_error err;
    if (gk_signmat_alloc(&S, n, d, &err)) return 1;
    gk_rng r;
    gk_rng_seed(&r, 1, 0);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) gk_signmat_set(&S, i, j, gk_rng_u64(&r) & 1 ? -1 : 1);
    double *w = calloc(S.dpad, 8), *g = calloc(S.dpad, 8), *f = calloc(n, 8), *rv = calloc(n, 8);
    double *work = calloc(gk_signmat_work_size(&S), 8);
    for (size_t j = 0; j < d; j++) w[j] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) rv[i] = gk_rng_normal(&r);
    if (gk_signmat_finish(&S, &err)) return 1;
    double t0 = now(), c0 = cpu();
    for (int k = 0; k < reps; k++) gk_signmat_mv(&S, w, f, work);
    double t1 = now(), c1 = cpu();
    for (int k = 0; k < reps; k++) gk_signmat_tmv(&S, rv, g, work);
    double t2 = now(), c2 = cpu();
    /* CPU time (all threads) is the steadier figure on a shared machine */
    printf("n=%zu d=%zu threads=%d: S w %8.1f us (cpu %8.1f)   S^T r %8.1f us (cpu %8.1f)\n", n, d,
           omp_get_max_threads(), 1e6 * (t1 - t0) / reps, 1e6 * (c1 - c0) / reps, 1e6 * (t2 - t1) / reps,
           1e6 * (c2 - c1) / reps);
    return 0;
}
