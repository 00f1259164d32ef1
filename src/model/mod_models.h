/* mod_models.h: the models of the modular-arithmetic experiment (src/exp/modular.c) on the pairs of
 * data/modular_data.h, made from one small options struct: Lyu's ReLU MLP and Gromov's quadratic MLP
 * (model/mlp2.h), Nanda's one-layer transformer on (a, b, =) (model/transformer1.h), or the PyTorch-style
 * MLP of Prieto et al. 2025 (model/mlp_deep.h) on the one-hot pair x = e_a + e_{p+b} (2p inputs, p outputs). */
#ifndef GK_MODEL_MOD_MODELS_H
#define GK_MODEL_MOD_MODELS_H

#include "data/modular_data.h"
#include "model/mlp_deep.h"
#include "model/transformer1.h"

/* In the order of GK_MOD_MODEL_CHOICES (the config enum `model`). */
typedef enum gk_mod_model_kind { GK_MOD_MLP_RELU, GK_MOD_MLP_QUAD, GK_MOD_TF1, GK_MOD_MLP_DEEP } gk_mod_model_kind;
#define GK_MOD_MODEL_CHOICES "mlp-relu|mlp-quad|transformer1|mlp-deep"

typedef struct gk_mod_model_opts {
    gk_mod_model_kind kind;
    size_t width;     /* mlp-*: hidden width h */
    int depth, bias;  /* mlp-deep: linear layers, a bias in every layer */
    int zero_last;    /* mlp-relu: W2 = 0 at init */
    double out_scale; /* mlp-quad: s in f = (s/(2p h)) W2 (W1 x)^2 */
    int f32;          /* precision=f32 (the MLPs) */
    gk_tf1_dims tf1;  /* transformer1 */
} gk_mod_model_opts;

/* What the model reads: the pair views of the data (train, test point to D->train, D->test), or for
 * mlp-deep the one-hot rows. These are never formed: their CSR (two ones per row, train pairs then test
 * pairs) feeds the MLP's sparse first layer, which sums W1[a] + W1[p+b] exactly as the dense product with
 * the one-hot row would. */
typedef struct gk_mod_inputs {
    const void *train, *test;
    gk_sparse_rows onehot;
    size_t *test_rows; /* the test pairs' rows of onehot */
    gk_dense_input x_train, x_test;
} gk_mod_inputs;

/* The transformer's dimensions (gk_tf1_check), and precision=f32 only for the MLPs: GK_EINVAL naming the keys. */
gk_status gk_mod_model_check(const gk_mod_model_opts *o, gk_error *err);
/* Peak memory in bytes of a run on all p^2 pairs (p = o->tf1.p): the parameters with their copies and AdamW
 * moments, and the activations of the pairs. */
double gk_mod_model_bytes(const gk_mod_model_opts *o);
/* Creates the model of o on the pairs of D and fills in (which must not move afterwards: x_train and x_test
 * point into it), with the buffers for batches of up to max(train, test) pairs. */
gk_status gk_mod_model_create(gk_model *m, gk_mod_inputs *in, const gk_mod_data *D, const gk_mod_model_opts *o,
                              gk_error *err);
void gk_mod_inputs_free(gk_mod_inputs *in);

#endif
