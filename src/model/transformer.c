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
 * embedding's scatter is serial. */
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

/* A layer's caches (each sized for the reserved rows). */
typedef struct tf_layer {
    double *u, *xh1, *rs1;        /* pre-LN: u = LN1(X) with its xhat and 1/std (post-LN: LN1 of a) */
    double *Q, *K, *V, *A, *z;    /* queries (Rq), keys and values (nT), weights Rq x H x T, heads' output */
    double *a, *X1, *xh2, *rs2, *v; /* a = X + z W_O; X1 (post: LN1(a)); v = LN2(X1) (pre) */
    double *hpre, *hid, *ffo, *mask, *b; /* v W_1, act, hid W_2, dropout scale, b = X1 + drop(ffo) */
} tf_layer;
enum { LB_COUNT = 18 }; /* >= MB_COUNT */

typedef struct tf_impl {
    gk_tf_dims d;
    size_t D, H, dh, F, T, L;
    size_t off[T_COUNT]; /* tensor offsets in theta (SIZE_MAX: absent) */
    int has[T_COUNT];
    double *pe;          /* sinusoidal positions T x D */
    tf_layer *lay;
    double **X;          /* the stream X[0..L] (X[L] holds the n last rows) */
    double *Y, *xhf, *rsf; /* pre-LN: Y = LNf(X_L) */
    /* backward scratch: stream gradients, LN scratch, attention gradients */
    double *g0, *g1, *t1, *t2, *dQ, *dK, *dV, *dz, *dH;
    int drop_on;
    uint64_t drop_seed;
    size_t cap_n, last_n;
} tf_impl;

/* the rows of layer l: Rq query rows, with stride s from row o of the stream */
typedef struct rows {
    size_t n, nT, Rq, s, o, ld;
} rows;
static rows rows_of(const tf_impl *T, size_t l, size_t n) {
    const int last = l + 1 == T->L;
    return (rows){n, n * T->T, last ? n : n * T->T, last ? T->T : 1, last ? T->T - 1 : 0, (last ? T->T : 1) * T->D};
}

static void mm(int ta, int tb, size_t M, size_t N, size_t K, const double *A, size_t lda, const double *B, size_t ldb,
               double beta, double *C, size_t ldc) {
    gk_gemm_row_slices(ta, tb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc, 64);
}

static const double *tens(const tf_impl *T, const double *theta, int t, size_t l, size_t block) {
    return theta + T->off[t] + l * block;
}
static double *gtens(const tf_impl *T, double *grad, int t, size_t l, size_t block) {
    return grad + T->off[t] + l * block;
}

/* ---- LayerNorm ---------------------------------------------------------------------------------------- */

/* y = g * xh + b, xh = (x - mean) r, r = 1/sqrt(var + eps), per row of x (rows x D, leading dimension ld). */
static void ln_forward(const double *x, size_t ld, size_t nrows, size_t D, const double *g, const double *b,
                       double *xh, double *r, double *y) {
    const long nn = (long)nrows;
#pragma omp parallel for schedule(static) if (nrows * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const double *xi = x + (size_t)i * ld;
        double mu = 0, var = 0;
        for (size_t j = 0; j < D; j++) mu += xi[j];
        mu /= (double)D;
        for (size_t j = 0; j < D; j++) var += (xi[j] - mu) * (xi[j] - mu);
        const double ri = 1.0 / sqrt(var / (double)D + LN_EPS);
        double *hi = xh + (size_t)i * D, *yi = y + (size_t)i * D;
        for (size_t j = 0; j < D; j++) hi[j] = (xi[j] - mu) * ri, yi[j] = g[j] * hi[j] + b[j];
        r[i] = ri;
    }
}

/* The backward of ln_forward: gg, gb += the gains' and biases' gradients; dx = dL/dx (may alias dy); scratch
 * nrows x D. */
