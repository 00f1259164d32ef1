/* mlp_tanh.h: a fully connected tanh network with biases and a scaled linear output (the teacher-student
 * setup of Omnigrok Fig. 2 and Kumar et al. Fig. 8: 5-100-100-5).
 *
 *   a_0 = x (widths[0]),  z_l = a_{l-1} W_l + b_l,  a_l = tanh(z_l) for l < L,  f = out_scale z_L (widths[L])
 *
 * L = nlayers = the number of linear layers (5-100-100-5 has L = 3 and widths {5, 100, 100, 5}).
 * Tensors in theta: "W1", "b1", ..., "WL", "bL". W_l is stored input-major, fan_in x fan_out (row j holds the
 * weights from input j), so a batch product is a_{l-1} W_l without a transpose.
 * Init (gk_model_init; PyTorch's default for nn.Linear): W_l and b_l ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * times init_scale (Omnigrok's alpha multiplies every parameter), drawn in order W1 (row-major as stored), b1,
 * W2, b2, ... from (seed, the stream given at create). out_scale is Kumar's output scale; not a parameter.
 *
 * Input: a row-major n x widths[0] array of doubles (const double *), passed as the model's void *in.
 *
 * The layers are model/dense.h's: bitwise the same results for any thread count. At the paper's size
 * (100 samples, width 100) every product is one dgemm call on one thread. */
#ifndef GK_MODEL_MLP_TANH_H
#define GK_MODEL_MLP_TANH_H

#include "model/dense.h"
#include "model/model.h"

#define GK_TANH_MAX_LAYERS GK_DENSE_MAX_LAYERS

/* widths[0..nlayers]: input size, hidden widths, output size. out_scale > 0 multiplies the last layer. stream:
 * the RNG stream of gk_model_init (a teacher and its student draw from different streams). */
gk_status gk_mlp_tanh_create(gk_model *m, const size_t *widths, int nlayers, double out_scale, uint64_t stream,
                             gk_error *err);
/* The widths (nlayers + 1 of them) and the output scale of a model made by gk_mlp_tanh_create. */
const size_t *gk_mlp_tanh_widths(const gk_model *m, int *nlayers);
double gk_mlp_tanh_out_scale(const gk_model *m);

#endif
