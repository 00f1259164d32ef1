/* mlp_deep.c: a deep ReLU MLP on dense rows, forward and backward side by side (see mlp_deep.h).
 *
 * forward:  Z_l = c_l A_{l-1} W_l + 1 b_l^T (dgemm, n x fan_out);  A_l = max(Z_l, 0) for l < L;  out = Z_L
 * backward: with G_L = dout and, going down, G_{l-1} = (c_l G_l W_l^T) * 1[A_{l-1} > 0]:
 *           grad_W_l += c_l A_{l-1}^T G_l (dgemm, fan_in x fan_out);  grad_b_l += sum_i G_l[i]
 * The cache keeps A_1 .. A_{L-1} of the last forward; A_0 is the caller's input (the same pointer must be
 * passed to backward). ReLU'(0) = 0, as in PyTorch. */
#include "model/mlp_deep.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mlp_deep_impl {
    size_t d_in, width;
    int depth, n_out;
    gk_mlp_forward fwd;
    double out_scale;
    double *A[GK_MLP_MAX_DEPTH]; /* A[l], l = 1..depth-1: cap_n x width post-activations */
    double *G[2];                /* cap_n x width: the backward's running gradient (two, alternating) */
    size_t cap_n, last_n;
    const double *last_x;
} mlp_deep_impl;

static size_t fan_in(const mlp_deep_impl *R, int l) { return l == 1 ? R->d_in : R->width; }
static size_t fan_out(const mlp_deep_impl *R, int l) { return l == R->depth ? (size_t)R->n_out : R->width; }

double gk_mlp_deep_layer_scale(const gk_model *m, int l) {
    const mlp_deep_impl *R = m->impl;
    GK_ASSERT(l >= 1 && l <= R->depth);
    const double fi = (double)fan_in(R, l);
    if (R->fwd == GK_MLP_NTK) return l == R->depth ? R->out_scale / fi : 1.0 / sqrt(fi);
    return l == R->depth ? R->out_scale : 1.0;
}

/* C (M x N) = alpha op(A) op(B) + beta C, row-major, split into fixed blocks of GK_MLP_BLOCK rows of C.
 * op(A) rows i0..i1 are rows of A (NoTrans) or columns of A (Trans). */
static void pgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A, size_t lda,
                  const double *B, size_t ldb, double beta, double *C, size_t ldc) {
    const long nb = (long)((M + GK_MLP_BLOCK - 1) / GK_MLP_BLOCK);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nb; b++) {
        const size_t i0 = (size_t)b * GK_MLP_BLOCK, m = i0 + GK_MLP_BLOCK <= M ? GK_MLP_BLOCK : M - i0;
        const double *Ab = transA ? A + i0 : A + i0 * lda;
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int)m,
                    (int)N, (int)K, alpha, Ab, (int)lda, B, (int)ldb, beta, C + i0 * ldc, (int)ldc);
    }
}

static gk_status ensure_cache(mlp_deep_impl *R, size_t n, gk_error *err) {
    if (n <= R->cap_n) return GK_OK;
    const size_t bytes = n * R->width * sizeof(double);
    for (int l = 1; l < R->depth; l++) {
        double *p = realloc(R->A[l], bytes);
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, R->width);
        R->A[l] = p;
    }
    for (int k = 0; k < 2; k++) {
        double *p = realloc(R->G[k], bytes > n * (size_t)R->n_out * sizeof(double) ? bytes : n * (size_t)R->n_out * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu gradients", n, R->width);
        R->G[k] = p;
    }
    R->cap_n = n;
    return GK_OK;
}

static gk_status mlp_deep_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                                  gk_error *err) {
    mlp_deep_impl *R = mod->impl;
    const gk_dense_input *X = in;
    GK_ASSERT(X && X->d == R->d_in && X->n == n);
    gk_status s = ensure_cache(R, n, err);
    if (s) return s;
    const double *a = X->x;
    for (int l = 1; l <= R->depth; l++) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        const double *W = theta + mod->params.t[2 * (l - 1)].offset, *b = theta + mod->params.t[2 * (l - 1) + 1].offset;
        double *z = l < R->depth ? R->A[l] : out;
        const long nn = (long)n;
#pragma omp parallel for schedule(static)
        for (long i = 0; i < nn; i++) memcpy(z + (size_t)i * fo, b, fo * sizeof(double));
        pgemm(0, 0, n, fo, fi, gk_mlp_deep_layer_scale(mod, l), a, fi, W, fo, 1.0, z, fo);
        if (l < R->depth) {
#pragma omp parallel for schedule(static)
            for (long i = 0; i < nn; i++) {
                double *zi = z + (size_t)i * fo;
                for (size_t j = 0; j < fo; j++) zi[j] = zi[j] > 0 ? zi[j] : 0.0;
            }
        }
        a = z;
    }
    R->last_n = n;
    R->last_x = X->x;
    return GK_OK;
}

