/* mod_models.c: the modular-arithmetic models from one options struct (mod_models.h). */
#include "model/mod_models.h"

#include "model/mlp2.h"

#include <stdlib.h>

gk_status gk_mod_model_check(const gk_mod_model_opts *o, gk_error *err) {
    if (o->kind != GK_MOD_TF1) return GK_OK;
    gk_status s = gk_tf1_check(&o->tf1, err);
    if (!s && o->f32)
        s = gk_fail(err, GK_EINVAL,
                    "precision=f32 with model=transformer1: float32 is implemented for model=mlp-relu|mlp-quad|mlp-deep");
    return s;
}

double gk_mod_model_bytes(const gk_mod_model_opts *o) {
    const double p = (double)o->tf1.p, n = p * p, h = (double)o->width;
    if (o->kind == GK_MOD_TF1) {
        const double dm = (double)o->tf1.d_model, dh = (double)o->tf1.d_mlp;
        return 8.0 * (6 * (2 * (p + 1) * dm + 4 * dm * dm + 2 * dm * dh) + n * (18 * dm + 2 * dh) + 4 * n * p);
    }
    if (o->kind == GK_MOD_MLP_DEEP) {
        const double L = (double)o->depth;
        return 8.0 * (6 * (3 * p * h + (L - 2 > 0 ? L - 2 : 0) * h * h) + 2 * n * L * h + 4 * n * p);
    }
    return 8.0 * (6 * 3 * p * h + 4 * n * h + 4 * n * p);
}

/* mlp-relu|mlp-quad: Lyu's ReLU MLP (bias, c = 1) or Gromov's quadratic one (no bias, c = s / (2p h)). */
static gk_status mlp2_create(gk_model *m, int p, const gk_mod_model_opts *o, gk_error *err) {
    const int relu = o->kind == GK_MOD_MLP_RELU;
    const double c = relu ? 1.0 : o->out_scale / (2.0 * (double)p * (double)o->width);
    const gk_mlp2_opts mo = {relu ? GK_MLP2_RELU : GK_MLP2_QUAD, relu, c, relu && o->zero_last, o->f32};
    return gk_mlp2_create(m, p, o->width, &mo, err);
}

/* The CSR of the one-hot pairs e_a + e_{p+b}, train pairs then test pairs, and the inputs reading it. */
static gk_status onehot_inputs(gk_mod_inputs *in, const gk_mod_data *D, gk_error *err) {
    const size_t p = (size_t)D->p, nt = D->train.n, ne = D->test.n, N = nt + ne;
    gk_sparse_rows *Z = &in->onehot;
    Z->start = malloc((N + 1) * sizeof(size_t));
    Z->col = malloc(2 * N * sizeof(int));
    Z->val = malloc(2 * N * sizeof(double));
    in->test_rows = malloc((ne ? ne : 1) * sizeof(size_t));
    if (!Z->start || !Z->col || !Z->val || !in->test_rows)
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu one-hot pairs", N);
    for (size_t i = 0; i < N; i++) {
        Z->start[i] = 2 * i;
        Z->col[2 * i] = D->a[i], Z->col[2 * i + 1] = (int)p + D->b[i];
        Z->val[2 * i] = Z->val[2 * i + 1] = 1.0;
    }
    Z->start[N] = 2 * N, Z->n = N, Z->nnz = 2 * N;
    for (size_t i = 0; i < ne; i++) in->test_rows[i] = nt + i;
    in->x_train = (gk_dense_input){nt, 2 * p, NULL, NULL, Z};
    in->x_test = (gk_dense_input){ne, 2 * p, NULL, in->test_rows, Z};
    in->train = &in->x_train, in->test = &in->x_test;
    return GK_OK;
}

/* mlp-deep: the PyTorch-style MLP (2p -> width -> ... -> p) with its sparse first layer on the one-hot rows. */
static gk_status deep_create(gk_model *m, gk_mod_inputs *in, const gk_mod_data *D, const gk_mod_model_opts *o,
                             gk_error *err) {
    const size_t p = (size_t)D->p, nmax = D->train.n > D->test.n ? D->train.n : D->test.n;
    gk_mlp_deep_opts mo = {.d_in = 2 * p, .width = o->width, .depth = o->depth, .n_out = D->p, .no_bias = !o->bias, .f32 = o->f32};
    gk_status s = gk_mlp_deep_create_opts(m, &mo, err);
    if (!s) s = onehot_inputs(in, D, err);
    if (s) return s;
    gk_mlp_deep_set_sparse_input(m, 1);
    return gk_mlp_deep_reserve_input(m, 0, 2 * nmax, err);
}

gk_status gk_mod_model_create(gk_model *m, gk_mod_inputs *in, const gk_mod_data *D, const gk_mod_model_opts *o,
                              gk_error *err) {
    in->train = &D->train, in->test = &D->test;
    gk_status s = o->kind == GK_MOD_MLP_DEEP ? deep_create(m, in, D, o, err)
                  : o->kind == GK_MOD_TF1    ? gk_tf1_create(m, &o->tf1, err)
                                             : mlp2_create(m, D->p, o, err);
    return s ? s : gk_model_reserve(m, D->train.n > D->test.n ? D->train.n : D->test.n, err);
}

void gk_mod_inputs_free(gk_mod_inputs *in) {
    gk_sparse_rows_free(&in->onehot);
    free(in->test_rows);
    in->test_rows = NULL;
}
