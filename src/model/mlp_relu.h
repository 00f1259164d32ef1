/* mlp_relu.h: the two-layer ReLU MLP of Lyu et al. (2024) Fig. 2 on one-hot pairs (modular arithmetic):
 *   f(x) = W2 ReLU(W1 x + b1),  x = e_a + e_{p+b} in R^{2p},  W1: h x 2p, b1: h, W2: p x h.
 * Inputs are gk_pair_input index pairs, so W1 x is the sum of two columns of W1 (a gather).
 * Tensors in theta: "W1" stored input-major as 2p x h (row j holds column j of the paper's W1, so the gather
 * reads two contiguous rows), "b1" (h), "W2" (p x h, row-major as in the paper).
 * Init (HomoMLP in Lyu's code): kaiming normal, W1 ~ N(0, 2/(2p)) (ReLU gain, fan_in 2p), W2 ~ N(0, 1/h)
 * (linear gain, fan_in h), b1 = 0, then every weight times alpha; zero_last sets W2 = 0. */
#ifndef GK_MODEL_MLP_RELU_H
#define GK_MODEL_MLP_RELU_H

#include "data/modular_data.h"
#include "model/model.h"

gk_status gk_mlp_relu_create(gk_model *m, int p, size_t width, gk_error *err);
/* Sequential draws from (seed, stream 0x6d6c70): the same theta for any thread count. */
void gk_mlp_relu_init(gk_model *m, double alpha, int zero_last, uint64_t seed, double *theta);

#endif
