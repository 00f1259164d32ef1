/* mlp2.c: the two-layer MLP on index pairs, forward and backward side by side (see mlp2.h).
 *
 * forward:  Z_i = W1[a_i] + W1[p + b_i] (+ b1)  (gather, n x h);  H = act(Z);  out = c H W2^T  (dgemm, n x p)
 * backward: grad_W2 += c dout^T H  (dgemm, p x h);  G = c (dout W2) * act'(Z)  (dgemm, n x h; ReLU'(0) = 0);
 *           grad_b1 += sum_i G_i;  grad_W1[a_i] += G_i,  grad_W1[p + b_i] += G_i  (scatter)
 * The scatter is split over blocks of hidden units, each summing the samples in order i = 0..n-1, and the
 * dgemm calls partition their outputs, so the results do not depend on the thread count. */
#include "model/mlp2.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HBLOCK 64 /* hidden units per scatter task (any split gives the same sums) */

typedef struct mlp2_impl {
    int p;
    size_t h;
    gk_mlp2_opts o;
    int tW1, tb1, tW2;  /* tensor indices (tb1 = -1 without bias) */
    double *Z, *H;      /* cap x h each: pre- and post-activations of the last forward */
    size_t cap, last_n;
    /* float32 (o.f32): theta as float, Z and H (cap x h), the outputs (cap x p), the gradient scratch (3p x h + h) */
    float *thf, *Zf, *Hf, *outf, *gf;
} mlp2_impl;

/* wa += g, wb += g (and acc += g when acc) over len entries (wa and wb are distinct rows: a < p <= p + b). */
static inline void scatter_row(double *restrict wa, double *restrict wb, double *restrict acc, const double *restrict g,
                               size_t len) {
    if (acc)
        for (size_t j = 0; j < len; j++) {
            wa[j] += g[j];
            wb[j] += g[j];
            acc[j] += g[j];
        }
    else
        for (size_t j = 0; j < len; j++) {
            wa[j] += g[j];
            wb[j] += g[j];
        }
}

static const double *tensor(const gk_model *mod, const double *theta, int t) {
    return t < 0 ? NULL : theta + mod->params.t[t].offset;
}

/* Z and H of row i: the gather, the bias, the activation. */
static inline void hidden_row(const mlp2_impl *R, const double *restrict ua, const double *restrict ub,
                              const double *restrict b1, double *restrict z, double *restrict y) {
    const size_t h = R->h;
    for (size_t j = 0; j < h; j++) z[j] = ua[j] + ub[j];
    if (b1)
        for (size_t j = 0; j < h; j++) z[j] += b1[j];
    if (R->o.act == GK_MLP2_RELU)
        for (size_t j = 0; j < h; j++) y[j] = z[j] > 0 ? z[j] : 0.0;
    else
        for (size_t j = 0; j < h; j++) y[j] = z[j] * z[j];
}

/* ---- float32 (see mlp2.h): the same forward and backward in float arithmetic ------------------------------ */

static void hidden_row_f(const mlp2_impl *R, const float *restrict ua, const float *restrict ub,
                         const float *restrict b1, float *restrict z, float *restrict y) {
    const size_t h = R->h;
    for (size_t j = 0; j < h; j++) z[j] = ua[j] + ub[j];
    if (b1)
        for (size_t j = 0; j < h; j++) z[j] += b1[j];
    if (R->o.act == GK_MLP2_RELU)
        for (size_t j = 0; j < h; j++) y[j] = z[j] > 0 ? z[j] : 0.0f;
    else
        for (size_t j = 0; j < h; j++) y[j] = z[j] * z[j];
}

static void forward_f32(gk_model *mod, mlp2_impl *R, const double *theta, const gk_pair_input *X, size_t n,
                        double *out) {
    const size_t h = R->h, p = (size_t)R->p, P = mod->params.size;
    for (size_t k = 0; k < P; k++) R->thf[k] = (float)theta[k];
    const float *W1 = R->thf + mod->params.t[R->tW1].offset, *W2 = R->thf + mod->params.t[R->tW2].offset;
    const float *b1 = R->tb1 < 0 ? NULL : R->thf + mod->params.t[R->tb1].offset;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++)
        hidden_row_f(R, W1 + (size_t)X->a[i] * h, W1 + (p + (size_t)X->b[i]) * h, b1, R->Zf + (size_t)i * h,
                     R->Hf + (size_t)i * h);
    gk_sgemm_row_slices(0, 1, n, p, h, (float)R->o.out_mult, R->Hf, h, W2, h, 0.0f, R->outf, p, 128);
    for (size_t k = 0; k < n * p; k++) out[k] = R->outf[k];
}

/* grad += the float32 gradient: dW2 = c dout^T H and G = c (dout W2) * act'(Z) by sgemm, then the scatter of G
 * into dW1 (and db1), each hidden unit's sums over the samples in order, in float. */