static void ln_backward(const double *dy, size_t nrows, size_t D, const double *xh, const double *r, const double *g,
                        double *gg, double *gb, double *dx, double *scratch) {
    for (size_t k = 0; k < nrows * D; k++) scratch[k] = dy[k] * xh[k];
    gk_add_column_sums(scratch, nrows, D, gg);
    gk_add_column_sums(dy, nrows, D, gb);
    const long nn = (long)nrows;
#pragma omp parallel for schedule(static) if (nrows * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const double *gi = dy + (size_t)i * D, *hi = xh + (size_t)i * D;
        double m1 = 0, m2 = 0;
        for (size_t j = 0; j < D; j++) m1 += gi[j] * g[j], m2 += gi[j] * g[j] * hi[j];
        m1 /= (double)D, m2 /= (double)D;
        double *di = dx + (size_t)i * D;
        for (size_t j = 0; j < D; j++) di[j] = r[i] * (gi[j] * g[j] - m1 - hi[j] * m2);
    }
}

/* ---- activations and dropout -------------------------------------------------------------------------- */

static double act_f(gk_tf_act a, double x) { return a == GK_TF_RELU ? (x > 0 ? x : 0.0) : 0.5 * x * (1 + erf(x * M_SQRT1_2)); }
static double act_df(gk_tf_act a, double x) {
    if (a == GK_TF_RELU) return x > 0 ? 1.0 : 0.0; /* ReLU'(0) = 0 */
    return 0.5 * (1 + erf(x * M_SQRT1_2)) + x * exp(-0.5 * x * x) * (0.5 * M_2_SQRTPI * M_SQRT1_2);
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

static void dropout_forward(const tf_impl *T, size_t l, size_t len, double *ffo, double *mask) {
    const double p = T->d.dropout, keep = 1.0 / (1.0 - p);
    for (size_t k = 0; k < len; k++) {
        mask[k] = hash_uniform(T->drop_seed, l, k) < p ? 0.0 : keep;
        ffo[k] *= mask[k];
    }
}
static int dropping(const tf_impl *T) { return T->drop_on && T->d.dropout > 0; }

/* ---- causal attention at the query rows --------------------------------------------------------------- */

/* A[r, h, u] and z[r] for the query rows r of every sequence (one sequence per task). */
static void attention_forward(const tf_impl *T, tf_layer *ly, const rows *R) {
    const size_t D = T->D, H = T->H, dh = T->dh, Tn = T->T, qpr = R->Rq / R->n;
    const double c = 1.0 / sqrt((double)dh);
    const long nn = (long)R->n;
#pragma omp parallel for schedule(static) if (R->nT * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++)
        for (size_t qi = 0; qi < qpr; qi++) {
            const size_t r = (size_t)i * qpr + qi, t = qpr == 1 ? Tn - 1 : qi; /* query position */
            const double *q = ly->Q + r * D, *K = ly->K + (size_t)i * Tn * D, *V = ly->V + (size_t)i * Tn * D;
            double *Ar = ly->A + r * H * Tn, *zr = ly->z + r * D;
            for (size_t h = 0; h < H; h++) {
                double *w = Ar + h * Tn, mx = -INFINITY, sum = 0;
                for (size_t u = 0; u <= t; u++) {
                    double s = 0;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) s += q[j] * K[u * D + j];
                    w[u] = c * s, mx = fmax(mx, w[u]);
                }
                for (size_t u = 0; u < Tn; u++) w[u] = u <= t ? exp(w[u] - mx) : 0.0, sum += w[u];
                for (size_t j = h * dh; j < (h + 1) * dh; j++) zr[j] = 0;
                for (size_t u = 0; u <= t; u++) {
                    w[u] /= sum;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) zr[j] += w[u] * V[u * D + j];
                }
            }
        }
}

