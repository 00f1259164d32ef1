/* parity_data.c: samples of a k-sparse parity (parity_data.h). */
#include "data/parity_data.h"

void gk_parity_samples(gk_rng *r, size_t n, size_t k, size_t m, double *x, double *y) {
    for (size_t i = 0; i < m; i++) {
        double *xi = x + i * n, p = 1;
        for (size_t j = 0; j < n; j++) xi[j] = gk_rng_u64(r) >> 63 ? 1.0 : -1.0, p *= j < k ? xi[j] : 1;
        y[i] = p;
    }
}
