/* mlp_deep.h: a fully connected ReLU network of any depth on dense inputs (images; Omnigrok, Kumar Fig. 6a).
 *
 *   a_0 = x (d_in),  z_l = c_l (a_{l-1} W_l) + b_l,  a_l = ReLU(z_l) for l < L,  f = z_L (n_out)
 *
 * depth L = the number of linear layers (Omnigrok's "depth 3" is d_in -> width -> width -> n_out).
 * Tensors in theta: "W1", "b1", ..., "WL", "bL". W_l is stored input-major, fan_in x fan_out (row j holds the
 * weights from input j), so a batch product is a_{l-1} W_l without a transpose.
 *
 * Two forwards:
 *  - GK_MLP_STANDARD (PyTorch nn.Linear): c_l = 1 for l < L and c_L = out_scale.
 *    Init (PyTorch's default for nn.Linear): W_l and b_l ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), times
 *    init_scale (Omnigrok's alpha multiplies every parameter).
 *  - GK_MLP_NTK (Kumar et al. Fig. 6a): c_l = 1/sqrt(fan_in) for l < L and c_L = out_scale / fan_in
 *    (f = alpha relu(h)^T W_out^T / N). Init: W_l ~ init_scale N(0, 1) sqrt(2 / fan_in) (the notebook's
 *    weight_scale times He normal), b_l = 0.
 *
 * The batch products run through cblas_dgemm on fixed blocks of GK_MLP_BLOCK rows, the blocks spread over
 * OpenMP threads: each output element is computed by one call whose shape does not depend on the thread count,
 * so the results are bitwise the same for any number of threads. */
#ifndef GK_MODEL_MLP_DEEP_H
#define GK_MODEL_MLP_DEEP_H

#include "model/model.h"

#define GK_MLP_MAX_DEPTH 8 /* 2 tensors per layer, GK_MAX_TENSORS = 16 */
#ifndef GK_MLP_BLOCK
#define GK_MLP_BLOCK 128
#endif

typedef enum gk_mlp_forward { GK_MLP_STANDARD = 0, GK_MLP_NTK = 1 } gk_mlp_forward;

/* The model input: n rows of d numbers, row-major. */
typedef struct gk_dense_input {
    size_t n, d;
    const double *x;
} gk_dense_input;

gk_status gk_mlp_deep_create(gk_model *m, size_t d_in, size_t width, int depth, int n_out, gk_mlp_forward fwd,
                             double out_scale, gk_error *err);
/* Sequential draws from (seed, stream 0x6d6c7064): the same theta for any thread count. */
void gk_mlp_deep_init(gk_model *m, double init_scale, uint64_t seed, double *theta);
/* The multiplier c_l of layer l (1-based). */
double gk_mlp_deep_layer_scale(const gk_model *m, int l);

#endif
