/* sampler.c: minibatches by epoch shuffles or with replacement (see sampler.h). */
#include "train/sampler.h"

#include <stdlib.h>
#include <string.h>

gk_status gk_batch_cycle_init_opts(gk_batch_cycle *c, size_t n, size_t batch, int replace, uint64_t seed, gk_error *err) {
    GK_ASSERT(n >= 1 && batch >= 1);
    memset(c, 0, sizeof *c);
    c->order = malloc(n * sizeof(size_t));
    if (!c->order) return gk_fail(err, GK_ENOMEM, "out of memory for a permutation of %zu items", n);
    c->n = n, c->batch = batch < n ? batch : n, c->pos = n; /* the first call draws the first permutation */
    c->replace = replace != 0;
    gk_rng_seed(&c->rng, seed, GK_BATCH_STREAM);
    return GK_OK;
}

gk_status gk_batch_cycle_init(gk_batch_cycle *c, size_t n, size_t batch, uint64_t seed, gk_error *err) {
    return gk_batch_cycle_init_opts(c, n, batch, 0, seed, err);
}

size_t gk_batch_cycle_next(gk_batch_cycle *c, const size_t **idx) {
    if (c->replace) {
        for (size_t i = 0; i < c->batch; i++) c->order[i] = (size_t)gk_rng_below(&c->rng, c->n);
        *idx = c->order;
        return c->batch;
    }
    if (c->pos >= c->n) {
        for (size_t i = 0; i < c->n; i++) c->order[i] = i;
        gk_rng_shuffle(&c->rng, c->order, c->n);
        c->pos = 0;
    }
    const size_t b = c->pos + c->batch <= c->n ? c->batch : c->n - c->pos;
    *idx = c->order + c->pos;
    c->pos += b;
    return b;
}

void gk_batch_cycle_visit(gk_batch_cycle *c, gk_state *s) {
    gk_state_block(s, "batch.pos", &c->pos, sizeof c->pos);
    gk_state_block(s, "batch.order", c->order, c->n * sizeof *c->order);
    gk_state_block(s, "batch.rng", &c->rng, sizeof c->rng);
}

void gk_batch_cycle_free(gk_batch_cycle *c) {
    if (!c) return;
    free(c->order);
    c->order = NULL;
}
