/* relu2_span_init.c: the span path's products from a fresh init (relu2_span_init.h). */
#include "model/relu2_span_init.h"

#include <stdlib.h>

gk_status gk_relu2_products_from_init(gk_relu2_products *S, gk_model *model, double omega, uint64_t seed,
                                      const double *Z, size_t n, size_t nt, size_t m, size_t p, const double *e1,
                                      const double *e2, gk_error *err) {
    double *W0 = malloc(m * p * sizeof(double));
    if (!W0)
        return gk_fail(err, GK_ENOMEM, "out of memory for p = %zu, m = %zu (seed %llu)", p, m, (unsigned long long)seed);
    gk_relu2_init(model, omega, seed, W0);
    gk_status s = gk_relu2_products_make(S, Z, n, nt, W0, m, p, e1, e2, err);
    free(W0);
    return s;
}
