/* model.h: the interface every model implements (one file per model in src/model/).
 *
 * A model owns no parameters: they live in a flat buffer theta described by the model's gk_param_table.
 * Inputs are of the model's own type (packed +-1 bits, dense rows, index pairs, ...), passed as void*.
 * Experiments and the theory layer call models only through these functions.
 *
 * Life of a model: X_create (sizes and model-specific options, such as mlp2's zero_last, live in the model's
 * own state), gk_model_reserve (the caches for batches of up to n samples: forward and backward never
 * allocate), gk_model_init (draws theta), then any number of forward/backward pairs, gk_model_free.
 */
#ifndef GK_MODEL_H
#define GK_MODEL_H

#include "groklab.h"

typedef struct gk_model gk_model;

typedef struct gk_model_ops {
    const char *name;
    /* out[i*n_out + k], i < n: the model's outputs on n inputs. May cache what backward needs. */
    gk_status (*forward)(gk_model *m, const double *theta, const void *in, size_t n, double *out, gk_error *err);
    /* grad[P] += sum_i sum_k dout[i*n_out + k] * d out_ik / d theta, for the inputs of the last forward
     * call (which must have been on the same in, n). Accumulates: the caller zeroes grad. */
    void (*backward)(gk_model *m, const double *theta, const void *in, size_t n, const double *dout, double *grad);
    void (*destroy)(gk_model *m);
    /* theta[P] = the model's initial parameters at init scale `scale`, drawn from `seed` (each model its own
     * stream and order, documented in its header). */
    void (*init)(gk_model *m, double scale, uint64_t seed, double *theta);
    /* Allocates the caches for forward calls on up to n samples (keeps them if large enough). NULL: the
     * model needs none. */
    gk_status (*reserve)(gk_model *m, size_t n, gk_error *err);
} gk_model_ops;

struct gk_model {
    const gk_model_ops *ops;
    gk_param_table params; /* names the tensors of theta; params.size = P */
    int n_out;             /* outputs per sample: 1 for binary and scalar tasks, k for k classes */
    void *impl;            /* the model's own state (sizes, caches) */
};

static inline gk_status gk_model_forward(gk_model *m, const double *theta, const void *in, size_t n, double *out,
                                         gk_error *err) {
    return m->ops->forward(m, theta, in, n, out, err);
}
static inline void gk_model_backward(gk_model *m, const double *theta, const void *in, size_t n, const double *dout,
                                     double *grad) {
    m->ops->backward(m, theta, in, n, dout, grad);
}
static inline void gk_model_init(gk_model *m, double scale, uint64_t seed, double *theta) {
    GK_ASSERT(m->ops->init != NULL);
    m->ops->init(m, scale, seed, theta);
}
static inline gk_status gk_model_reserve(gk_model *m, size_t n, gk_error *err) {
    return m->ops->reserve ? m->ops->reserve(m, n, err) : GK_OK;
}
/* For a forward: GK_EINVAL unless n <= cap, the batch size reserved. */
static inline gk_status gk_model_check_batch(const gk_model *m, size_t n, size_t cap, gk_error *err) {
    if (n <= cap) return GK_OK;
    return gk_fail(err, GK_EINVAL, "model %s: a batch of %zu samples, but room for %zu was reserved (gk_model_reserve)",
                   m->ops->name, n, cap);
}
static inline void gk_model_free(gk_model *m) {
    if (m && m->ops && m->ops->destroy) m->ops->destroy(m);
}

#endif
