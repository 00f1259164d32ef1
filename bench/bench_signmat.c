/* bench_signmat.c: times the packed +-1 products of the diagonal-net step (S w and S^T r) at a given size,
 * with the current OMP thread count. Prints microseconds per call.
 * usage: bench_signmat N D REPS */
#include "core/signmat.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 256, d = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
    int reps = argc > 3 ? atoi(argv[3]) : 200;
    gk_signmat S;
    gk_error err;
    if (gk_signmat_alloc(&S, n, d, &err)) return 1;
    gk_rng r;
    gk_rng_seed(&r, 1, 0);
    for (size_t i = 0; i < n * S.row_bytes; i++) S.bits[i] = (uint8_t)gk_rng_u64(&r);
    for (size_t i = 0; i < n; i++) /* padding columns must stay +1 */
        for (size_t j = d; j < S.dpad; j++) gk_signmat_set(&S, i, j, 1);
    double *w = calloc(S.dpad, 8), *g = calloc(S.dpad, 8), *f = calloc(n, 8), *rv = calloc(n, 8);
    double *work = calloc(gk_signmat_work_size(&S), 8);
    for (size_t j = 0; j < d; j++) w[j] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) rv[i] = gk_rng_normal(&r);
    if (gk_signmat_finish(&S, &err)) return 1;
    double t0 = now();
    for (int k = 0; k < reps; k++) gk_signmat_mv(&S, w, f, work);
    double t1 = now();
    for (int k = 0; k < reps; k++) gk_signmat_tmv(&S, rv, g, work);
    double t2 = now();
    printf("n=%zu d=%zu threads=%d: S w %8.1f us   S^T r %8.1f us\n", n, d, omp_get_max_threads(),
           1e6 * (t1 - t0) / reps, 1e6 * (t2 - t1) / reps);
    return 0;
}
