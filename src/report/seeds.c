/* seeds.c: the spread of a value over the runs of a multi-seed run (seeds.h). */
#include "report/seeds.h"

#include <math.h>

void gk_spread(const double *x, int K, size_t stride, double out[4]) {
    double sum = 0, lo = INFINITY, hi = -INFINITY;
    int c = 0;
    for (int k = 0; k < K; k++) {
        double v = x[(size_t)k * stride];
        if (!isfinite(v)) continue;
        sum += v, c++;
        lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double mean = c ? sum / c : NAN, ss = 0;
    for (int k = 0; k < K; k++) {
        double v = x[(size_t)k * stride];
        if (isfinite(v)) ss += (v - mean) * (v - mean);
    }
    out[0] = mean;
    out[1] = c > 1 ? sqrt(ss / (c - 1)) : c ? 0.0 : NAN;
    out[2] = c ? lo : NAN;
    out[3] = c ? hi : NAN;
}
