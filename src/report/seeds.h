/* seeds.h: K independent runs trained side by side in one run directory (xor's seeds=K): one value per run,
 * reduced to the mean and the spread that metrics.csv holds. */
#ifndef GK_IO_SEEDS_H
#define GK_IO_SEEDS_H

#include <stddef.h>

/* Mean, sample std (K - 1 in the denominator; 0 for one value), min and max over the finite x[k * stride],
 * k < K, into out[0..3]; NAN where no value is finite. */
void gk_spread(const double *x, int K, size_t stride, double out[4]);

#endif
