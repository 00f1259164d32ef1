/* transformer1.c: one-layer transformer (Nanda et al. 2023) on (a, b, =), forward and backward side by side.
 *
 * Notation: n samples, D = d_model, H heads of d = D/H, M = d_mlp, c = 1/sqrt(d), R = 2p + 1 table rows.
 *
 * Structure. The output is read at position 2 only, and position 2 always holds '='. Hence:
 *  - the query is one vector q = e2 W_Q with e2 = W_E[p] + W_pos[2] (the residual at position 2 before
 *    attention, the same for every sample);
 *  - the residual at positions 0 and 1 depends on one token: E = [W_E[0..p-1] + W_pos[0];
 *    W_E[0..p-1] + W_pos[1]; e2] (R x D), and keys and values are the tables K = E W_K, V = E W_V
 *    (dgemm on R rows instead of 3n). Sample (a, b) reads rows a, p + b and 2p;
 *  - the attention scores are a table S[r, h] = c q_h . K[r]_h (R x H); per sample only the softmax over
 *    the 3 positions and the weighted sum of values remain (hand-written, n x H x 3);
 *  - positions 0 and 1 never reach the output after attention: their attention outputs, MLP and
 *    unembedding are skipped. So the MLP and the unembedding are dgemm on n x D blocks, not 3n x D.
 * The result is the same function as the full causal transformer read at the last position (the unit test
 * checks it against a direct implementation over all 3 positions).
 *
 * forward (per sample i with rows ra = a, rb = p + b, r2 = 2p):
 *   A_ih = softmax(S[ra,h], S[rb,h], S[r2,h]);  z_i,h = sum_t A_iht V[r_t]_h          (n x D)
 *   x1 = e2 + z W_O;  pre = x1 W_in + b_in;  hid = ReLU(pre);  x2 = x1 + hid W_out + b_out;  out = x2 W_U
 * backward (G = dout):
 *   gW_U += x2^T G;  dx2 = G W_U^T;  gb_out += sum_i dx2;  gW_out += hid^T dx2;
 *   dpre = (dx2 W_out^T) * 1[pre > 0];  gb_in += sum_i dpre;  gW_in += x1^T dpre;  dx1 = dx2 + dpre W_in^T;
 *   de2 = sum_i dx1;  gW_O += z^T dx1;  dz = dx1 W_O^T;
 *   dA_iht = dz_i,h . V[r_t]_h;  dV[r_t]_h += A_iht dz_i,h;  dS[r_t,h] += A_iht (dA_iht - sum_u A_ihu dA_ihu)
 *   dq_h = c sum_r dS[r,h] K[r]_h;  dK[r]_h = c dS[r,h] q_h;
 *   gW_K += E^T dK;  gW_V += E^T dV;  gW_Q += e2 dq^T;  dE = dK W_K^T + dV W_V^T;  dE[r2] += de2 + W_Q dq;
 *   gW_E and gW_pos collect the rows of dE (a gather's transpose).
 * Determinism: every dgemm has its outputs written once; the per-sample loops write per-sample rows; the
 * scatters into the tables are split by head (each head's columns of dV and dS are one thread's) and the
 * column sums (gk_add_column_sums) by column blocks, each summing the samples in order i = 0..n-1. */
#include "model/transformer1.h"

#include "core/gemm.h"
#include "core/parallel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { T_WE, T_WPOS, T_WQ, T_WK, T_WV, T_WO, T_WIN, T_BIN, T_WOUT, T_BOUT, T_WU, T_COUNT };

typedef struct tf1_impl {
    int p;
    size_t D, H, dh, M, R;
    /* tables of the last forward (R x D, R x D, R x D, R x H, D) and backward scratch */
    double *E, *K, *V, *S, *q;
    double *dE, *dK, *dV, *dS, *dq, *de2;
    /* per-sample caches (cap_n rows): attention weights n x H x 3, z n x D, x1 n x D, pre n x M, hid n x M,
     * x2 n x D. The backward overwrites z, hid and x2 with their gradients. */
    double *A, *z, *x1, *pre, *hid, *x2;
    size_t cap_n, last_n;
} tf1_impl;

