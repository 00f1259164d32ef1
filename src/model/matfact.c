/* matfact.c: W = U U^T - V V^T on index pairs, forward and backward side by side.
 *
 * forward:  f_k = <U_i, U_j> - <V_i, V_j>                                 (k-th pair (i, j))
 * backward: dL/dU_i += g_k U_j, dL/dU_j += g_k U_i;  dL/dV_i -= g_k V_j, dL/dV_j -= g_k V_i   (g_k = dL/df_k)
 *           i.e. grad_U = (G + G^T) U and grad_V = -(G + G^T) V with G the sparse matrix of the g_k.
 * The fused step does the same per row of S = G + G^T: each output row is written by one thread, with a fixed
 * order of its nonzeros, so the result does not depend on the thread count.
 */
#include "model/matfact.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

typedef struct matfact_impl {
    size_t d;
} matfact_impl;

/* 8 doubles as one GCC vector (lowered to what the target has: one zmm, two ymm or four xmm); each lane is an
 * independent sum, so every clone adds in the same order and gives the same bits. */
typedef double mf_v8 __attribute__((vector_size(64)));
#define MF_LD(v, p) memcpy(&(v), (p), sizeof(mf_v8))
#define MF_ST(p, v) memcpy((p), &(v), sizeof(mf_v8))

static inline double tree8(const double *p) {
    return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

/* f = <Ua, Ub> - <Va, Vb> for K pairs at once (independent sums in flight). Per product: 8 lanes (lane l sums
 * the entries l, l + 8, ..., then the tail from lane 0 on), then a fixed tree; the same bits for any K and any
 * vector width. */
#define MF_K 4
GK_CLONES static void dots_diff(const double *const *a, const double *const *b, const double *const *c,
                                const double *const *e, int K, size_t n, double *out) {
    mf_v8 P[MF_K], Q[MF_K];
    for (int k = 0; k < MF_K; k++) P[k] = (mf_v8){0}, Q[k] = (mf_v8){0};
    size_t i = 0;
    if (K == MF_K) { /* the common case, fully unrolled with the row pointers in registers */
        const double *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3], *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
        const double *c0 = c[0], *c1 = c[1], *c2 = c[2], *c3 = c[3], *e0 = e[0], *e1 = e[1], *e2 = e[2], *e3 = e[3];
        for (; i + 8 <= n; i += 8) {
            mf_v8 x, y;
            MF_LD(x, a0 + i), MF_LD(y, b0 + i), P[0] += x * y;
            MF_LD(x, a1 + i), MF_LD(y, b1 + i), P[1] += x * y;
            MF_LD(x, a2 + i), MF_LD(y, b2 + i), P[2] += x * y;
            MF_LD(x, a3 + i), MF_LD(y, b3 + i), P[3] += x * y;
            MF_LD(x, c0 + i), MF_LD(y, e0 + i), Q[0] += x * y;
            MF_LD(x, c1 + i), MF_LD(y, e1 + i), Q[1] += x * y;
            MF_LD(x, c2 + i), MF_LD(y, e2 + i), Q[2] += x * y;
            MF_LD(x, c3 + i), MF_LD(y, e3 + i), Q[3] += x * y;
        }
    } else {
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < K; k++) {
                mf_v8 x, y, z, w;
                MF_LD(x, a[k] + i), MF_LD(y, b[k] + i), MF_LD(z, c[k] + i), MF_LD(w, e[k] + i);
                P[k] += x * y;
                Q[k] += z * w;
            }
    }
    for (int k = 0; k < K; k++) {
        double p[8], q[8];
        MF_ST(p, P[k]);
        MF_ST(q, Q[k]);
        for (size_t j = i, l = 0; j < n; j++, l++) {
            p[l] += a[k][j] * b[k][j];
            q[l] += c[k][j] * e[k][j];
        }
        out[k] = tree8(p) - tree8(q);
    }
}

static double dot_diff(const double *a, const double *b, const double *c, const double *e, size_t n) {
    double f;
    dots_diff(&a, &b, &c, &e, 1, n, &f);
    return f;
}

static gk_status mf_forward(gk_model *m, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    const matfact_impl *M = m->impl;
    const gk_matfact_input *x = in;
    const size_t d = M->d;
    const double *U = theta, *V = theta + d * d;
    for (size_t k = 0; k < n; k++) {
        size_t i = x->rows[k], j = x->cols[k];
        GK_ASSERT(i < d && j < d);
        out[k] = dot_diff(U + i * d, U + j * d, V + i * d, V + j * d, d);
    }
    return GK_OK;
}

