/* model.h: the interface every model implements (one file per model in src/model/).
 *
 * A model owns no parameters: they live in a flat buffer theta described by the model's gk_param_table.
 * Inputs are of the model's own type (packed +-1 bits, dense rows, index pairs, ...), passed as void*.
 * Experiments and the theory layer call models only through these functions.
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
static inline void gk_model_free(gk_model *m) {
    if (m && m->ops && m->ops->destroy) m->ops->destroy(m);
}

#endif