static gk_status tf1_reserve(gk_model *mod, size_t n, gk_error *err) {
    tf1_impl *T = mod->impl;
    if (n <= T->cap_n) return GK_OK;
    double **bufs[6] = {&T->A, &T->z, &T->x1, &T->pre, &T->hid, &T->x2};
    const size_t width[6] = {T->H * 3, T->D, T->D, T->M, T->M, T->D};
    for (int k = 0; k < 6; k++) {
        double *b = realloc(*bufs[k], n * width[k] * sizeof(double));
        if (!b) return gk_fail(err, GK_ENOMEM, "out of memory for the transformer activations of %zu samples", n);
        *bufs[k] = b;
    }
    T->cap_n = n;
    return GK_OK;
}

static inline const double *tensor(const gk_model *m, const double *theta, int t) {
    return theta + m->params.t[t].offset;
}

/* C (m x n) = alpha op(A) op(B) + beta C, row-major. */
static inline void gemm(int ta, int tb, size_t m, size_t n, size_t k, const double *A, size_t lda, const double *B,
                        size_t ldb, double beta, double *C, size_t ldc) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                1.0, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}

static gk_status tf1_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    tf1_impl *T = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == T->p && X->n == n);
    gk_status s = gk_model_check_batch(mod, n, T->cap_n, err);
    if (s) return s;
    const size_t D = T->D, H = T->H, dh = T->dh, M = T->M, R = T->R, p = (size_t)T->p;
    const double *WE = tensor(mod, theta, T_WE), *Wpos = tensor(mod, theta, T_WPOS), *WQ = tensor(mod, theta, T_WQ),
                 *WK = tensor(mod, theta, T_WK), *WV = tensor(mod, theta, T_WV), *WO = tensor(mod, theta, T_WO),
                 *Win = tensor(mod, theta, T_WIN), *bin = tensor(mod, theta, T_BIN),
                 *Wout = tensor(mod, theta, T_WOUT), *bout = tensor(mod, theta, T_BOUT), *WU = tensor(mod, theta, T_WU);
    /* the tables: E, K = E W_K, V = E W_V, q = e2 W_Q, S */
    for (size_t r = 0; r < R; r++) {
        const double *we = WE + (r < p ? r : r < 2 * p ? r - p : p) * D, *wp = Wpos + (r < p ? 0 : r < 2 * p ? 1 : 2) * D;
        double *e = T->E + r * D;
        for (size_t j = 0; j < D; j++) e[j] = we[j] + wp[j];
    }
    const double *e2 = T->E + (R - 1) * D;
    gemm(0, 0, R, D, D, T->E, D, WK, D, 0.0, T->K, D);
    gemm(0, 0, R, D, D, T->E, D, WV, D, 0.0, T->V, D);
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)D, (int)D, 1.0, WQ, (int)D, e2, 1, 0.0, T->q, 1);
    const double c = 1.0 / sqrt((double)dh);
    for (size_t r = 0; r < R; r++)
        for (size_t h = 0; h < H; h++) {
            double acc = 0;
            for (size_t j = h * dh; j < (h + 1) * dh; j++) acc += T->q[j] * T->K[r * D + j];
            T->S[r * H + h] = c * acc;
        }
    /* attention at the last position: weights and the weighted values z (n x D) */
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const size_t rows[3] = {(size_t)X->a[i], p + (size_t)X->b[i], 2 * p};
        double *Ai = T->A + (size_t)i * H * 3, *zi = T->z + (size_t)i * D;
        for (size_t h = 0; h < H; h++) {
            double sc[3], mx = -INFINITY, sum = 0;
            for (int t = 0; t < 3; t++) sc[t] = T->S[rows[t] * H + h], mx = fmax(mx, sc[t]);
            for (int t = 0; t < 3; t++) sc[t] = exp(sc[t] - mx), sum += sc[t];
            for (int t = 0; t < 3; t++) Ai[h * 3 + t] = sc[t] / sum;
            const double *v0 = T->V + rows[0] * D, *v1 = T->V + rows[1] * D, *v2 = T->V + rows[2] * D;
            const double a0 = Ai[h * 3], a1 = Ai[h * 3 + 1], a2 = Ai[h * 3 + 2];
            for (size_t j = h * dh; j < (h + 1) * dh; j++) zi[j] = a0 * v0[j] + a1 * v1[j] + a2 * v2[j];
        }
    }
    /* x1 = e2 + z W_O;  pre = x1 W_in + b_in;  hid = ReLU(pre) */
    gemm(0, 0, n, D, D, T->z, D, WO, D, 0.0, T->x1, D);
