/* dense.c: the dense layer of the MLPs (see dense.h). */
#include "model/dense.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void pgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A, size_t lda,
                  const double *B, size_t ldb, double beta, double *C, size_t ldc) {
    gk_gemm_row_slices(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, GK_DENSE_BLOCK);
}

void gk_dense_forward(const double *A, size_t n, size_t fi, size_t fo, const double *W, const double *b, double c,
                      gk_act act, double *Z) {
    const long nn = (long)n;
    /* Z = 1 b^T, then Z += c A W (beta = 1); without bias Z = c A W (beta = 0) */
    if (b) {
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) memcpy(Z + (size_t)i * fo, b, fo * sizeof(double));
    }
    pgemm(0, 0, n, fo, fi, c, A, fi, W, fo, b ? 1.0 : 0.0, Z, fo);
    gk_dense_activate(Z, n, fo, act);
}

void gk_dense_activate(double *Z, size_t n, size_t fo, gk_act act) {
    const long nn = (long)n;
    if (act == GK_ACT_RELU) {
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) {
            double *zi = Z + (size_t)i * fo;
            for (size_t j = 0; j < fo; j++) zi[j] = zi[j] > 0 ? zi[j] : 0.0;
        }
    } else if (act == GK_ACT_TANH) {
        /* tanh costs ~16 multiply-adds: parallel on 16 times smaller layers */
#pragma omp parallel for schedule(static) if (n * fo * 16 >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) {
            double *zi = Z + (size_t)i * fo;
            for (size_t j = 0; j < fo; j++) zi[j] = tanh(zi[j]);
        }
    }
}

void gk_dense_param_grads(const double *A, const double *G, size_t n, size_t fi, size_t fo, double c, double *gW,
                          double *gb) {
    if (gW) pgemm(1, 0, fi, fo, n, c, A, fi, G, fo, 1.0, gW, fo);
    if (gb) gk_add_column_sums(G, n, fo, gb);
}

void gk_dense_input_grad(const double *G, const double *W, const double *A, size_t n, size_t fi, size_t fo, double c,
                         gk_act act, double *Gin) {
    pgemm(0, 1, n, fi, fo, c, G, fo, W, fo, 0.0, Gin, fi);
    if (act == GK_ACT_LINEAR) return;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * fi >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *g = Gin + (size_t)i * fi;
        const double *ai = A + (size_t)i * fi;
        if (act == GK_ACT_RELU)
            for (size_t j = 0; j < fi; j++) g[j] = ai[j] > 0 ? g[j] : 0.0;
        else
            for (size_t j = 0; j < fi; j++) g[j] *= 1.0 - ai[j] * ai[j];
    }
}

void gk_dense_add_tensors(gk_param_table *t, int l, size_t fi, size_t fo) {
    static const char *const wname[GK_DENSE_MAX_LAYERS] = {"W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"};
    static const char *const bname[GK_DENSE_MAX_LAYERS] = {"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"};
    GK_ASSERT(l >= 1 && l <= GK_DENSE_MAX_LAYERS);
    gk_param_table_add(t, wname[l - 1], fi, fo);
    gk_param_table_add(t, bname[l - 1], fo, 1);
}

void gk_dense_add_weight(gk_param_table *t, int l, size_t fi, size_t fo) {
    static const char *const wname[GK_DENSE_MAX_LAYERS] = {"W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"};
    GK_ASSERT(l >= 1 && l <= GK_DENSE_MAX_LAYERS);
    gk_param_table_add(t, wname[l - 1], fi, fo);
}

void gk_dense_init_uniform(double *W, double *b, size_t fi, size_t fo, double scale, gk_rng *r) {
    const double bound = 1.0 / sqrt((double)fi);
    for (size_t k = 0; k < fi * fo; k++) W[k] = scale * bound * (2.0 * gk_rng_uniform(r) - 1.0);
    if (b)
        for (size_t j = 0; j < fo; j++) b[j] = scale * bound * (2.0 * gk_rng_uniform(r) - 1.0);
}