/* From dz (Rq x D): dQ (Rq x D), dK and dV (nT x D), written whole. */
static void attention_backward(tf_impl *T, const tf_layer *ly, const rows *R, const double *dz) {
    const size_t D = T->D, H = T->H, dh = T->dh, Tn = T->T, qpr = R->Rq / R->n;
    const double c = 1.0 / sqrt((double)dh);
    const long nn = (long)R->n;
#pragma omp parallel for schedule(static) if (R->nT * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const double *K = ly->K + (size_t)i * Tn * D, *V = ly->V + (size_t)i * Tn * D;
        double *dK = T->dK + (size_t)i * Tn * D, *dV = T->dV + (size_t)i * Tn * D;
        memset(dK, 0, Tn * D * sizeof(double));
        memset(dV, 0, Tn * D * sizeof(double));
        for (size_t qi = 0; qi < qpr; qi++) {
            const size_t r = (size_t)i * qpr + qi, t = qpr == 1 ? Tn - 1 : qi;
            const double *q = ly->Q + r * D, *g = dz + r * D, *Ar = ly->A + r * H * Tn;
            double *dq = T->dQ + r * D;
            for (size_t h = 0; h < H; h++) {
                const double *w = Ar + h * Tn;
                double dA[64], sbar = 0; /* T <= 64 (gk_tf_check) */
                for (size_t u = 0; u <= t; u++) {
                    double s = 0;
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) s += g[j] * V[u * D + j], dV[u * D + j] += w[u] * g[j];
                    dA[u] = s, sbar += w[u] * s;
                }
                for (size_t j = h * dh; j < (h + 1) * dh; j++) dq[j] = 0;
                for (size_t u = 0; u <= t; u++) {
                    const double ds = c * w[u] * (dA[u] - sbar);
                    for (size_t j = h * dh; j < (h + 1) * dh; j++) dq[j] += ds * K[u * D + j], dK[u * D + j] += ds * q[j];
                }
            }
        }
    }
}

/* ---- one layer ------------------------------------------------------------------------------------------ */

static void layer_forward(tf_impl *T, const double *theta, size_t l, const double *X, double *out, const rows *R) {
    tf_layer *ly = &T->lay[l];
    const size_t D = T->D, F = T->F, DD = D * D;
    const gk_tf_ln ln = T->d.ln;
    const double *u = X;
    if (ln == GK_TF_LN_PRE) {
        ln_forward(X, D, R->nT, D, tens(T, theta, T_G1, l, D), tens(T, theta, T_B1, l, D), ly->xh1, ly->rs1, ly->u);
        u = ly->u;
    }
    mm(0, 0, R->nT, D, D, u, D, tens(T, theta, T_WK, l, DD), D, 0.0, ly->K, D);
    mm(0, 0, R->nT, D, D, u, D, tens(T, theta, T_WV, l, DD), D, 0.0, ly->V, D);
    mm(0, 0, R->Rq, D, D, u + R->o * D, R->ld, tens(T, theta, T_WQ, l, DD), D, 0.0, ly->Q, D);
    attention_forward(T, ly, R);
    /* a = X + z W_O at the query rows */
    for (size_t r = 0; r < R->Rq; r++) memcpy(ly->a + r * D, X + (R->o + r * R->s) * D, D * sizeof(double));
    mm(0, 0, R->Rq, D, D, ly->z, D, tens(T, theta, T_WO, l, DD), D, 1.0, ly->a, D);
    const double *X1 = ly->a, *v;
    if (ln == GK_TF_LN_POST) {
        ln_forward(ly->a, D, R->Rq, D, tens(T, theta, T_G1, l, D), tens(T, theta, T_B1, l, D), ly->xh1, ly->rs1, ly->X1);
        X1 = ly->X1;
    }
    v = X1;
    if (ln == GK_TF_LN_PRE) {
        ln_forward(X1, D, R->Rq, D, tens(T, theta, T_G2, l, D), tens(T, theta, T_B2, l, D), ly->xh2, ly->rs2, ly->v);
        v = ly->v;
    }
    mm(0, 0, R->Rq, F, D, v, D, tens(T, theta, T_W1, l, D * F), F, 0.0, ly->hpre, F);
    for (size_t k = 0; k < R->Rq * F; k++) ly->hid[k] = act_f(T->d.act, ly->hpre[k]);
    mm(0, 0, R->Rq, D, F, ly->hid, F, tens(T, theta, T_W2, l, F * D), D, 0.0, ly->ffo, D);
    if (dropping(T)) dropout_forward(T, l, R->Rq * D, ly->ffo, ly->mask);
    double *b = ln == GK_TF_LN_POST ? ly->b : out;
    for (size_t k = 0; k < R->Rq * D; k++) b[k] = X1[k] + ly->ffo[k];
    if (ln == GK_TF_LN_POST)
        ln_forward(b, D, R->Rq, D, tens(T, theta, T_G2, l, D), tens(T, theta, T_B2, l, D), ly->xh2, ly->rs2, out);
}

