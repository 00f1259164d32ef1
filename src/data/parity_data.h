/* parity_data.h: samples of a k-sparse parity (Barak et al. 2022, Sec. 2): x uniform in {-1,+1}^n, y the product of
 * the first k coordinates (a net symmetric under permuting its inputs does not care which k). */
#ifndef GK_PARITY_DATA_H
#define GK_PARITY_DATA_H

#include "groklab.h"

#include <stddef.h>

/* m samples from r: x (m x n, row-major) and their labels y (m). */
void gk_parity_samples(gk_rng *r, size_t n, size_t k, size_t m, double *x, double *y);

#endif