gk_status gk_dense_cache_reserve(gk_dense_cache *c, size_t n, int L, const size_t *w, size_t gw, gk_error *err) {
    if (n <= c->cap) return GK_OK;
    for (int l = 1; l < L; l++) {
        double *p = realloc(c->A[l], n * w[l] * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, w[l]);
        c->A[l] = p;
    }
    for (int k = 0; k < 2; k++) {
        double *p = realloc(c->G[k], n * gw * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu gradients", n, gw);
        c->G[k] = p;
    }
    c->cap = n;
    return GK_OK;
}

void gk_dense_cache_free(gk_dense_cache *c) {
    for (int l = 0; l < GK_DENSE_MAX_LAYERS; l++) free(c->A[l]);
    free(c->G[0]);
    free(c->G[1]);
    memset(c, 0, sizeof *c);
}

/* ---- float32 ---------------------------------------------------------------------------------------------- */
static void sgemm(int transA, int transB, size_t M, size_t N, size_t K, float alpha, const float *A, size_t lda,
                  const float *B, size_t ldb, float beta, float *C, size_t ldc) {
    gk_sgemm_row_slices(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, GK_DENSE_BLOCK);
}

void gk_dense_forward_f(const float *A, size_t n, size_t fi, size_t fo, const float *W, const float *b, float c,
                        gk_act act, float *Z) {
    const long nn = (long)n;
    if (b) {
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) memcpy(Z + (size_t)i * fo, b, fo * sizeof(float));
    }
    sgemm(0, 0, n, fo, fi, c, A, fi, W, fo, b ? 1.0f : 0.0f, Z, fo);
    gk_dense_activate_f(Z, n, fo, act);
}

void gk_dense_activate_f(float *Z, size_t n, size_t fo, gk_act act) {
    if (act == GK_ACT_LINEAR) return;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        float *zi = Z + (size_t)i * fo;
        if (act == GK_ACT_RELU)
            for (size_t j = 0; j < fo; j++) zi[j] = zi[j] > 0 ? zi[j] : 0.0f;
        else
            for (size_t j = 0; j < fo; j++) zi[j] = tanhf(zi[j]);
    }
}

void gk_dense_param_grads_f(const float *A, const float *G, size_t n, size_t fi, size_t fo, float c, float *gW,
                            float *gb) {
    if (gW) sgemm(1, 0, fi, fo, n, c, A, fi, G, fo, 0.0f, gW, fo);
    if (gb) {
        memset(gb, 0, fo * sizeof(float));
        gk_add_column_sums_f(G, n, fo, gb);
    }
}

void gk_dense_input_grad_f(const float *G, const float *W, const float *A, size_t n, size_t fi, size_t fo, float c,
                           gk_act act, float *Gin) {
    sgemm(0, 1, n, fi, fo, c, G, fo, W, fo, 0.0f, Gin, fi);
    if (act == GK_ACT_LINEAR) return;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * fi >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        float *g = Gin + (size_t)i * fi;
        const float *ai = A + (size_t)i * fi;
        if (act == GK_ACT_RELU)
            for (size_t j = 0; j < fi; j++) g[j] = ai[j] > 0 ? g[j] : 0.0f;
        else
            for (size_t j = 0; j < fi; j++) g[j] *= 1.0f - ai[j] * ai[j];
    }
}

gk_status gk_dense_cache_f_reserve(gk_dense_cache_f *c, size_t n, int L, const size_t *w, size_t gw, gk_error *err) {
    if (n <= c->cap) return GK_OK;
    for (int l = 1; l < L; l++) {
        float *p = realloc(c->A[l], n * w[l] * sizeof(float));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, w[l]);
        c->A[l] = p;
    }
    float **bufs[3] = {&c->G[0], &c->G[1], &c->out};
    for (int k = 0; k < 3; k++) {
        float *p = realloc(*bufs[k], n * gw * sizeof(float));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu gradients", n, gw);
        *bufs[k] = p;
    }
    c->cap = n;
    return GK_OK;
}

void gk_dense_cache_f_free(gk_dense_cache_f *c) {
    for (int l = 0; l < GK_DENSE_MAX_LAYERS; l++) free(c->A[l]);
    free(c->G[0]), free(c->G[1]), free(c->out);
    memset(c, 0, sizeof *c);
}