static void mf_backward(gk_model *m, const double *theta, const void *in, size_t n, const double *dout, double *grad) {
    const matfact_impl *M = m->impl;
    const gk_matfact_input *x = in;
    const size_t d = M->d;
    const double *U = theta, *V = theta + d * d;
    double *gU = grad, *gV = grad + d * d;
    for (size_t k = 0; k < n; k++) {
        size_t i = x->rows[k], j = x->cols[k];
        GK_ASSERT(i < d && j < d);
        double g = dout[k];
        for (size_t c = 0; c < d; c++) {
            gU[i * d + c] += g * U[j * d + c];
            gV[i * d + c] -= g * V[j * d + c];
        }
        for (size_t c = 0; c < d; c++) {
            gU[j * d + c] += g * U[i * d + c];
            gV[j * d + c] -= g * V[i * d + c];
        }
    }
}

static void mf_destroy(gk_model *m) {
    free(m->impl);
    m->impl = NULL;
}

/* init is NULL: the matrix-completion init takes alpha and the noise sigma (gk_matfact_init). */
static const gk_model_ops matfact_ops = {.name = "matfact", .forward = mf_forward, .backward = mf_backward, .destroy = mf_destroy};

gk_status gk_matfact_model_create(gk_model *m, size_t d, gk_error *err) {
    memset(m, 0, sizeof *m);
    matfact_impl *M = calloc(1, sizeof *M);
    if (!M) return gk_fail(err, GK_ENOMEM, "out of memory");
    M->d = d;
    m->ops = &matfact_ops;
    m->impl = M;
    m->n_out = 1;
    gk_param_table_add(&m->params, "U", d, d);
    gk_param_table_add(&m->params, "V", d, d);
    return GK_OK;
}

void gk_matfact_init(const gk_model *m, double alpha, double sigma, uint64_t seed, double *theta) {
    const size_t d = ((const matfact_impl *)m->impl)->d;
    gk_rng g;
    gk_rng_seed(&g, seed, 21);
    for (size_t k = 0; k < 2 * d * d; k++) {
        size_t r = (k % (d * d)) / d, c = k % d;
        theta[k] = (r == c ? alpha : 0.0) + (sigma > 0 ? sigma * gk_rng_normal(&g) : 0.0);
    }
}

void gk_matfact_full(size_t d, const double *theta, double *W) {
    const double *U = theta, *V = theta + d * d;
    long nd = (long)d;
#pragma omp parallel for schedule(static) if (d >= 256)
    for (long i = 0; i < nd; i++)
        for (size_t j = (size_t)i; j < d; j++)
            W[(size_t)i * d + j] = dot_diff(U + (size_t)i * d, U + j * d, V + (size_t)i * d, V + j * d, d);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++) W[i * d + j] = W[j * d + i];
}

/* ---- the fused sparse step ------------------------------------------------------------------------- */

void gk_matfact_plan_free(gk_matfact_plan *p) {
    if (!p) return;
    free(p->pa), free(p->pb), free(p->obs_ptr), free(p->obs_idx);
    free(p->row_ptr), free(p->col), free(p->pair), free(p->fac), free(p->R);
    memset(p, 0, sizeof *p);
}