static void backward_f32(gk_model *mod, mlp2_impl *R, const gk_pair_input *X, size_t n, const double *dout,
                         double *grad) {
    const size_t h = R->h, p = (size_t)R->p;
    const float c = (float)R->o.out_mult, *W2 = R->thf + mod->params.t[R->tW2].offset;
    float *D = R->outf, *gW1 = R->gf, *gW2 = R->gf + 2 * p * h, *gb1 = R->gf + 3 * p * h, *G = R->Hf;
    for (size_t k = 0; k < n * p; k++) D[k] = (float)dout[k];
    gk_sgemm_row_slices(1, 0, p, h, n, c, D, p, R->Hf, h, 0.0f, gW2, h, 128);
    gk_sgemm_row_slices(0, 0, n, h, p, c, D, p, W2, h, 0.0f, G, h, 128);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        float *g = G + (size_t)i * h;
        const float *z = R->Zf + (size_t)i * h;
        for (size_t j = 0; j < h; j++) g[j] = R->o.act == GK_MLP2_RELU ? (z[j] > 0 ? g[j] : 0.0f) : g[j] * 2.0f * z[j];
    }
    memset(gW1, 0, 2 * p * h * sizeof(float));
    memset(gb1, 0, h * sizeof(float));
    const long nblocks = (long)((h + HBLOCK - 1) / HBLOCK);
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long blk = 0; blk < nblocks; blk++) {
        const size_t j0 = (size_t)blk * HBLOCK, len = j0 + HBLOCK < h ? HBLOCK : h - j0;
        for (size_t i = 0; i < n; i++) {
            float *wa = gW1 + (size_t)X->a[i] * h + j0, *wb = gW1 + (p + (size_t)X->b[i]) * h + j0;
            const float *g = G + i * h + j0;
            for (size_t j = 0; j < len; j++) wa[j] += g[j], wb[j] += g[j], gb1[j0 + j] += g[j];
        }
    }
    double *d1 = grad + mod->params.t[R->tW1].offset, *d2 = grad + mod->params.t[R->tW2].offset;
    for (size_t k = 0; k < 2 * p * h; k++) d1[k] += gW1[k];
    for (size_t k = 0; k < p * h; k++) d2[k] += gW2[k];
    if (R->tb1 >= 0)
        for (size_t j = 0; j < h; j++) grad[mod->params.t[R->tb1].offset + j] += gb1[j];
}

static gk_status mlp2_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    mlp2_impl *R = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n);
    gk_status s = gk_model_check_batch(mod, n, R->cap, err);
    if (s) return s;
    if (R->o.f32) {
        forward_f32(mod, R, theta, X, n, out);
        R->last_n = n;
        return GK_OK;
    }
    const size_t h = R->h, p = (size_t)R->p;
    const double *W1 = tensor(mod, theta, R->tW1), *b1 = tensor(mod, theta, R->tb1), *W2 = tensor(mod, theta, R->tW2);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++)
        hidden_row(R, W1 + (size_t)X->a[i] * h, W1 + (p + (size_t)X->b[i]) * h, b1, R->Z + (size_t)i * h,
                   R->H + (size_t)i * h);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)p, (int)h, R->o.out_mult, R->H, (int)h, W2, (int)h,
                0.0, out, (int)p);
    R->last_n = n;
    return GK_OK;
}

/* G *= act'(Z), row by row. */
static void times_derivative(const mlp2_impl *R, double *G, size_t n) {
    const size_t h = R->h;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *g = G + (size_t)i * h;
        const double *z = R->Z + (size_t)i * h;
        if (R->o.act == GK_MLP2_RELU)
            for (size_t j = 0; j < h; j++) g[j] = z[j] > 0 ? g[j] : 0.0;
        else
            for (size_t j = 0; j < h; j++) g[j] *= 2.0 * z[j];
    }
}

static void mlp2_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                          double *grad) {
    mlp2_impl *R = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n && R->last_n == n);
    if (R->o.f32) {
        backward_f32(mod, R, X, n, dout, grad);
        R->last_n = 0;
        return;
    }
    const size_t h = R->h, p = (size_t)R->p;
    const double *W2 = tensor(mod, theta, R->tW2), c = R->o.out_mult;
    double *gW1 = grad + mod->params.t[R->tW1].offset, *gW2 = grad + mod->params.t[R->tW2].offset;
    double *gb1 = R->tb1 < 0 ? NULL : grad + mod->params.t[R->tb1].offset;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)h, (int)n, c, dout, (int)p, R->H, (int)h, 1.0,
                gW2, (int)h);
    /* H becomes G (the cache is spent: a new forward is needed before the next backward). */
    double *G = R->H;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)h, (int)p, c, dout, (int)p, W2, (int)h, 0.0, G,
                (int)h);
    R->last_n = 0;
    times_derivative(R, G, n);
    const long nblocks = (long)((h + HBLOCK - 1) / HBLOCK);
