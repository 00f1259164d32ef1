/* transformer.c: the decoder-only transformer of transformer.h, forward and backward side by side.
 *
 * Rows. A batch of n sequences of T tokens is a stream of nT rows (row i T + t = position t of sequence i).
 * Only the last position is read, so the last layer computes its queries, attention output, feed-forward and
 * residual at the n rows i T + T - 1 alone (its keys and values still at all nT rows). Such a strided row set
 * is a matrix with leading dimension T D starting at row T - 1, so the same gemm calls serve both cases:
 * a layer has Rq query rows (nT, or n for the last layer), taken from the stream with stride s rows from row o.
 *
 * Backward of one layer (G = dL/d(layer output), Rq x D; post-LN shown, pre-LN and none analogous):
 *   db = LN2'(G);  dffo = db * mask;  gW_2 += hid^T dffo;  dh = (dffo W_2^T) * act'(hpre);  gW_1 += v^T dh;
 *   dX1 = db + dh W_1^T;  da = LN1'(dX1);  gW_O += z^T da;  dz = da W_O^T;
 *   attention: dA_u = dz_h . V_u,h;  dS_u = A_u (dA_u - sum_w A_w dA_w);  dQ_h = c sum_u dS_u K_u,h;
 *              dK_u,h += c dS_u Q_h;  dV_u,h += A_u dz_h
 *   gW_Q += u_q^T dQ;  gW_K += u^T dK;  gW_V += u^T dV;  du = dK W_K^T + dV W_V^T (+ dQ W_Q^T at the query rows)
 *   dX = du (pre-LN: LN1'(du)) + da at the query rows.
 * LN'(G): with xh the normalised input and r = 1/std, dg += sum_rows G xh, db += sum_rows G, and
 *   dx = r (G g - mean(G g) - xh mean(G g xh)) per row.
 * Determinism: every gemm writes its outputs once (gk_gemm_row_slices: fixed slices by shape); the attention
 * loops write per-sequence rows; gains' and biases' sums go through gk_add_column_sums (rows in order); the
 * embedding's scatter is serial.
 * Precision: the arithmetic is written once (transformer_t.h) and compiled for double and for float (f32 = 1:
 * sgemm slices, float caches; theta is read as float, the gradient summed in float and added to grad). */
#include "model/transformer.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { T_WE, T_WPOS, T_G1, T_B1, T_WQ, T_WK, T_WV, T_WO, T_G2, T_B2, T_W1, T_W2, T_GF, T_BF, T_WU, T_COUNT };
static const char *const tensor_names[T_COUNT] = {"W_E",   "W_pos", "ln1_g", "ln1_b", "W_Q", "W_K",   "W_V",  "W_O",
                                                  "ln2_g", "ln2_b", "W_1",   "W_2",   "lnf_g", "lnf_b", "W_U"};
#define LN_EPS 1e-5

typedef struct tf_impl tf_impl;

/* tf_layer, tf_bufs (double) and tf_layer_f, tf_bufs_f (float) */
#define GK_TF_TYPES
#define GK_T double
#define GK_NAME(x) x
#include "model/transformer_t.h"
#define GK_T float
#define GK_NAME(x) x##_f
#include "model/transformer_t.h"
#undef GK_TF_TYPES

struct tf_impl {
    gk_tf_dims d;
    size_t D, H, dh, F, T, L;
    size_t off[T_COUNT]; /* tensor offsets in theta (SIZE_MAX: absent) */
    int has[T_COUNT];
    tf_bufs bd;          /* float64 buffers (d.f32 = 0) */
    tf_bufs_f bf;        /* float32 buffers (d.f32 = 1) */
    int drop_on;
    uint64_t drop_seed;
    size_t cap_n, last_n;
};

/* the rows of layer l: Rq query rows, with stride s from row o of the stream */
typedef struct rows {
    size_t n, nT, Rq, s, o, ld;
} rows;
static rows rows_of(const tf_impl *T, size_t l, size_t n) {
    const int last = l + 1 == T->L;
    return (rows){n, n * T->T, last ? n : n * T->T, last ? T->T : 1, last ? T->T - 1 : 0, (last ? T->T : 1) * T->D};
}

/* A uniform in [0, 1) from a hash of (seed, layer, entry): splitmix64's finaliser. */
static double hash_uniform(uint64_t seed, size_t layer, size_t k) {
    uint64_t z = seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (uint64_t)(layer + 1));
    z += UINT64_C(0xBF58476D1CE4E5B9) * (uint64_t)(k + 1);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
static int dropping(const tf_impl *T) { return T->drop_on && T->d.dropout > 0; }