gk_status gk_matfact_plan_make(gk_matfact_plan *p, size_t d, const size_t *rows, const size_t *cols,
                               const double *y, size_t nobs, gk_error *err) {
    memset(p, 0, sizeof *p);
    p->d = d, p->nobs = nobs, p->y = y;
    size_t *id = malloc(d * d * sizeof *id), *cnt = NULL, *fill = NULL;
    p->pa = malloc((nobs + 1) * sizeof(size_t));
    p->pb = malloc((nobs + 1) * sizeof(size_t));
    p->obs_ptr = calloc(nobs + 2, sizeof(size_t));
    p->obs_idx = malloc((nobs + 1) * sizeof(size_t));
    p->row_ptr = calloc(d + 1, sizeof(size_t));
    p->col = malloc((2 * nobs + 1) * sizeof(size_t));
    p->pair = malloc((2 * nobs + 1) * sizeof(size_t));
    p->fac = malloc((2 * nobs + 1) * sizeof(double));
    p->R = calloc(nobs + 1, sizeof(double));
    cnt = calloc(nobs + 1, sizeof(size_t));
    fill = calloc(d + 1, sizeof(size_t));
    if (!id || !p->pa || !p->pb || !p->obs_ptr || !p->obs_idx || !p->row_ptr || !p->col || !p->pair || !p->fac ||
        !p->R || !cnt || !fill) {
        free(id), free(cnt), free(fill);
        gk_matfact_plan_free(p);
        return gk_fail(err, GK_ENOMEM, "out of memory for the completion plan (d = %zu, n_obs = %zu)", d, nobs);
    }
    /* unordered pairs {a <= b}, numbered in row-major order (consecutive pairs share the row a: cache reuse) */
    for (size_t k = 0; k < d * d; k++) id[k] = (size_t)-1;
    for (size_t k = 0; k < nobs; k++) {
        size_t a = rows[k] < cols[k] ? rows[k] : cols[k], b = rows[k] < cols[k] ? cols[k] : rows[k];
        GK_ASSERT(b < d);
        id[a * d + b] = 0;
    }
    size_t np = 0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++)
            if (id[a * d + b] != (size_t)-1) {
                id[a * d + b] = np;
                p->pa[np] = a, p->pb[np] = b;
                np++;
            }
    for (size_t k = 0; k < nobs; k++) {
        size_t a = rows[k] < cols[k] ? rows[k] : cols[k], b = rows[k] < cols[k] ? cols[k] : rows[k];
        cnt[id[a * d + b]]++;
    }
    p->npairs = np;
    for (size_t q = 0; q < np; q++) p->obs_ptr[q + 1] = p->obs_ptr[q] + cnt[q];
    memset(cnt, 0, (nobs + 1) * sizeof(size_t));
    for (size_t k = 0; k < nobs; k++) {
        size_t a = rows[k] < cols[k] ? rows[k] : cols[k], b = rows[k] < cols[k] ? cols[k] : rows[k];
        size_t q = id[a * d + b];
        p->obs_idx[p->obs_ptr[q] + cnt[q]++] = k;
    }
    /* CSR of S: pair {a, b} puts a nonzero in row a (column b) and, if a != b, in row b (column a) */
    for (size_t q = 0; q < np; q++) {
        p->row_ptr[p->pa[q] + 1]++;
        if (p->pa[q] != p->pb[q]) p->row_ptr[p->pb[q] + 1]++;
    }
    for (size_t i = 0; i < d; i++) p->row_ptr[i + 1] += p->row_ptr[i];
    for (size_t q = 0; q < np; q++) {
        size_t a = p->pa[q], b = p->pb[q];
        size_t e = p->row_ptr[a] + fill[a]++;
        p->col[e] = b, p->pair[e] = q, p->fac[e] = a == b ? 2.0 : 1.0;
        if (a != b) {
            e = p->row_ptr[b] + fill[b]++;
            p->col[e] = a, p->pair[e] = q, p->fac[e] = 1.0;
        }
    }
    free(id), free(cnt), free(fill);
    return GK_OK;
}

/* Rows i of U and V after one step: next = X_i - lr (sign * sum_e s_e X_{col_e} + wd X_i), sign +1 for U and -1
 * for V, s_e = fac_e R_{pair_e}. Columns in blocks held in registers across the nonzeros (32, then 8, then
 * single columns); each entry's sum runs over e in CSR order whatever the block, so the bits do not depend on it. */