#pragma omp parallel for schedule(static) if (n * h >= GK_PARALLEL_MIN)
    for (long blk = 0; blk < nblocks; blk++) {
        const size_t j0 = (size_t)blk * HBLOCK, len = j0 + HBLOCK < h ? HBLOCK : h - j0;
        double acc[HBLOCK] = {0};
        for (size_t i = 0; i < n; i++)
            scatter_row(gW1 + (size_t)X->a[i] * h + j0, gW1 + (p + (size_t)X->b[i]) * h + j0, gb1 ? acc : NULL,
                        G + i * h + j0, len);
        if (gb1)
            for (size_t j = 0; j < len; j++) gb1[j0 + j] += acc[j];
    }
}

static gk_status mlp2_reserve(gk_model *mod, size_t n, gk_error *err) {
    mlp2_impl *R = mod->impl;
    if (n <= R->cap) return GK_OK;
    if (R->o.f32) {
        float *a = realloc(R->Zf, n * R->h * sizeof(float)), *b = a ? realloc(R->Hf, n * R->h * sizeof(float)) : NULL;
        float *c = b ? realloc(R->outf, n * (size_t)R->p * sizeof(float)) : NULL;
        if (a) R->Zf = a;
        if (b) R->Hf = b;
        if (c) R->outf = c;
        if (!c) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu float activations", n, R->h);
        R->cap = n;
        return GK_OK;
    }
    double *Z = realloc(R->Z, n * R->h * sizeof(double));
    if (Z) R->Z = Z;
    double *H = Z ? realloc(R->H, n * R->h * sizeof(double)) : NULL;
    if (!Z || !H) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu activations", n, R->h);
    R->H = H;
    R->cap = n;
    return GK_OK;
}

/* W1 ~ s1 N(0, 1), b1 = 0, W2 ~ s2 N(0, 1) (or 0 with zero_last), drawn in that order (see mlp2.h). */
static void mlp2_init(gk_model *mod, double scale, uint64_t seed, double *theta) {
    const mlp2_impl *R = mod->impl;
    const size_t h = R->h, p = (size_t)R->p;
    const int relu = R->o.act == GK_MLP2_RELU;
    gk_rng r;
    gk_rng_seed(&r, seed, relu ? UINT64_C(0x6d6c70) : UINT64_C(0x6d6c71));
    const double s1 = relu ? scale * sqrt(2.0 / (double)(2 * p)) : scale, s2 = relu ? scale * sqrt(1.0 / (double)h) : scale;
    double *W1 = theta + mod->params.t[R->tW1].offset, *W2 = theta + mod->params.t[R->tW2].offset;
    for (size_t k = 0; k < 2 * p * h; k++) W1[k] = s1 * gk_rng_normal(&r);
    if (R->tb1 >= 0) memset(theta + mod->params.t[R->tb1].offset, 0, h * sizeof(double));
    for (size_t k = 0; k < p * h; k++) W2[k] = R->o.zero_last ? 0.0 : s2 * gk_rng_normal(&r);
}

static void mlp2_destroy(gk_model *mod) {
    mlp2_impl *R = mod->impl;
    if (R) {
        free(R->Z);
        free(R->H);
        free(R->thf), free(R->Zf), free(R->Hf), free(R->outf), free(R->gf);
        free(R);
    }
    mod->impl = NULL;
}

static const gk_model_ops mlp2_ops = {"mlp2", mlp2_forward, mlp2_backward, mlp2_destroy, mlp2_init, mlp2_reserve};

gk_status gk_mlp2_create(gk_model *mod, int p, size_t width, const gk_mlp2_opts *o, gk_error *err) {
    GK_ASSERT(p >= 2 && width >= 1);
    memset(mod, 0, sizeof *mod);
    if (width > 2147483647u / 2) return gk_fail(err, GK_EINVAL, "width=%zu is too large for the BLAS interface", width);
    mlp2_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->p = p;
    R->h = width;
    R->o = *o;
    mod->ops = &mlp2_ops;
    mod->impl = R;
    mod->n_out = p;
    R->tb1 = o->bias ? 1 : -1;
    R->tW2 = o->bias ? 2 : 1;
    gk_param_table_add(&mod->params, "W1", 2 * (size_t)p, width);
    if (o->bias) gk_param_table_add(&mod->params, "b1", width, 1);
    gk_param_table_add(&mod->params, "W2", (size_t)p, width);
    if (o->f32) {
        R->thf = malloc(mod->params.size * sizeof(float));
        R->gf = malloc((3 * (size_t)p * width + width) * sizeof(float));
        if (!R->thf || !R->gf) {
            mlp2_destroy(mod);
            return gk_fail(err, GK_ENOMEM, "out of memory for the float32 copy of %zu parameters", mod->params.size);
        }
    }
    return GK_OK;
}

gk_status gk_mlp_relu_create(gk_model *m, int p, size_t width, int zero_last, gk_error *err) {
    const gk_mlp2_opts o = {GK_MLP2_RELU, 1, 1.0, zero_last, 0};
    return gk_mlp2_create(m, p, width, &o, err);
}

gk_status gk_mlp_quad_create(gk_model *m, int p, size_t width, double out_scale, gk_error *err) {
    const gk_mlp2_opts o = {GK_MLP2_QUAD, 0, out_scale / (2.0 * (double)p * (double)width), 0, 0};
    return gk_mlp2_create(m, p, width, &o, err);
}
