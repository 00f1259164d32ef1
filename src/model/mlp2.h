/* mlp2.h: the two-layer MLP on one-hot pairs (modular arithmetic), with a ReLU or a quadratic activation:
 *   f(x) = c W2 act(W1 x + b1),  x = e_a + e_{p+b} in R^{2p},  W1: h x 2p,  b1: h (optional),  W2: p x h.
 * Inputs are gk_pair_input index pairs, so W1 x is the sum of two columns of W1 (a gather).
 * Tensors in theta: "W1" stored input-major as 2p x h (row j holds column j of the paper's W1, so the gather
 * reads two contiguous rows), "b1" (h; only with bias), "W2" (p x h, row-major as in the paper).
 *
 * The two models of the papers:
 *  - gk_mlp_relu_create, Lyu et al. (2024) Fig. 2: ReLU, bias, c = 1. Init (HomoMLP in Lyu's code): kaiming
 *    normal, W1 ~ N(0, 2/(2p)) (ReLU gain, fan_in 2p), W2 ~ N(0, 1/h) (linear gain, fan_in h), b1 = 0, then
 *    every weight times the init scale alpha; zero_last sets W2 = 0. Draws from (seed, stream 0x6d6c70).
 *  - gk_mlp_quad_create, Gromov (2023) eq. 4 and Kumar et al. (2024) Fig. 2: act(z) = z^2, no bias,
 *    c = s / (D N) with D = 2p, N = h and s the output scale (Kumar's scale^2). Init: every weight
 *    N(0, sigma^2), sigma the init scale (1 in Kumar's notebook). Draws from (seed, stream 0x6d6c71).
 * Draws are sequential (W1 then W2): the same theta for any thread count. */
#ifndef GK_MODEL_MLP2_H
#define GK_MODEL_MLP2_H

#include "data/modular_data.h"
#include "model/model.h"

typedef enum gk_mlp2_act { GK_MLP2_RELU = 0, GK_MLP2_QUAD = 1 } gk_mlp2_act;

typedef struct gk_mlp2_opts {
    gk_mlp2_act act; /* the activation, and the init that goes with it (see above) */
    int bias;        /* b1 on (1) or off (0) */
    double out_mult; /* c */
    int zero_last;   /* init W2 = 0 */
    int f32;         /* precision=f32: float32 forward and backward (sgemm slices, float gather and scatter); theta
                      * is read as float, the outputs and the gradient are handed back as double (float values) */
} gk_mlp2_opts;

gk_status gk_mlp2_create(gk_model *m, int p, size_t width, const gk_mlp2_opts *o, gk_error *err);
/* Lyu's ReLU MLP: {GK_MLP2_RELU, bias, c = 1, zero_last}. */
gk_status gk_mlp_relu_create(gk_model *m, int p, size_t width, int zero_last, gk_error *err);
/* Gromov's quadratic MLP: {GK_MLP2_QUAD, no bias, c = out_scale / (2p width)}. */
gk_status gk_mlp_quad_create(gk_model *m, int p, size_t width, double out_scale, gk_error *err);

#endif