/* gb[j] += sum_i G[i, j], samples summed in order i = 0..n-1 for each column (one thread per column block). */
static void bias_grad(const double *G, size_t n, size_t fo, double *gb) {
    const long nb = (long)((fo + 31) / 32);
#pragma omp parallel for schedule(static)
    for (long b = 0; b < nb; b++) {
        const size_t j0 = (size_t)b * 32, len = j0 + 32 <= fo ? 32 : fo - j0;
        double acc[32] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < len; j++) acc[j] += G[i * fo + j0 + j];
        for (size_t j = 0; j < len; j++) gb[j0 + j] += acc[j];
    }
}

static void mlp_deep_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                              double *grad) {
    mlp_deep_impl *R = mod->impl;
    const gk_dense_input *X = in;
    GK_ASSERT(X && X->d == R->d_in && X->n == n && R->last_n == n && R->last_x == X->x);
    const double *G = dout;
    int cur = 0;
    for (int l = R->depth; l >= 1; l--) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        const double c = gk_mlp_deep_layer_scale(mod, l);
        const double *W = theta + mod->params.t[2 * (l - 1)].offset, *a = l > 1 ? R->A[l - 1] : X->x;
        double *gW = grad + mod->params.t[2 * (l - 1)].offset, *gb = grad + mod->params.t[2 * (l - 1) + 1].offset;
        pgemm(1, 0, fi, fo, n, c, a, fi, G, fo, 1.0, gW, fo);
        bias_grad(G, n, fo, gb);
        if (l > 1) {
            double *Gn = R->G[cur];
            cur ^= 1;
            pgemm(0, 1, n, fi, fo, c, G, fo, W, fo, 0.0, Gn, fi);
            const long nn = (long)n;
#pragma omp parallel for schedule(static)
            for (long i = 0; i < nn; i++) {
                double *g = Gn + (size_t)i * fi;
                const double *ai = a + (size_t)i * fi;
                for (size_t j = 0; j < fi; j++) g[j] = ai[j] > 0 ? g[j] : 0.0;
            }
            G = Gn;
        }
    }
}

static void mlp_deep_destroy(gk_model *mod) {
    mlp_deep_impl *R = mod->impl;
    if (R) {
        for (int l = 0; l < GK_MLP_MAX_DEPTH; l++) free(R->A[l]);
        free(R->G[0]);
        free(R->G[1]);
        free(R);
    }
    mod->impl = NULL;
}

static const gk_model_ops mlp_deep_ops = {"mlp-deep", mlp_deep_forward, mlp_deep_backward, mlp_deep_destroy};

static const char *const wname[GK_MLP_MAX_DEPTH] = {"W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"};
static const char *const bname[GK_MLP_MAX_DEPTH] = {"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"};

gk_status gk_mlp_deep_create(gk_model *mod, size_t d_in, size_t width, int depth, int n_out, gk_mlp_forward fwd,
                             double out_scale, gk_error *err) {
    memset(mod, 0, sizeof *mod);
    if (depth < 1 || depth > GK_MLP_MAX_DEPTH)
        return gk_fail(err, GK_EINVAL, "depth=%d is out of range (1 <= depth <= %d)", depth, GK_MLP_MAX_DEPTH);
    if (d_in < 1 || width < 1 || n_out < 1 || d_in > 1u << 24 || width > 1u << 24)
        return gk_fail(err, GK_EINVAL, "bad MLP sizes (d_in = %zu, width = %zu, n_out = %d)", d_in, width, n_out);
    mlp_deep_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->d_in = d_in, R->width = width, R->depth = depth, R->n_out = n_out, R->fwd = fwd, R->out_scale = out_scale;
    mod->ops = &mlp_deep_ops;
    mod->impl = R;
    mod->n_out = n_out;
    for (int l = 1; l <= depth; l++) {
        gk_param_table_add(&mod->params, wname[l - 1], fan_in(R, l), fan_out(R, l));
        gk_param_table_add(&mod->params, bname[l - 1], fan_out(R, l), 1);
    }
    return GK_OK;
}

void gk_mlp_deep_init(gk_model *mod, double init_scale, uint64_t seed, double *theta) {
    mlp_deep_impl *R = mod->impl;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x6d6c7064));
    for (int l = 1; l <= R->depth; l++) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        double *W = theta + mod->params.t[2 * (l - 1)].offset, *b = theta + mod->params.t[2 * (l - 1) + 1].offset;
        if (R->fwd == GK_MLP_NTK) {
            const double sd = init_scale * sqrt(2.0 / (double)fi);
            for (size_t k = 0; k < fi * fo; k++) W[k] = sd * gk_rng_normal(&r);
            for (size_t j = 0; j < fo; j++) b[j] = 0.0;
        } else {
            const double bound = 1.0 / sqrt((double)fi);
            for (size_t k = 0; k < fi * fo; k++) W[k] = init_scale * bound * (2.0 * gk_rng_uniform(&r) - 1.0);
            for (size_t j = 0; j < fo; j++) b[j] = init_scale * bound * (2.0 * gk_rng_uniform(&r) - 1.0);
        }
    }
}
