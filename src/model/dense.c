/* dense.c: the dense layer of the MLPs (see dense.h); the double and float32 layers are one body, dense_t.h. */
#include "model/dense.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GK_T double
#define GK_NAME(x) x
#define GK_ROW_SLICES gk_gemm_row_slices
#define GK_TANH tanh
#include "model/dense_t.h"

#define GK_T float
#define GK_NAME(x) x##_f
#define GK_ROW_SLICES gk_sgemm_row_slices
#define GK_TANH tanhf
#include "model/dense_t.h"

void gk_dense_param_grads(const double *A, const double *G, size_t n, size_t fi, size_t fo, double c, double *gW,
                          double *gb) {
    param_grads(A, G, n, fi, fo, c, gW, gb, 1.0);
}

void gk_dense_param_grads_f(const float *A, const float *G, size_t n, size_t fi, size_t fo, float c, float *gW,
                            float *gb) {
    param_grads_f(A, G, n, fi, fo, c, gW, gb, 0.0f);
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
    double **const bufs[2] = {&c->G[0], &c->G[1]};
    return cache_reserve(c->A, bufs, 2, &c->cap, n, L, w, gw, err);
}

void gk_dense_cache_free(gk_dense_cache *c) {
    for (int l = 0; l < GK_DENSE_MAX_LAYERS; l++) free(c->A[l]);
    free(c->G[0]);
    free(c->G[1]);
    memset(c, 0, sizeof *c);
}

gk_status gk_dense_cache_f_reserve(gk_dense_cache_f *c, size_t n, int L, const size_t *w, size_t gw, gk_error *err) {
    float **const bufs[3] = {&c->G[0], &c->G[1], &c->out};
    return cache_reserve_f(c->A, bufs, 3, &c->cap, n, L, w, gw, err);
}

void gk_dense_cache_f_free(gk_dense_cache_f *c) {
    for (int l = 0; l < GK_DENSE_MAX_LAYERS; l++) free(c->A[l]);
    free(c->G[0]), free(c->G[1]), free(c->out);
    memset(c, 0, sizeof *c);
}
