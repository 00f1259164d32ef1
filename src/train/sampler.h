/* sampler.h: the minibatches a trainer draws from n train examples.
 *
 * Epoch shuffles (replace = 0): each epoch a new seeded permutation of 0..n-1 (drawn by gk_rng_shuffle from the
 * identity), cut into consecutive slices of `batch` (the last one shorter when batch does not divide n): each
 * example once per epoch, PyTorch's DataLoader(shuffle=True) under itertools.cycle. With replacement
 * (replace = 1): each minibatch is `batch` independent uniform draws from 0..n-1. The state (position, the
 * current permutation or draws, the generator) is listed by gk_batch_cycle_visit for checkpoints. */
#ifndef GK_TRAIN_SAMPLER_H
#define GK_TRAIN_SAMPLER_H

#include "groklab.h"
#include "core/state.h"

typedef struct gk_batch_cycle {
    size_t n, batch, pos;
    int replace;
    size_t *order; /* n entries: this epoch's permutation (replace: the last draws in the first `batch`) */
    gk_rng rng;
} gk_batch_cycle;

/* The draws come from (seed, stream GK_BATCH_STREAM). */
#define GK_BATCH_STREAM UINT64_C(0x696d67626174)
/* batch > n is cut to n. */
gk_status gk_batch_cycle_init(gk_batch_cycle *c, size_t n, size_t batch, uint64_t seed, gk_error *err);
/* The same with the choice of sampling with replacement. */
gk_status gk_batch_cycle_init_opts(gk_batch_cycle *c, size_t n, size_t batch, int replace, uint64_t seed, gk_error *err);
/* The next minibatch: *idx points at its item indices (valid until the next call); returns its size. */
size_t gk_batch_cycle_next(gk_batch_cycle *c, const size_t **idx);
/* Lists the position, the permutation and the generator for a checkpoint. */
void gk_batch_cycle_visit(gk_batch_cycle *c, gk_state *s);
void gk_batch_cycle_free(gk_batch_cycle *c);

#endif