#pragma omp parallel for schedule(static) if (n * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *x = T->x1 + (size_t)i * D;
        for (size_t j = 0; j < D; j++) x[j] += e2[j];
    }
    gemm(0, 0, n, M, D, T->x1, D, Win, M, 0.0, T->pre, M);
#pragma omp parallel for schedule(static) if (n * M >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *z = T->pre + (size_t)i * M, *y = T->hid + (size_t)i * M;
        for (size_t j = 0; j < M; j++) {
            z[j] += bin[j];
            y[j] = z[j] > 0 ? z[j] : 0.0;
        }
    }
    /* x2 = x1 + hid W_out + b_out;  out = x2 W_U */
    gemm(0, 0, n, D, M, T->hid, M, Wout, D, 0.0, T->x2, D);
#pragma omp parallel for schedule(static) if (n * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *x = T->x2 + (size_t)i * D;
        const double *x1 = T->x1 + (size_t)i * D;
        for (size_t j = 0; j < D; j++) x[j] += x1[j] + bout[j];
    }
    gemm(0, 0, n, p, D, T->x2, D, WU, p, 0.0, out, p);
    T->last_n = n;
    return GK_OK;
}

/* The backward of the softmax attention at the last position, from dz: dV and dS of the tables (one head per
 * task, the samples in order). */
static void attention_scatter(tf1_impl *T, const gk_pair_input *X, size_t n, const double *dz) {
    const size_t D = T->D, H = T->H, dh = T->dh, R = T->R, p = (size_t)T->p;
    memset(T->dV, 0, R * D * sizeof(double));
    memset(T->dS, 0, R * H * sizeof(double));
    const long HH = (long)H;
#pragma omp parallel for schedule(static) if (n * D >= GK_PARALLEL_MIN)
    for (long h = 0; h < HH; h++) {
        const size_t j0 = (size_t)h * dh;
        for (size_t i = 0; i < n; i++) {
            const size_t rows[3] = {(size_t)X->a[i], p + (size_t)X->b[i], 2 * p};
            const double *Ai = T->A + i * H * 3 + (size_t)h * 3, *g = dz + i * D + j0;
            double dA[3], sbar = 0;
            for (int t = 0; t < 3; t++) {
                const double *v = T->V + rows[t] * D + j0;
                double *dv = T->dV + rows[t] * D + j0, acc = 0;
                for (size_t j = 0; j < dh; j++) {
                    acc += g[j] * v[j];
                    dv[j] += Ai[t] * g[j];
                }
                dA[t] = acc;
                sbar += Ai[t] * acc;
            }
            for (int t = 0; t < 3; t++) T->dS[rows[t] * H + (size_t)h] += Ai[t] * (dA[t] - sbar);
        }
    }
}