/* The feed-forward half backward: from G = dL/d(layer output) (Rq x D, in T->g1) to dX1, left in T->g1. */
static void ff_backward(tf_impl *T, const double *theta, double *grad, size_t l, const rows *R) {
    tf_layer *ly = &T->lay[l];
    const size_t D = T->D, F = T->F, Rq = R->Rq;
    const gk_tf_ln ln = T->d.ln;
    double *db = T->g1;
    if (ln == GK_TF_LN_POST)
        ln_backward(db, Rq, D, ly->xh2, ly->rs2, tens(T, theta, T_G2, l, D), gtens(T, grad, T_G2, l, D),
                    gtens(T, grad, T_B2, l, D), db, T->t2);
    const double *dffo = db;
    if (dropping(T)) {
        for (size_t k = 0; k < Rq * D; k++) T->t1[k] = db[k] * ly->mask[k];
        dffo = T->t1;
    }
    const double *v = ln == GK_TF_LN_PRE ? ly->v : ln == GK_TF_LN_POST ? ly->X1 : ly->a;
    mm(1, 0, F, D, Rq, ly->hid, F, dffo, D, 1.0, gtens(T, grad, T_W2, l, F * D), D);
    mm(0, 1, Rq, F, D, dffo, D, tens(T, theta, T_W2, l, F * D), D, 0.0, T->dH, F);
    for (size_t k = 0; k < Rq * F; k++) T->dH[k] *= act_df(T->d.act, ly->hpre[k]);
    mm(1, 0, D, F, Rq, v, D, T->dH, F, 1.0, gtens(T, grad, T_W1, l, D * F), F);
    if (ln != GK_TF_LN_PRE) {
        mm(0, 1, Rq, D, F, T->dH, F, tens(T, theta, T_W1, l, D * F), F, 1.0, db, D); /* dX1 = db + dv */
        return;
    }
    mm(0, 1, Rq, D, F, T->dH, F, tens(T, theta, T_W1, l, D * F), F, 0.0, T->t1, D);
    ln_backward(T->t1, Rq, D, ly->xh2, ly->rs2, tens(T, theta, T_G2, l, D), gtens(T, grad, T_G2, l, D),
                gtens(T, grad, T_B2, l, D), T->t1, T->t2);
    for (size_t k = 0; k < Rq * D; k++) db[k] += T->t1[k];
}

/* The attention half backward: from dX1 (in T->g1) to dL/dX (nT x D) into T->g0. */
static void attn_backward(tf_impl *T, const double *theta, double *grad, size_t l, const double *X, const rows *R) {
    tf_layer *ly = &T->lay[l];
    const size_t D = T->D, DD = D * D, Rq = R->Rq, nT = R->nT;
    const gk_tf_ln ln = T->d.ln;
    double *da = T->g1;
    if (ln == GK_TF_LN_POST)
        ln_backward(da, Rq, D, ly->xh1, ly->rs1, tens(T, theta, T_G1, l, D), gtens(T, grad, T_G1, l, D),
                    gtens(T, grad, T_B1, l, D), da, T->t2);
    mm(1, 0, D, D, Rq, ly->z, D, da, D, 1.0, gtens(T, grad, T_WO, l, DD), D);
    mm(0, 1, Rq, D, D, da, D, tens(T, theta, T_WO, l, DD), D, 0.0, T->dz, D);
    attention_backward(T, ly, R, T->dz);
    const double *u = ln == GK_TF_LN_PRE ? ly->u : X;
    mm(1, 0, D, D, nT, u, D, T->dK, D, 1.0, gtens(T, grad, T_WK, l, DD), D);
    mm(1, 0, D, D, nT, u, D, T->dV, D, 1.0, gtens(T, grad, T_WV, l, DD), D);
    mm(1, 0, D, D, Rq, u + R->o * D, R->ld, T->dQ, D, 1.0, gtens(T, grad, T_WQ, l, DD), D);
    double *du = T->g0;
    mm(0, 1, nT, D, D, T->dK, D, tens(T, theta, T_WK, l, DD), D, 0.0, du, D);
    mm(0, 1, nT, D, D, T->dV, D, tens(T, theta, T_WV, l, DD), D, 1.0, du, D);
    mm(0, 1, Rq, D, D, T->dQ, D, tens(T, theta, T_WQ, l, DD), D, 1.0, du + R->o * D, R->ld);
    if (ln == GK_TF_LN_PRE)
        ln_backward(du, nT, D, ly->xh1, ly->rs1, tens(T, theta, T_G1, l, D), gtens(T, grad, T_G1, l, D),
                    gtens(T, grad, T_B1, l, D), du, T->t2);
    for (size_t r = 0; r < Rq; r++) {
        double *dx = du + (R->o + r * R->s) * D;
        const double *g = da + r * D;
        for (size_t j = 0; j < D; j++) dx[j] += g[j];
    }
}

