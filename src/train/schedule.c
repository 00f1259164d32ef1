/* schedule.c: eval points (log-spaced so the first steps are seen, plus periodic so the late transition
 * is sampled evenly), and first-crossing detection. */
#include "train/train.h"

#include <math.h>
#include <stdlib.h>

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

gk_status gk_eval_schedule(long steps, int n_log, int n_lin, long **out, size_t *count, gk_error *err) {
    GK_ASSERT(steps >= 1 && n_log >= 0 && n_lin >= 0);
    size_t cap = (size_t)n_log + (size_t)n_lin + 2;
    long *p = malloc(cap * sizeof(long));
    if (!p) return gk_fail(err, GK_ENOMEM, "out of memory");
    size_t k = 0;
    p[k++] = 0;
    p[k++] = steps;
    for (int i = 1; i <= n_log; i++) /* 1 .. steps geometrically */
        p[k++] = lround(pow((double)steps, (double)i / n_log));
    for (int i = 1; i <= n_lin; i++) p[k++] = lround((double)steps * i / n_lin);
    qsort(p, k, sizeof(long), cmp_long);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || p[i] != p[u - 1]) p[u++] = p[i];
    *out = p;
    *count = u;
    return GK_OK;
}