/* From dS and dV: dq and dK, the gradients of W_Q, W_K, W_V, and through dE those of W_E and W_pos. */
static void tables_backward(const gk_model *mod, tf1_impl *T, const double *theta, double *grad) {
    const size_t D = T->D, H = T->H, dh = T->dh, R = T->R, p = (size_t)T->p;
    const double *WQ = tensor(mod, theta, T_WQ), *WK = tensor(mod, theta, T_WK), *WV = tensor(mod, theta, T_WV);
    double *gWE = grad + mod->params.t[T_WE].offset, *gWpos = grad + mod->params.t[T_WPOS].offset,
           *gWQ = grad + mod->params.t[T_WQ].offset, *gWK = grad + mod->params.t[T_WK].offset,
           *gWV = grad + mod->params.t[T_WV].offset;
    /* scores -> q and K;  tables -> W_Q, W_K, W_V and E */
    const double c = 1.0 / sqrt((double)dh);
    memset(T->dq, 0, D * sizeof(double));
    for (size_t r = 0; r < R; r++)
        for (size_t h = 0; h < H; h++) {
            const double ds = c * T->dS[r * H + h];
            const double *k = T->K + r * D;
            double *dk = T->dK + r * D;
            for (size_t j = h * dh; j < (h + 1) * dh; j++) {
                T->dq[j] += ds * k[j];
                dk[j] = ds * T->q[j];
            }
        }
    const double *e2 = T->E + (R - 1) * D;
    gemm(1, 0, D, D, R, T->E, D, T->dK, D, 1.0, gWK, D);
    gemm(1, 0, D, D, R, T->E, D, T->dV, D, 1.0, gWV, D);
    cblas_dger(CblasRowMajor, (int)D, (int)D, 1.0, e2, 1, T->dq, 1, gWQ, (int)D);
    gemm(0, 1, R, D, D, T->dK, D, WK, D, 0.0, T->dE, D);
    gemm(0, 1, R, D, D, T->dV, D, WV, D, 1.0, T->dE, D);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)D, (int)D, 1.0, WQ, (int)D, T->dq, 1, 1.0, T->de2, 1);
    double *dE2 = T->dE + (R - 1) * D;
    for (size_t j = 0; j < D; j++) dE2[j] += T->de2[j];
    /* embedding and positions: the transpose of the gather */
    for (size_t r = 0; r < R; r++) {
        const size_t tok = r < p ? r : r < 2 * p ? r - p : p, pos = r < p ? 0 : r < 2 * p ? 1 : 2;
        const double *de = T->dE + r * D;
        double *ge = gWE + tok * D, *gp = gWpos + pos * D;
        for (size_t j = 0; j < D; j++) {
            ge[j] += de[j];
            gp[j] += de[j];
        }
    }
}

static void tf1_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *G, double *grad) {
    tf1_impl *T = mod->impl;
    const gk_pair_input *X = in;
    GK_ASSERT(X && X->p == T->p && X->n == n && T->last_n == n);
    const size_t D = T->D, M = T->M, p = (size_t)T->p;
    const double *WO = tensor(mod, theta, T_WO), *Win = tensor(mod, theta, T_WIN), *Wout = tensor(mod, theta, T_WOUT),
                 *WU = tensor(mod, theta, T_WU);
    double *gWO = grad + mod->params.t[T_WO].offset,
           *gWin = grad + mod->params.t[T_WIN].offset, *gbin = grad + mod->params.t[T_BIN].offset,
           *gWout = grad + mod->params.t[T_WOUT].offset, *gbout = grad + mod->params.t[T_BOUT].offset,
           *gWU = grad + mod->params.t[T_WU].offset;
    T->last_n = 0; /* the caches are spent below */
    /* unembedding and MLP */
    gemm(1, 0, D, p, n, T->x2, D, G, p, 1.0, gWU, p);
    double *dx = T->x2; /* dx2, then dx1 */
    gemm(0, 1, n, D, p, G, p, WU, p, 0.0, dx, D);
    gk_add_column_sums(dx, n, D, gbout);
    gemm(1, 0, M, D, n, T->hid, M, dx, D, 1.0, gWout, D);
    double *dpre = T->hid;
    gemm(0, 1, n, M, D, dx, D, Wout, D, 0.0, dpre, M);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * M >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        double *g = dpre + (size_t)i * M;
        const double *z = T->pre + (size_t)i * M;
        for (size_t j = 0; j < M; j++) g[j] = z[j] > 0 ? g[j] : 0.0; /* ReLU'(0) = 0 */
    }
    gk_add_column_sums(dpre, n, M, gbin);
    gemm(1, 0, D, M, n, T->x1, D, dpre, M, 1.0, gWin, M);
    gemm(0, 1, n, D, M, dpre, M, Win, M, 1.0, dx, D); /* dx1 = dx2 + dpre W_in^T */
    /* attention output */
    memset(T->de2, 0, D * sizeof(double));
    gk_add_column_sums(dx, n, D, T->de2);
    gemm(1, 0, D, D, n, T->z, D, dx, D, 1.0, gWO, D);
    double *dz = T->z;
    gemm(0, 1, n, D, D, dx, D, WO, D, 0.0, dz, D);
    attention_scatter(T, X, n, dz);
    tables_backward(mod, T, theta, grad);
}

static void tf1_destroy(gk_model *mod) {
    tf1_impl *T = mod->impl;
    if (T) {
        double *bufs[] = {T->E, T->K, T->V, T->S, T->q, T->dE, T->dK, T->dV, T->dS, T->dq, T->de2,
                          T->A, T->z, T->x1, T->pre, T->hid, T->x2};
        for (size_t k = 0; k < sizeof bufs / sizeof *bufs; k++) free(bufs[k]);
        free(T);
    }
    mod->impl = NULL;
}

