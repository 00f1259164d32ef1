/* act_cache.c: the activation cache of the two-layer models (see act_cache.h). */
#include "model/act_cache.h"

#include <stdlib.h>

gk_status gk_act_cache_reserve(gk_act_cache *c, size_t n, gk_error *err) {
    if (n <= c->cap) return GK_OK;
    double *Z = realloc(c->Z, n * c->h * sizeof(double));
    if (Z) c->Z = Z;
    double *H = Z ? realloc(c->H, n * c->h * sizeof(double)) : NULL;
    if (!Z || !H) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, c->h);
    c->H = H;
    c->cap = n;
    return GK_OK;
}

void gk_act_cache_free(gk_act_cache *c) {
    free(c->Z);
    free(c->H);
    c->Z = c->H = NULL;
    c->cap = 0;
}
