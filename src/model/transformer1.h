/* transformer1.h: the one-layer transformer of Nanda et al. (2023) for modular arithmetic (issue 4).
 *
 * Input: the sequence (a, b, =) with '=' the token p; vocabulary p + 1; n_ctx 3. The prediction is read at
 * the last position. d_model D, heads H (d_head = D / H), d_mlp M, ReLU, no LayerNorm:
 *   x0_t = W_E[tok_t] + W_pos[t]
 *   x1   = x0 + Attn(x0)            (causal softmax attention, scores scaled by 1/sqrt(d_head), no biases)
 *   x2   = x1 + ReLU(x1 W_in + b_in) W_out + b_out
 *   out  = x2[last] W_U             (p logits)
 *
 * Tensors in theta (all row-major, "x W" convention, i.e. the transposes of Nanda's einsum layouts):
 *   W_E (p+1) x D (token-major: row = token, so the embedding is a gather), W_pos 3 x D,
 *   W_Q, W_K, W_V D x D (column h*d_head + j is dimension j of head h), W_O D x D (row = the concatenated
 *   head outputs), W_in D x M, b_in M, W_out M x D, b_out D, W_U D x p.
 * The unembedding has p columns, not p + 1: the '=' logit of Nanda's code (d_vocab = p + 1 outputs) is
 * dropped, as in the TransformerLens re-implementation (d_vocab_out = p); its init scale keeps
 * 1/sqrt(d_vocab) = 1/sqrt(p + 1).
 *
 * Init (gk_model_init with scale alpha; Nanda's transformers.py): W_E, W_pos, W_Q, W_K, W_V, W_O, W_in, W_out ~ N(0, 1)/sqrt(D),
 * W_U ~ N(0, 1)/sqrt(p + 1), biases 0; every weight times alpha (alpha = 1 is the paper).
 *
 * Structure used (see transformer1.c): only the last position is read, so the query, the MLP and the
 * residual stream after attention are computed at that position only (keys and values of positions 0, 1
 * still enter the attention). The query position always holds '=', so q is one vector for all samples,
 * and the keys and values of positions 0 and 1 depend on one token each: they are tables of p rows. */
#ifndef GK_MODEL_TRANSFORMER1_H
#define GK_MODEL_TRANSFORMER1_H

#include "data/modular_data.h"
#include "model/model.h"

typedef struct gk_tf1_dims {
    int p;          /* modulus: tokens 0..p-1 and '=' = p; p output classes */
    size_t d_model; /* D */
    size_t heads;   /* H; D % H == 0 */
    size_t d_mlp;   /* M */
} gk_tf1_dims;

/* Checks the dimensions (GK_EINVAL naming the key). */
gk_status gk_tf1_check(const gk_tf1_dims *d, gk_error *err);
gk_status gk_tf1_create(gk_model *m, const gk_tf1_dims *d, gk_error *err);
/* gk_model_init: sequential draws from (seed, stream 0x7472663174), the same theta for any thread count. */
/* The tensor index of W_E (for progress measures on the embedding). */
#define GK_TF1_W_E 0

#endif