/* Nanda's init times alpha (see transformer1.h). */
static void tf1_init(gk_model *mod, double alpha, uint64_t seed, double *theta) {
    tf1_impl *T = mod->impl;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x7472663174));
    const double sd = alpha / sqrt((double)T->D), su = alpha / sqrt((double)(T->p + 1));
    for (int t = 0; t < T_COUNT; t++) {
        const gk_tensor *ts = &mod->params.t[t];
        double *w = theta + ts->offset, sc = t == T_WU ? su : sd;
        const size_t len = ts->rows * ts->cols;
        for (size_t k = 0; k < len; k++) w[k] = (t == T_BIN || t == T_BOUT) ? 0.0 : sc * gk_rng_normal(&r);
    }
}

static const gk_model_ops tf1_ops = {"transformer1", tf1_forward, tf1_backward, tf1_destroy, tf1_init, tf1_reserve};

gk_status gk_tf1_check(const gk_tf1_dims *d, gk_error *err) {
    if (d->p < 2) return gk_fail(err, GK_EINVAL, "p=%d: the transformer needs p >= 2", d->p);
    if (d->d_model < 1 || d->heads < 1 || d->d_mlp < 1)
        return gk_fail(err, GK_EINVAL, "d_model, heads and d_mlp must be >= 1");
    if (d->d_model % d->heads)
        return gk_fail(err, GK_EINVAL, "d_model=%zu must be a multiple of heads=%zu", d->d_model, d->heads);
    const double big = 2147483647.0;
    if ((double)d->d_model * (double)d->d_mlp > big || (double)d->d_model > 65536 || (double)d->d_mlp > 1048576)
        return gk_fail(err, GK_EINVAL, "d_model=%zu, d_mlp=%zu are too large", d->d_model, d->d_mlp);
    return GK_OK;
}

gk_status gk_tf1_create(gk_model *mod, const gk_tf1_dims *d, gk_error *err) {
    memset(mod, 0, sizeof *mod);
    gk_status s = gk_tf1_check(d, err);
    if (s) return s;
    tf1_impl *T = calloc(1, sizeof *T);
    if (!T) return gk_fail(err, GK_ENOMEM, "out of memory");
    const size_t p = (size_t)d->p, D = d->d_model, R = 2 * p + 1;
    T->p = d->p;
    T->D = D;
    T->H = d->heads;
    T->dh = D / d->heads;
    T->M = d->d_mlp;
    T->R = R;
    mod->ops = &tf1_ops;
    mod->impl = T;
    mod->n_out = d->p;
    double **tabs[] = {&T->E, &T->K, &T->V, &T->dE, &T->dK, &T->dV};
    for (size_t k = 0; k < sizeof tabs / sizeof *tabs; k++) *tabs[k] = malloc(R * D * sizeof(double));
    T->S = malloc(R * T->H * sizeof(double));
    T->dS = malloc(R * T->H * sizeof(double));
    T->q = malloc(D * sizeof(double));
    T->dq = malloc(D * sizeof(double));
    T->de2 = malloc(D * sizeof(double));
    if (!T->E || !T->K || !T->V || !T->dE || !T->dK || !T->dV || !T->S || !T->dS || !T->q || !T->dq || !T->de2) {
        tf1_destroy(mod);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    gk_param_table_add(&mod->params, "W_E", p + 1, D);
    gk_param_table_add(&mod->params, "W_pos", 3, D);
    gk_param_table_add(&mod->params, "W_Q", D, D);
    gk_param_table_add(&mod->params, "W_K", D, D);
    gk_param_table_add(&mod->params, "W_V", D, D);
    gk_param_table_add(&mod->params, "W_O", D, D);
    gk_param_table_add(&mod->params, "W_in", D, T->M);
    gk_param_table_add(&mod->params, "b_in", T->M, 1);
    gk_param_table_add(&mod->params, "W_out", T->M, D);
    gk_param_table_add(&mod->params, "b_out", D, 1);
    gk_param_table_add(&mod->params, "W_U", D, p);
    return GK_OK;
}
