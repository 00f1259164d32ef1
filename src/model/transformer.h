/* transformer.h: a decoder-only transformer with causal attention, of any depth (Power et al. 2022, App. A.1:
 * 2 layers, width 128, 4 heads, feed-forward 512; the authors' code openai/grok).
 *
 * Input: n sequences of n_ctx tokens (gk_seq_input, tokens < vocab). The output is read at the last position
 * only: n_out logits per sequence (the loss on the answer of `x op y =`). With D = d_model, H heads of
 * d = D / H, F = d_ff, per layer (all linear maps without bias, "x W" row convention):
 *   X0_t = W_E[tok_t] + P_t                 (P: sinusoidal, sin/cos(t / 10000^(2k/D)), or learned W_pos)
 *   attention(u) = concat_h softmax_causal(c Q_h K_h^T) V_h  W_O,  Q = u W_Q, K = u W_K, V = u W_V, c = 1/sqrt(d)
 *   ff(v) = act(v W_1) W_2                 (act ReLU or GELU (erf); dropout on ff's output while training)
 *   post-LN (the authors' code):  X1 = LN1(X + attention(X));    X' = LN2(X1 + drop(ff(X1)))
 *   pre-LN:                       X1 = X + attention(LN1(X));    X' = X1 + drop(ff(LN2(X1)))
 *   no LN:                        X1 = X + attention(X);         X' = X1 + drop(ff(X1))
 *   out = Y W_U with Y = X_L at the last position (pre-LN: Y = LNf(X_L), the final LayerNorm of GPT-2)
 * LN(x) = g * (x - mean x) / sqrt(var x + 1e-5) + b per row (PyTorch's nn.LayerNorm). The unembedding W_U is
 * untied from W_E.
 *
 * Tensors in theta (a layer's tensors are stacked: W_Q is (L D) x D, rows l D .. (l+1) D - 1 for layer l):
 *   W_E vocab x D, [W_pos n_ctx x D if learned], [ln1_g, ln1_b L x D], W_Q, W_K, W_V, W_O (L D) x D,
 *   [ln2_g, ln2_b L x D], W_1 (L D) x F, W_2 (L F) x D, [lnf_g, lnf_b D (pre-LN)], W_U D x n_out.
 * Init (gk_model_init, scale alpha; PyTorch's defaults as in the authors' code): W_E, W_pos ~ N(0, 1); every
 * linear map ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); all of these times alpha; LN gains 1, biases 0. Draws are
 * sequential from (seed, stream 0x74726632), the same theta at any thread count.
 *
 * Dropout: with gk_tf_set_dropout(m, 1, seed) the next forward drops each entry of ff's output with
 * probability `dropout` (kept ones scaled by 1/(1 - dropout)); the mask is a hash of (seed, layer, row,
 * column), so a step seeded from (run seed, step) draws the same mask after a resume and at any thread count.
 *
 * float32 (f32 = 1): the same arithmetic in float (sgemm slices, float caches, float LayerNorm sums, expf/erff).
 * theta is read as float (its values should be floats already: the trainer rounds every update,
 * gk_train_opts.f32_params); the logits are handed back as double (exactly), the output gradient is rounded to
 * float, each parameter's gradient is summed in float and then added to grad. Bitwise the same at any thread
 * count, like float64. */
#ifndef GK_MODEL_TRANSFORMER_H
#define GK_MODEL_TRANSFORMER_H

#include "model/model.h"

typedef enum gk_tf_ln { GK_TF_LN_POST, GK_TF_LN_PRE, GK_TF_LN_NONE } gk_tf_ln;
typedef enum gk_tf_pos { GK_TF_POS_SIN, GK_TF_POS_LEARNED } gk_tf_pos;
typedef enum gk_tf_act { GK_TF_RELU, GK_TF_GELU } gk_tf_act;
/* The config enums, in the order above. */
#define GK_TF_LN_CHOICES "post|pre|none"
#define GK_TF_POS_CHOICES "sin|learned"
#define GK_TF_ACT_CHOICES "relu|gelu"

typedef struct gk_tf_dims {
    size_t vocab, n_ctx, n_out;
    size_t layers, d_model, heads, d_ff;
    gk_tf_ln ln;
    gk_tf_pos pos;
    gk_tf_act act;
    double dropout; /* on the feed-forward output, in [0, 1) */
    int f32;        /* 1: forward and backward in float32 (precision=f32, see below) */
} gk_tf_dims;

/* n sequences of T tokens, row-major (tok[i T + t]). */
typedef struct gk_seq_input {
    size_t n, T;
    const int *tok;
} gk_seq_input;

/* Checks the dimensions (GK_EINVAL naming the key). */
gk_status gk_tf_check(const gk_tf_dims *d, gk_error *err);
gk_status gk_tf_create(gk_model *m, const gk_tf_dims *d, gk_error *err);
/* Dropout on (with the mask's seed) or off for the next forward calls (off after create). */
void gk_tf_set_dropout(gk_model *m, int on, uint64_t seed);
/* Bytes of the caches for batches of n sequences (gk_model_reserve(m, n)). */
double gk_tf_cache_bytes(const gk_tf_dims *d, size_t n);

#endif
