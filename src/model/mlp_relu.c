/* mlp_relu.c: two-layer ReLU MLP on index pairs, forward and backward side by side.
 *
 * forward:  Z_i = W1[a_i] + W1[p + b_i] + b1  (gather, n x h);  H = max(Z, 0);  out = H W2^T  (dgemm, n x p)
 * backward: grad_W2 += dout^T H  (dgemm, p x h);  G = (dout W2) * 1[Z > 0]  (dgemm, n x h; ReLU'(0) = 0);
 *           grad_b1 += sum_i G_i;  grad_W1[a_i] += G_i,  grad_W1[p + b_i] += G_i  (scatter)
 * The scatter is split over blocks of hidden units, each summing the samples in order i = 0..n-1, and the
 * dgemm calls partition their outputs, so the results do not depend on the thread count. */
#include "model/mlp_relu.h"

#include "core/parallel.h"
#include "model/act_cache.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HBLOCK 64 /* hidden units per scatter task (any split gives the same sums) */

/* wa += g, wb += g, acc += g over len entries (wa and wb are distinct rows: a < p <= p + b). */
static inline void scatter_row(double *restrict wa, double *restrict wb, double *restrict acc, const double *restrict g,
                               size_t len) {
    for (size_t j = 0; j < len; j++) {
        wa[j] += g[j];
        wb[j] += g[j];
        acc[j] += g[j];
    }
}

typedef struct mlp_relu_impl {
    int p;
    size_t h;
    gk_act_cache act; /* pre- and post-activations of the last forward */
    size_t last_n;
} mlp_relu_impl;

static gk_status mlp_relu_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                                  gk_error *err) {
    mlp_relu_impl *R = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n);
    gk_status s = gk_act_cache_reserve(&R->act, n, err);
    if (s) return s;
    const size_t h = R->h, p = (size_t)R->p;
    const double *W1 = theta + mod->params.t[0].offset, *b1 = theta + mod->params.t[1].offset,
                 *W2 = theta + mod->params.t[2].offset;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const double *ua = W1 + (size_t)X->a[i] * h, *ub = W1 + (p + (size_t)X->b[i]) * h;
        double *z = R->act.Z + (size_t)i * h, *y = R->act.H + (size_t)i * h;
        for (size_t j = 0; j < h; j++) {
            z[j] = ua[j] + ub[j] + b1[j];
            y[j] = z[j] > 0 ? z[j] : 0.0;
        }
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)p, (int)h, 1.0, R->act.H, (int)h, W2, (int)h, 0.0,
                out, (int)p);
    R->last_n = n;
    return GK_OK;
}

static void mlp_relu_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                              double *grad) {
    mlp_relu_impl *R = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n && R->last_n == n);
    const size_t h = R->h, p = (size_t)R->p;
    const double *W2 = theta + mod->params.t[2].offset;
    double *gW1 = grad + mod->params.t[0].offset, *gb1 = grad + mod->params.t[1].offset,
           *gW2 = grad + mod->params.t[2].offset;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)h, (int)n, 1.0, dout, (int)p, R->act.H, (int)h, 1.0,
                gW2, (int)h);
    /* H becomes G (the cache is spent: a new forward is needed before the next backward). */
    double *G = R->act.H;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)h, (int)p, 1.0, dout, (int)p, W2, (int)h, 0.0,
                G, (int)h);
    R->last_n = 0;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *g = G + (size_t)i * h;
        const double *z = R->act.Z + (size_t)i * h;
        for (size_t j = 0; j < h; j++) g[j] = z[j] > 0 ? g[j] : 0.0;
    }
    const long nblocks = (long)((h + HBLOCK - 1) / HBLOCK);
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long blk = 0; blk < nblocks; blk++) {
        const size_t j0 = (size_t)blk * HBLOCK, len = j0 + HBLOCK < h ? HBLOCK : h - j0;
        double acc[HBLOCK] = {0};
        for (size_t i = 0; i < n; i++)
            scatter_row(gW1 + (size_t)X->a[i] * h + j0, gW1 + (p + (size_t)X->b[i]) * h + j0, acc, G + i * h + j0, len);
        for (size_t j = 0; j < len; j++) gb1[j0 + j] += acc[j];
    }
}

static void mlp_relu_destroy(gk_model *mod) {
    mlp_relu_impl *R = mod->impl;
    if (R) {
        gk_act_cache_free(&R->act);
        free(R);
    }
    mod->impl = NULL;
}

static const gk_model_ops mlp_relu_ops = {"mlp-relu", mlp_relu_forward, mlp_relu_backward, mlp_relu_destroy};

gk_status gk_mlp_relu_create(gk_model *mod, int p, size_t width, gk_error *err) {
    GK_ASSERT(p >= 2 && width >= 1);
    memset(mod, 0, sizeof *mod);
    if (width > 2147483647u / 2) return gk_fail(err, GK_EINVAL, "width=%zu is too large for the BLAS interface", width);
    mlp_relu_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->p = p;
    R->h = width;
    R->act.h = width;
    mod->ops = &mlp_relu_ops;
    mod->impl = R;
    mod->n_out = p;
    gk_param_table_add(&mod->params, "W1", 2 * (size_t)p, width);
    gk_param_table_add(&mod->params, "b1", width, 1);
    gk_param_table_add(&mod->params, "W2", (size_t)p, width);
    return GK_OK;
}

void gk_mlp_relu_init(gk_model *mod, double alpha, int zero_last, uint64_t seed, double *theta) {
    mlp_relu_impl *R = mod->impl;
    const size_t h = R->h, p = (size_t)R->p;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x6d6c70));
    const double s1 = alpha * sqrt(2.0 / (double)(2 * p)), s2 = alpha * sqrt(1.0 / (double)h);
    double *W1 = theta + mod->params.t[0].offset, *b1 = theta + mod->params.t[1].offset,
           *W2 = theta + mod->params.t[2].offset;
    for (size_t k = 0; k < 2 * p * h; k++) W1[k] = s1 * gk_rng_normal(&r);
    for (size_t j = 0; j < h; j++) b1[j] = 0.0;
    for (size_t k = 0; k < p * h; k++) W2[k] = zero_last ? 0.0 : s2 * gk_rng_normal(&r);
}