/* ---- the model ------------------------------------------------------------------------------------------ */

static void embed_forward(const tf_impl *T, const double *theta, const gk_seq_input *X, double *X0) {
    const size_t D = T->D, Tn = T->T;
    const double *WE = theta + T->off[T_WE], *P = T->has[T_WPOS] ? theta + T->off[T_WPOS] : T->pe;
    for (size_t i = 0; i < X->n; i++)
        for (size_t t = 0; t < Tn; t++) {
            const double *e = WE + (size_t)X->tok[i * Tn + t] * D, *pt = P + t * D;
            double *x = X0 + (i * Tn + t) * D;
            for (size_t j = 0; j < D; j++) x[j] = e[j] + pt[j];
        }
}

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
    embed_forward(T, theta, X, T->X[0]);
    for (size_t l = 0; l < T->L; l++) {
        const rows R = rows_of(T, l, n);
        layer_forward(T, theta, l, T->X[l], T->X[l + 1], &R);
    }
    const double *Y = T->X[T->L];
    if (T->d.ln == GK_TF_LN_PRE) {
        ln_forward(Y, T->D, n, T->D, theta + T->off[T_GF], theta + T->off[T_BF], T->xhf, T->rsf, T->Y);
        Y = T->Y;
    }
    mm(0, 0, n, T->d.n_out, T->D, Y, T->D, theta + T->off[T_WU], T->d.n_out, 0.0, out, T->d.n_out);
    T->last_n = n;
    return GK_OK;
}

static void tf_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *G, double *grad) {
    tf_impl *T = mod->impl;
    const gk_seq_input *X = in;
    GK_ASSERT(X && X->n == n && T->last_n == n);
    const size_t D = T->D, C = T->d.n_out, Tn = T->T;
    T->last_n = 0;
    const double *Y = T->d.ln == GK_TF_LN_PRE ? T->Y : T->X[T->L];
    mm(1, 0, D, C, n, Y, D, G, C, 1.0, grad + T->off[T_WU], C);
    mm(0, 1, n, D, C, G, C, theta + T->off[T_WU], C, 0.0, T->g1, D);
    if (T->d.ln == GK_TF_LN_PRE)
        ln_backward(T->g1, n, D, T->xhf, T->rsf, theta + T->off[T_GF], grad + T->off[T_GF], grad + T->off[T_BF], T->g1,
                    T->t2);
    for (size_t l = T->L; l-- > 0;) {
        const rows R = rows_of(T, l, n);
        ff_backward(T, theta, grad, l, &R);
        attn_backward(T, theta, grad, l, T->X[l], &R);
        if (l > 0) memcpy(T->g1, T->g0, R.nT * D * sizeof(double));
    }
    /* the embedding: the transpose of the gather (serial: tokens repeat) */
    double *gE = grad + T->off[T_WE], *gP = T->has[T_WPOS] ? grad + T->off[T_WPOS] : NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t t = 0; t < Tn; t++) {
            const double *g = T->g0 + (i * Tn + t) * D;
            double *e = gE + (size_t)X->tok[i * Tn + t] * D;
            for (size_t j = 0; j < D; j++) e[j] += g[j];
            if (gP)
                for (size_t j = 0; j < D; j++) gP[t * D + j] += g[j];
        }
}

/* ---- buffers, init, create ------------------------------------------------------------------------------ */