GK_CLONES static void rows_step(size_t d, const double *U, const double *V, size_t i, const size_t *col,
                                const size_t *pair, const double *fac, size_t e0, size_t e1, const double *R,
                                double lr, double wd, double *outU, double *outV) {
    const double *ui = U + i * d, *vi = V + i * d;
    size_t c0 = 0;
    for (; c0 + 32 <= d; c0 += 32) {
        mf_v8 u0 = {0}, u1 = {0}, u2 = {0}, u3 = {0}, v0 = {0}, v1 = {0}, v2 = {0}, v3 = {0};
        for (size_t e = e0; e < e1; e++) {
            double s = fac[e] * R[pair[e]];
            const double *uj = U + col[e] * d + c0, *vj = V + col[e] * d + c0;
            mf_v8 x0, x1, x2, x3, y0, y1, y2, y3;
            MF_LD(x0, uj), MF_LD(x1, uj + 8), MF_LD(x2, uj + 16), MF_LD(x3, uj + 24);
            MF_LD(y0, vj), MF_LD(y1, vj + 8), MF_LD(y2, vj + 16), MF_LD(y3, vj + 24);
            u0 += s * x0, u1 += s * x1, u2 += s * x2, u3 += s * x3;
            v0 += s * y0, v1 += s * y1, v2 += s * y2, v3 += s * y3;
        }
        mf_v8 acc_u[4] = {u0, u1, u2, u3}, acc_v[4] = {v0, v1, v2, v3};
        for (int k = 0; k < 4; k++) {
            size_t c = c0 + 8 * (size_t)k;
            mf_v8 xu, xv;
            MF_LD(xu, ui + c), MF_LD(xv, vi + c);
            mf_v8 nu = xu - lr * (acc_u[k] + wd * xu), nv = xv - lr * (-acc_v[k] + wd * xv);
            MF_ST(outU + c, nu), MF_ST(outV + c, nv);
        }
    }
    for (; c0 + 8 <= d; c0 += 8) {
        mf_v8 u0 = {0}, v0 = {0};
        for (size_t e = e0; e < e1; e++) {
            double s = fac[e] * R[pair[e]];
            mf_v8 x, y;
            MF_LD(x, U + col[e] * d + c0), MF_LD(y, V + col[e] * d + c0);
            u0 += s * x;
            v0 += s * y;
        }
        mf_v8 xu, xv;
        MF_LD(xu, ui + c0), MF_LD(xv, vi + c0);
        mf_v8 nu = xu - lr * (u0 + wd * xu), nv = xv - lr * (-v0 + wd * xv);
        MF_ST(outU + c0, nu), MF_ST(outV + c0, nv);
    }
    for (; c0 < d; c0++) {
        double au = 0, av = 0;
        for (size_t e = e0; e < e1; e++) {
            double s = fac[e] * R[pair[e]];
            au += s * U[col[e] * d + c0];
            av += s * V[col[e] * d + c0];
        }
        outU[c0] = ui[c0] - lr * (au + wd * ui[c0]);
        outV[c0] = vi[c0] - lr * (-av + wd * vi[c0]);
    }
}

gk_status gk_matfact_mse_gd_step(gk_matfact_plan *p, const double *theta, double *theta_next, double lr, double wd) {
    const size_t d = p->d;
    const double *U = theta, *V = theta + d * d;
    const double inv_n = 1.0 / (double)p->nobs;
    long nb = (long)((p->npairs + MF_K - 1) / MF_K), nd = (long)d;
    int bad = 0;
    /* threads only pay off on large problems: below ~1e6 multiply-adds per step (d = 97 at 5% has 1.3e5) the
     * fork/join costs more than it saves, and much more on a busy machine */
    int par = (double)(p->npairs + p->row_ptr[d]) * (double)d >= 1e6;
#pragma omp parallel if (par)
    {
#pragma omp for schedule(static) reduction(| : bad)
        for (long q0 = 0; q0 < nb; q0++) {
            size_t first = (size_t)q0 * MF_K;
            int K = (int)(p->npairs - first < MF_K ? p->npairs - first : MF_K);
            const double *ua[MF_K], *ub[MF_K], *va[MF_K], *vb[MF_K];
            double f[MF_K];
            for (int k = 0; k < K; k++) {
                size_t a = p->pa[first + k], b = p->pb[first + k];
                ua[k] = U + a * d, ub[k] = U + b * d, va[k] = V + a * d, vb[k] = V + b * d;
            }
            dots_diff(ua, ub, va, vb, K, d, f);
            for (int k = 0; k < K; k++) {
                size_t q = first + (size_t)k;
                double r = 0;
                for (size_t t = p->obs_ptr[q]; t < p->obs_ptr[q + 1]; t++)
                    r += 2.0 * (f[k] - p->y[p->obs_idx[t]]) * inv_n;
                p->R[q] = r;
                bad |= !isfinite(r);
            }
        }
#pragma omp for schedule(static)
        for (long i = 0; i < nd; i++) {
            rows_step(d, U, V, (size_t)i, p->col, p->pair, p->fac, p->row_ptr[i], p->row_ptr[i + 1], p->R, lr, wd,
                      theta_next + (size_t)i * d, theta_next + d * d + (size_t)i * d);
        }
    }
    return bad ? GK_ENONFINITE : GK_OK;
}

static int cmp_desc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

int gk_matfact_singular_values(size_t d, const double *W, double *work, double *sv) {
    memcpy(work, W, d * d * sizeof(double));
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)d, work, (lapack_int)d, sv);
    if (info != 0) return (int)info;
    for (size_t k = 0; k < d; k++) sv[k] = fabs(sv[k]);
    qsort(sv, d, sizeof(double), cmp_desc);
    return 0;
}
