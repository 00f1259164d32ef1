/* act_cache.h: what a two-layer model keeps from its last forward for its backward: the pre-activations Z
 * and the activations H, n rows of width h, grown to the largest batch seen (one buffer each). */
#ifndef GK_MODEL_ACT_CACHE_H
#define GK_MODEL_ACT_CACHE_H

#include "groklab.h"

typedef struct gk_act_cache {
    double *Z, *H; /* cap x h each */
    size_t h, cap;
} gk_act_cache;

/* Makes room for n rows (keeps the buffers if they are large enough). */
gk_status gk_act_cache_reserve(gk_act_cache *c, size_t n, gk_error *err);
void gk_act_cache_free(gk_act_cache *c);

#endif
