/* dense.h: the dense layer shared by the MLPs on dense rows (mlp_deep, mlp_tanh): forward and backward on a
 * batch of n rows, with an activation chosen per model.
 *
 *   forward:  Z = c A W + 1 b^T  (A: n x fi, W: fi x fo stored input-major, b: fo),  then A' = act(Z)
 *   backward: grad_W += c A^T G,  grad_b += sum_i G_i,  and for the layer below
 *             G_in = (c G W^T) * act'(.) of the layer below, written from its output A (act' from act(z))
 *
 * The products run through gk_gemm_row_slices on fixed slices of about GK_DENSE_BLOCK rows and the bias sums
 * through gk_add_column_sums (core/gemm.h); the elementwise loops touch one element per thread. So every
 * output is computed the same way on any thread count: the bits do not depend on it.
 * Tensors: layer l (1-based) is "Wl" (fi x fo) and "bl" (fo), in the order W1, b1, W2, b2, ... */
#ifndef GK_MODEL_DENSE_H
#define GK_MODEL_DENSE_H

#include "groklab.h"

#define GK_DENSE_MAX_LAYERS 8 /* 2 tensors per layer, GK_MAX_TENSORS = 16 */
#ifndef GK_DENSE_BLOCK
#define GK_DENSE_BLOCK 128
#endif

typedef enum gk_act { GK_ACT_LINEAR = 0, GK_ACT_RELU = 1, GK_ACT_TANH = 2 } gk_act;

/* gk_dense_forward, gk_dense_activate, gk_dense_param_grads, gk_dense_input_grad (double) */
#define GK_T double
#define GK_NAME(x) x
#include "model/dense_decl_t.h"
/* What a stack of L dense layers keeps from a forward for its backward. */
typedef struct gk_dense_cache {
    double *A[GK_DENSE_MAX_LAYERS]; /* A[l], l = 1..L-1: cap x w[l] post-activations */
    double *G[2];                   /* cap x gw: the backward's running gradient (two, alternating) */
    size_t cap;
} gk_dense_cache;

/* Room for n rows (kept if large enough): A[l] of w[l] columns for l = 1..L-1, G[0] and G[1] of gw columns. */
gk_status gk_dense_cache_reserve(gk_dense_cache *c, size_t n, int L, const size_t *w, size_t gw, gk_error *err);
void gk_dense_cache_free(gk_dense_cache *c);
/* Appends the tensors "Wl" (fi x fo) and "bl" (fo) of layer l (1-based, l <= GK_DENSE_MAX_LAYERS). */
void gk_dense_add_tensors(gk_param_table *t, int l, size_t fi, size_t fo);
/* Appends only the weight "Wl" of layer l (a layer without bias). */
void gk_dense_add_weight(gk_param_table *t, int l, size_t fi, size_t fo);
/* PyTorch's default init of nn.Linear times scale: W (row-major as stored) then b (when not NULL), each entry
 * scale U(-1/sqrt(fi), 1/sqrt(fi)), drawn in order from r. */
void gk_dense_init_uniform(double *W, double *b, size_t fi, size_t fo, double scale, gk_rng *r);

/* ---- float32 (precision=f32): the same layers in float arithmetic, products by sgemm slices ---------------- */
/* gk_dense_forward_f, gk_dense_activate_f, gk_dense_param_grads_f, gk_dense_input_grad_f */
#define GK_T float
#define GK_NAME(x) x##_f
#include "model/dense_decl_t.h"
/* What a float32 stack keeps from a forward: the post-activations A[1..L-1], two running gradients, and the
 * output of the last layer (cap x gw, gw >= every width). */
typedef struct gk_dense_cache_f {
    float *A[GK_DENSE_MAX_LAYERS];
    float *G[2];
    float *out;
    size_t cap;
} gk_dense_cache_f;
gk_status gk_dense_cache_f_reserve(gk_dense_cache_f *c, size_t n, int L, const size_t *w, size_t gw, gk_error *err);
void gk_dense_cache_f_free(gk_dense_cache_f *c);

#endif
