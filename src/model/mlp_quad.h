/* mlp_quad.h: the two-layer MLP with quadratic activation of Gromov (2023) eq. 4 and Kumar et al. (2024)
 * Fig. 2, on one-hot pairs (modular arithmetic):
 *   f(x) = (s / (D N)) W2 (W1 x)^2,  x = e_a + e_{p+b},  D = 2p,  W1: N x D,  W2: p x N,  no biases,
 * with s the output scale (Kumar's scale^2). Inputs are gk_pair_input index pairs (W1 x is a gather).
 * Tensors in theta: "W1" stored input-major as 2p x N (row j is column j of the paper's W1), "W2" (p x N).
 * Init: every weight N(0, sigma^2) (sigma = 1 in Kumar's notebook). */
#ifndef GK_MODEL_MLP_QUAD_H
#define GK_MODEL_MLP_QUAD_H

#include "data/modular_data.h"
#include "model/model.h"

gk_status gk_mlp_quad_create(gk_model *m, int p, size_t width, double out_scale, gk_error *err);
/* Sequential draws from (seed, stream 0x6d6c71): the same theta for any thread count. */
void gk_mlp_quad_init(gk_model *m, double sigma, uint64_t seed, double *theta);

#endif