static void layer_bufs(tf_layer *ly, double ***b, size_t *w, const tf_impl *T) {
    double **p[LB_COUNT] = {&ly->u, &ly->xh1, &ly->rs1, &ly->Q, &ly->K, &ly->V, &ly->A, &ly->z, &ly->a,
                            &ly->X1, &ly->xh2, &ly->rs2, &ly->v, &ly->hpre, &ly->hid, &ly->ffo, &ly->mask, &ly->b};
    const size_t D = T->D, F = T->F;
    const size_t wd[LB_COUNT] = {D, D, 1, D, D, D, T->H * T->T, D, D, D, D, 1, D, F, F, D, D, D};
    for (int k = 0; k < LB_COUNT; k++) b[k] = p[k], w[k] = wd[k];
}

/* The model-level buffers and their widths per row (rows: nT, except Y, xhf, rsf: n). */
enum { MB_COUNT = 12 };
static void model_bufs(tf_impl *T, double ***b, size_t *w, int *per_seq) {
    double **p[MB_COUNT] = {&T->Y, &T->xhf, &T->rsf, &T->g0, &T->g1, &T->t1, &T->t2, &T->dQ, &T->dK, &T->dV, &T->dz, &T->dH};
    const size_t D = T->D;
    const size_t wd[MB_COUNT] = {D, D, 1, D, D, D, D, D, D, D, D, T->F};
    for (int k = 0; k < MB_COUNT; k++) b[k] = p[k], w[k] = wd[k], per_seq[k] = k < 3;
}

static gk_status tf_reserve(gk_model *mod, size_t n, gk_error *err) {
    tf_impl *T = mod->impl;
    if (n <= T->cap_n) return GK_OK;
    const size_t nT = n * T->T;
    int ok = 1;
    for (size_t l = 0; l <= T->L; l++) {
        double *x = realloc(T->X[l], nT * T->D * sizeof(double));
        ok = ok && x, T->X[l] = x ? x : T->X[l];
    }
    double **b[LB_COUNT];
    size_t w[LB_COUNT];
    int ps[MB_COUNT];
    for (size_t l = 0; l < T->L; l++) {
        layer_bufs(&T->lay[l], b, w, T);
        for (int k = 0; k < LB_COUNT; k++) {
            double *x = realloc(*b[k], nT * w[k] * sizeof(double));
            ok = ok && x, *b[k] = x ? x : *b[k];
        }
    }
    model_bufs(T, b, w, ps);
    for (int k = 0; k < MB_COUNT; k++) {
        double *x = realloc(*b[k], (ps[k] ? n : nT) * w[k] * sizeof(double));
        ok = ok && x, *b[k] = x ? x : *b[k];
    }
    if (!ok) return gk_fail(err, GK_ENOMEM, "out of memory for the transformer's caches of %zu sequences", n);
    T->cap_n = n;
    return GK_OK;
}

double gk_tf_cache_bytes(const gk_tf_dims *d, size_t n) {
    const double nT = (double)n * (double)d->n_ctx, D = (double)d->d_model, F = (double)d->d_ff;
    const double per_layer = nT * (13 * D + 2 * F + 2 + (double)(d->heads * d->n_ctx));
    return 8.0 * ((double)d->layers * per_layer + (double)(d->layers + 1) * nT * D + nT * (9 * D + F) + 3 * n * D);
}

static void tf_destroy(gk_model *mod) {
    tf_impl *T = mod->impl;
    if (!T) return;
    double **b[LB_COUNT];
    size_t w[LB_COUNT];
    int ps[MB_COUNT];
    for (size_t l = 0; T->lay && l < T->L; l++) {
        layer_bufs(&T->lay[l], b, w, T);
        for (int k = 0; k < LB_COUNT; k++) free(*b[k]);
    }
    model_bufs(T, b, w, ps);
    for (int k = 0; k < MB_COUNT; k++) free(*b[k]);
    for (size_t l = 0; T->X && l <= T->L; l++) free(T->X[l]);
    free(T->X), free(T->lay), free(T->pe), free(T);
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
    T->lay = calloc(T->L, sizeof *T->lay);
    T->X = calloc(T->L + 1, sizeof *T->X);
    T->pe = malloc(T->T * T->D * sizeof(double));
    if (!T->lay || !T->X || !T->pe) {
        tf_destroy(mod);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    sinusoid(T->pe, T->T, T->D);
    add_tensors(mod, T);
    return GK_OK;
}

void gk_tf_set_dropout(gk_model *m, int on, uint64_t seed) {
    tf_impl *T = m->impl;
    T->drop_on = on;
    T->drop_seed = seed;
}
