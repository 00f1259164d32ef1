/* mlp_tanh.c: a tanh MLP on dense rows, forward and backward side by side (see mlp_tanh.h).
 *
 * forward:  Z_l = A_{l-1} W_l + 1 b_l^T (dgemm, n x fan_out);  A_l = tanh(Z_l) for l < L;  out = s Z_L
 * backward: G_L = s dout, and going down G_{l-1} = (G_l W_l^T) * (1 - A_{l-1}^2):
 *           grad_W_l += A_{l-1}^T G_l (dgemm, fan_in x fan_out);  grad_b_l += sum_i G_l[i]
 * The cache keeps A_1 .. A_{L-1} of the last forward; A_0 is the caller's input (the same pointer must be passed
 * to backward). */
#include "model/mlp_tanh.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mlp_tanh_impl {
    int L;                                  /* linear layers */
    size_t w[GK_TANH_MAX_LAYERS + 1];       /* widths[0..L] */
    double out_scale;
    double *A[GK_TANH_MAX_LAYERS];          /* A[l], l = 1..L-1: cap_n x w[l] post-activations */
    double *G[2];                           /* cap_n x max width: the backward's running gradient */
    size_t cap_n, last_n, wmax;
    const double *last_x;
} mlp_tanh_impl;

/* The batch products: fixed row slices of GK_TANH_BLOCK rows (core/gemm.h), the same bits on any thread count. */
static void pgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A, size_t lda,
                  const double *B, size_t ldb, double beta, double *C, size_t ldc) {
    gk_gemm_row_slices(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, GK_TANH_BLOCK);
}

static gk_status ensure_cache(mlp_tanh_impl *R, size_t n, gk_error *err) {
    if (n <= R->cap_n) return GK_OK;
    for (int l = 1; l < R->L; l++) {
        double *p = realloc(R->A[l], n * R->w[l] * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, R->w[l]);
        R->A[l] = p;
    }
    for (int k = 0; k < 2; k++) {
        double *p = realloc(R->G[k], n * R->wmax * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu gradients", n, R->wmax);
        R->G[k] = p;
    }
    R->cap_n = n;
    return GK_OK;
}

static gk_status mlp_tanh_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                                  gk_error *err) {
    mlp_tanh_impl *R = mod->impl;
    const double *x = in;
    GK_ASSERT(x && out);
    gk_status s = ensure_cache(R, n, err);
    if (s) return s;
    const double *a = x;
    const long nn = (long)n;
    for (int l = 1; l <= R->L; l++) {
        const size_t fi = R->w[l - 1], fo = R->w[l];
        const double *W = theta + mod->params.t[2 * (l - 1)].offset, *b = theta + mod->params.t[2 * (l - 1) + 1].offset;
        double *z = l < R->L ? R->A[l] : out;
        /* z = 1 b^T, then z += a W (beta = 1) */
#pragma omp parallel for schedule(static) if (n * fo >= GK_PARALLEL_MIN)
        for (long i = 0; i < nn; i++) memcpy(z + (size_t)i * fo, b, fo * sizeof(double));
        pgemm(0, 0, n, fo, fi, 1.0, a, fi, W, fo, 1.0, z, fo);
        if (l < R->L) {
#pragma omp parallel for schedule(static) if (n * fo * 16 >= GK_PARALLEL_MIN)
            for (long i = 0; i < nn; i++) {
                double *zi = z + (size_t)i * fo;
                for (size_t j = 0; j < fo; j++) zi[j] = tanh(zi[j]);
            }
        } else if (R->out_scale != 1.0) {
            const double c = R->out_scale;
            for (size_t k = 0; k < n * fo; k++) z[k] *= c;
        }
        a = z;
    }
    R->last_n = n;
    R->last_x = x;
    return GK_OK;
}