/* The layers, forward and backward, in double and in float (the _f twins). */
#define GK_T double
#define GK_NAME(x) x
#define GK_GEMM gk_gemm_row_slices
#define GK_COLSUMS gk_add_column_sums
#define GK_SQRT sqrt
#define GK_EXP exp
#define GK_ERF erf
#define GK_BUFS(T) (&(T)->bd)
#include "model/transformer_t.h"
#define GK_T float
#define GK_NAME(x) x##_f
#define GK_GEMM gk_sgemm_row_slices
#define GK_COLSUMS gk_add_column_sums_f
#define GK_SQRT sqrtf
#define GK_EXP expf
#define GK_ERF erff
#define GK_BUFS(T) (&(T)->bf)
#include "model/transformer_t.h"

/* ---- the model interface ---------------------------------------------------------------------------------- */

static gk_status tf_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    tf_impl *T = mod->impl;
    const gk_seq_input *X = in;
    GK_ASSERT(X && X->n == n && X->T == T->T);
    gk_status s = gk_model_check_batch(mod, n, T->cap_n, err);
    if (s) return s;
    for (size_t k = 0; k < n * T->T; k++)
        if (X->tok[k] < 0 || (size_t)X->tok[k] >= T->d.vocab)
            return gk_fail(err, GK_EINVAL, "transformer: token %d at %zu is outside the vocabulary [0, %zu)", X->tok[k],
                           k, T->d.vocab);
    T->last_n = n;
    if (!T->d.f32) {
        run_forward(T, theta, X, n, out);
        return GK_OK;
    }
    /* float32: theta (float values held in double) read as float, the logits handed back exactly */
    const size_t P = mod->params.size, C = T->d.n_out;
    for (size_t k = 0; k < P; k++) T->bf.th[k] = (float)theta[k];
    run_forward_f(T, T->bf.th, X, n, T->bf.io);
    for (size_t k = 0; k < n * C; k++) out[k] = T->bf.io[k];
    return GK_OK;
}

static void tf_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *G, double *grad) {
    tf_impl *T = mod->impl;
    const gk_seq_input *X = in;
    GK_ASSERT(X && X->n == n && T->last_n == n);
    T->last_n = 0;
    if (!T->d.f32) {
        run_backward(T, theta, X, n, G, grad);
        return;
    }
    /* float32: G rounded to float, the gradient summed in float, then added to grad */
    const size_t P = mod->params.size, C = T->d.n_out;
    for (size_t k = 0; k < n * C; k++) T->bf.io[k] = (float)G[k];
    memset(T->bf.gr, 0, P * sizeof(float));
    run_backward_f(T, T->bf.th, X, n, T->bf.io, T->bf.gr);
    for (size_t k = 0; k < P; k++) grad[k] += T->bf.gr[k];
}

/* ---- buffers, init, create ------------------------------------------------------------------------------ */

static gk_status tf_reserve(gk_model *mod, size_t n, gk_error *err) {
    tf_impl *T = mod->impl;
    if (n <= T->cap_n) return GK_OK;
    const int ok = T->d.f32 ? bufs_reserve_f(&T->bf, T, n, 1) : bufs_reserve(&T->bd, T, n, 0);
    if (!ok) return gk_fail(err, GK_ENOMEM, "out of memory for the transformer's caches of %zu sequences", n);
    T->cap_n = n;
    return GK_OK;
}

double gk_tf_cache_bytes(const gk_tf_dims *d, size_t n) {
    const double nT = (double)n * (double)d->n_ctx, D = (double)d->d_model, F = (double)d->d_ff;
    const double per_layer = nT * (13 * D + 2 * F + 2 + (double)(d->heads * d->n_ctx));
    const double entries = (double)d->layers * per_layer + (double)(d->layers + 1) * nT * D + nT * (9 * D + F) + 3 * n * D;
    return d->f32 ? 4.0 * (entries + (double)n * (double)d->n_out) : 8.0 * entries;
}

static void tf_destroy(gk_model *mod) {
    tf_impl *T = mod->impl;
    if (!T) return;
    bufs_free(&T->bd, T);
    bufs_free_f(&T->bf, T);
    free(T);
    mod->impl = NULL;
}

/* PyTorch's defaults times alpha (transformer.h), tensor by tensor in table order. */
static void tf_init(gk_model *mod, double alpha, uint64_t seed, double *theta) {
    tf_impl *T = mod->impl;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x74726632));
    for (int k = 0; k < mod->params.count; k++) {
        const gk_tensor *ts = &mod->params.t[k];
        const char *nm = ts->name;
        double *w = theta + ts->offset;
        const size_t len = ts->rows * ts->cols;
        if (!strncmp(nm, "ln", 2)) {
            const double v = nm[4] == 'g' ? 1.0 : 0.0;
            for (size_t j = 0; j < len; j++) w[j] = v;
        } else if (!strcmp(nm, "W_E") || !strcmp(nm, "W_pos")) {
            for (size_t j = 0; j < len; j++) w[j] = alpha * gk_rng_normal(&r);
        } else {
            const double fan_in = !strcmp(nm, "W_2") ? (double)T->F : (double)T->D, bound = alpha / sqrt(fan_in);
            for (size_t j = 0; j < len; j++) w[j] = bound * (2 * gk_rng_uniform(&r) - 1);
        }
    }
}

