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
 * The layers are model/dense.h's: the results are bitwise the same for any number of threads.
 * Buffers: gk_model_reserve(m, n) for batches of up to n rows; gk_mlp_deep_reserve_input for the rows that the
 * dense path gathers (inputs with rows) and the nonzeros of the sparse path. Forward never allocates. */
#ifndef GK_MODEL_MLP_DEEP_H
#define GK_MODEL_MLP_DEEP_H

#include "model/dense.h"
#include "model/model.h"

#define GK_MLP_MAX_DEPTH GK_DENSE_MAX_LAYERS

typedef enum gk_mlp_forward { GK_MLP_STANDARD = 0, GK_MLP_NTK = 1 } gk_mlp_forward;

/* The rows of a dense n x d matrix as CSR: row r holds the entries start[r] .. start[r+1]-1 of col/val, in
 * column order, nonzeros only. */
typedef struct gk_sparse_rows {
    size_t n, nnz;
    size_t *start;
    int *col;
    double *val;
} gk_sparse_rows;

gk_status gk_sparse_rows_build(const double *x, size_t n, size_t d, gk_sparse_rows *out, gk_error *err);
void gk_sparse_rows_free(gk_sparse_rows *s);

/* The model input: n rows of d numbers. Row i is x[i] (row-major), or x[rows[i]] when rows is not NULL (a
 * minibatch taken from a data set without copying it). nz, if not NULL, is the CSR of the rows of x (all of
 * them, indexed like x): the sparse first layer then copies the nonzeros from it instead of scanning x. */
typedef struct gk_dense_input {
    size_t n, d;
    const double *x;
    const size_t *rows;
    const gk_sparse_rows *nz;
} gk_dense_input;

gk_status gk_mlp_deep_create(gk_model *m, size_t d_in, size_t width, int depth, int n_out, gk_mlp_forward fwd,
                             double out_scale, gk_error *err);
/* The same with every option, by name (a field left out takes its default: fwd standard, out_scale 0 means 1,
 * biases on): no_bias = 1 drops b_1 .. b_L (the tensors are then W1, ..., WL; Prieto et al.'s MLP);
 * f32 = 1 runs forward and backward in float32 (precision=f32): theta is read as float (its values should be
 * floats already: the trainer rounds every update, gk_train_opts.f32_params), the products are sgemm slices
 * (core/gemm.h), the activations and the backward's running gradient are float; outputs and the gradient are
 * handed back as double (exactly: they are float values). Bitwise the same at any thread count, like f64. */
typedef struct gk_mlp_deep_opts {
    size_t d_in, width;
    int depth, n_out;
    gk_mlp_forward fwd;
    double out_scale; /* 0: 1 */
    int no_bias, f32;
} gk_mlp_deep_opts;
gk_status gk_mlp_deep_create_opts(gk_model *m, const gk_mlp_deep_opts *o, gk_error *err);
/* gk_model_init: sequential draws from (seed, stream 0x6d6c7064), the same theta for any thread count. */
/* Room for gather_rows input rows given by row indices (the dense path copies them side by side) and for nnz
 * nonzero inputs in one forward (the sparse path; 0: none). A forward beyond them fails with GK_EINVAL. */
gk_status gk_mlp_deep_reserve_input(gk_model *m, size_t gather_rows, size_t nnz, gk_error *err);
/* The first layer on the nonzero inputs only (on: 1; default 0, dense dgemm). For inputs with few nonzeros
 * (MNIST digits: ~20% of the pixels) this is several times less work than the dense product. The sparse path
 * sums each output over the nonzero inputs in index order, so its last bits differ from the dgemm path's, but
 * it is deterministic and independent of the thread count. Set it before the first forward, not between a
 * forward and its backward; it needs room for the nonzeros (gk_mlp_deep_reserve_input). */
void gk_mlp_deep_set_sparse_input(gk_model *m, int on);
/* The multiplier c_l of layer l (1-based). */
double gk_mlp_deep_layer_scale(const gk_model *m, int l);

#endif