static void mlp_tanh_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                              double *grad) {
    mlp_tanh_impl *R = mod->impl;
    GK_ASSERT(in == R->last_x && n == R->last_n);
    const long nn = (long)n;
    /* G_L = s dout: the output scale enters once, at the top. */
    double *G = R->G[0];
    const size_t nL = R->w[R->L];
    for (size_t k = 0; k < n * nL; k++) G[k] = R->out_scale * dout[k];
    int cur = 1;
    for (int l = R->L; l >= 1; l--) {
        const size_t fi = R->w[l - 1], fo = R->w[l];
        const double *W = theta + mod->params.t[2 * (l - 1)].offset;
        const double *a = l > 1 ? R->A[l - 1] : (const double *)in;
        double *gW = grad + mod->params.t[2 * (l - 1)].offset, *gb = grad + mod->params.t[2 * (l - 1) + 1].offset;
        pgemm(1, 0, fi, fo, n, 1.0, a, fi, G, fo, 1.0, gW, fo);
        gk_add_column_sums(G, n, fo, gb);
        if (l > 1) {
            double *Gn = R->G[cur];
            cur ^= 1;
            pgemm(0, 1, n, fi, fo, 1.0, G, fo, W, fo, 0.0, Gn, fi);
#pragma omp parallel for schedule(static) if (n * fi >= GK_PARALLEL_MIN)
            for (long i = 0; i < nn; i++) {
                double *g = Gn + (size_t)i * fi;
                const double *ai = a + (size_t)i * fi;
                for (size_t j = 0; j < fi; j++) g[j] *= 1.0 - ai[j] * ai[j];
            }
            G = Gn;
        }
    }
}

static void mlp_tanh_destroy(gk_model *mod) {
    mlp_tanh_impl *R = mod->impl;
    if (R) {
        for (int l = 0; l < GK_TANH_MAX_LAYERS; l++) free(R->A[l]);
        free(R->G[0]);
        free(R->G[1]);
        free(R);
    }
    mod->impl = NULL;
}

static const gk_model_ops mlp_tanh_ops = {"mlp-tanh", mlp_tanh_forward, mlp_tanh_backward, mlp_tanh_destroy};

static const char *const wname[GK_TANH_MAX_LAYERS] = {"W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"};
static const char *const bname[GK_TANH_MAX_LAYERS] = {"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"};

gk_status gk_mlp_tanh_create(gk_model *mod, const size_t *widths, int nlayers, double out_scale, gk_error *err) {
    memset(mod, 0, sizeof *mod);
    if (nlayers < 1 || nlayers > GK_TANH_MAX_LAYERS)
        return gk_fail(err, GK_EINVAL, "depth=%d is out of range (1 <= depth <= %d)", nlayers, GK_TANH_MAX_LAYERS);
    for (int l = 0; l <= nlayers; l++)
        if (widths[l] < 1 || widths[l] > (size_t)1 << 24)
            return gk_fail(err, GK_EINVAL, "bad tanh MLP width %zu (layer %d; 1 <= width <= 2^24)", widths[l], l);
    if (!(out_scale > 0) || !isfinite(out_scale))
        return gk_fail(err, GK_EINVAL, "out_scale=%g must be > 0 and finite", out_scale);
    mlp_tanh_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->L = nlayers, R->out_scale = out_scale;
    for (int l = 0; l <= nlayers; l++) {
        R->w[l] = widths[l];
        if (widths[l] > R->wmax) R->wmax = widths[l];
    }
    mod->ops = &mlp_tanh_ops;
    mod->impl = R;
    mod->n_out = (int)widths[nlayers];
    for (int l = 1; l <= nlayers; l++) {
        gk_param_table_add(&mod->params, wname[l - 1], widths[l - 1], widths[l]);
        gk_param_table_add(&mod->params, bname[l - 1], widths[l], 1);
    }
    return GK_OK;
}

void gk_mlp_tanh_init(gk_model *mod, double init_scale, gk_rng *r, double *theta) {
    mlp_tanh_impl *R = mod->impl;
    for (int l = 1; l <= R->L; l++) {
        const size_t fi = R->w[l - 1], fo = R->w[l];
        double *W = theta + mod->params.t[2 * (l - 1)].offset, *b = theta + mod->params.t[2 * (l - 1) + 1].offset;
        const double bound = 1.0 / sqrt((double)fi);
        for (size_t k = 0; k < fi * fo; k++) W[k] = init_scale * bound * (2.0 * gk_rng_uniform(r) - 1.0);
        for (size_t j = 0; j < fo; j++) b[j] = init_scale * bound * (2.0 * gk_rng_uniform(r) - 1.0);
    }
}

const size_t *gk_mlp_tanh_widths(const gk_model *mod, int *nlayers) {
    const mlp_tanh_impl *R = mod->impl;
    if (nlayers) *nlayers = R->L;
    return R->w;
}

double gk_mlp_tanh_out_scale(const gk_model *mod) { return ((const mlp_tanh_impl *)mod->impl)->out_scale; }