static const gk_model_ops tf_ops = {"transformer", tf_forward, tf_backward, tf_destroy, tf_init, tf_reserve};

gk_status gk_tf_check(const gk_tf_dims *d, gk_error *err) {
    if (d->vocab < 1 || d->n_out < 1) return gk_fail(err, GK_EINVAL, "transformer: vocab and n_out must be >= 1");
    if (d->n_ctx < 1 || d->n_ctx > 64) return gk_fail(err, GK_EINVAL, "n_ctx=%zu: the transformer takes 1..64 positions", d->n_ctx);
    if (d->layers < 1 || d->layers > 64) return gk_fail(err, GK_EINVAL, "layers=%zu is out of range [1, 64]", d->layers);
    if (d->d_model < 1 || d->heads < 1 || d->d_ff < 1)
        return gk_fail(err, GK_EINVAL, "d_model, heads and d_ff must be >= 1");
    if (d->d_model % d->heads)
        return gk_fail(err, GK_EINVAL, "d_model=%zu must be a multiple of heads=%zu", d->d_model, d->heads);
    if (d->d_model > 65536 || d->d_ff > 1048576 || (double)d->d_model * (double)d->d_ff * (double)d->layers > 2147483647.0)
        return gk_fail(err, GK_EINVAL, "d_model=%zu, d_ff=%zu are too large", d->d_model, d->d_ff);
    if (!(d->dropout >= 0 && d->dropout < 1)) return gk_fail(err, GK_EINVAL, "dropout=%g must be in [0, 1)", d->dropout);
    return GK_OK;
}

static void sinusoid(double *pe, size_t Tn, size_t D) {
    for (size_t t = 0; t < Tn; t++)
        for (size_t j = 0; j < D; j++) {
            const double ang = (double)t / pow(10000.0, (double)(j - j % 2) / (double)D);
            pe[t * D + j] = j % 2 ? cos(ang) : sin(ang);
        }
}

static void add_tensors(gk_model *mod, tf_impl *T) {
    const size_t D = T->D, F = T->F, L = T->L, V = T->d.vocab, C = T->d.n_out;
    const size_t shape[T_COUNT][2] = {{V, D},     {T->T, D}, {L, D},     {L, D}, {L * D, D}, {L * D, D}, {L * D, D}, {L * D, D},
                                      {L, D},     {L, D},    {L * D, F}, {L * F, D}, {1, D}, {1, D}, {D, C}};
    const int ln = T->d.ln != GK_TF_LN_NONE, pre = T->d.ln == GK_TF_LN_PRE;
    const int on[T_COUNT] = {1, T->d.pos == GK_TF_POS_LEARNED, ln, ln, 1, 1, 1, 1, ln, ln, 1, 1, pre, pre, 1};
    for (int t = 0; t < T_COUNT; t++) {
        T->has[t] = on[t];
        T->off[t] = on[t] ? gk_param_table_add(&mod->params, tensor_names[t], shape[t][0], shape[t][1]) : SIZE_MAX;
    }
}

gk_status gk_tf_create(gk_model *mod, const gk_tf_dims *d, gk_error *err) {
    memset(mod, 0, sizeof *mod);
    gk_status s = gk_tf_check(d, err);
    if (s) return s;
    tf_impl *T = calloc(1, sizeof *T);
    if (!T) return gk_fail(err, GK_ENOMEM, "out of memory");
    T->d = *d;
    T->D = d->d_model, T->H = d->heads, T->dh = d->d_model / d->heads, T->F = d->d_ff, T->T = d->n_ctx, T->L = d->layers;
    mod->ops = &tf_ops;
    mod->impl = T;
    mod->n_out = (int)d->n_out;
    add_tensors(mod, T);
    double *pe = malloc(T->T * T->D * sizeof(double));
    int ok = pe != NULL;
    if (ok) sinusoid(pe, T->T, T->D);
    ok = ok && (d->f32 ? bufs_create_f(&T->bf, T, pe) : bufs_create(&T->bd, T, pe));
    if (ok && d->f32) {
        T->bf.th = malloc(mod->params.size * sizeof(float));
        T->bf.gr = malloc(mod->params.size * sizeof(float));
        ok = T->bf.th && T->bf.gr;
    }
    free(pe);
    if (!ok) {
        tf_destroy(mod);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    return GK_OK;
}

void gk_tf_set_dropout(gk_model *m, int on, uint64_t seed) {
    tf_impl *T = m->impl;
    T->drop_on = on;
    T->drop_seed = seed;
}
