/* kumar.c: the Kumar et al. committee machine, forward and backward side by side, in two implementations.
 *
 * stats path (quad activation, fixed readouts; eq. 5):
 *   forward:  wbar = mean_i w_i,  M = W^T W / N (dsyrk),  Y = X M (dgemm),
 *             f_p = alpha wbar.x_p + (alpha eps/2) sum_k Y_pk X_pk
 *   backward: Xg = diag(g) X,  u = X^T g,  G = X^T Xg (dgemm, D x D),
 *             grad_W += (alpha eps/N) W G (dgemm, beta = 1),  grad_W[i] += (alpha/N) u
 * direct path:
 *   forward:  H = X W^T (dgemm),  f_p = (alpha/N) sum_i v_i phi(H_pi)
 *   backward: A_pi = g_p (alpha/N) v_i phi'(H_pi),  grad_W += A^T X (dgemm),
 *             grad_v_i += (alpha/N) sum_p g_p phi(H_pi)
 * Every explicit sum runs in a fixed order; OpenMP loops partition rows statically, so the results do not
 * depend on the thread count. */
#include "model/kumar.h"

#include "core/parallel.h"

#include "data/kumar_data.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct kumar_impl {
    gk_kumar_spec s;
    gk_kumar_path path;
    size_t offW, offv;
    double *wbar, *M;    /* D, D x D: stats of the last stats-path forward */
    double *buf;         /* cap_n x max(D, N): Y (stats) or H (direct) of the last forward */
    double *buf2;        /* cap_n x max(D, N): scratch of backward */
    double *G;           /* D x D */
    double *u;           /* D */
    size_t cap_n, last_n;
} kumar_impl;

static inline double phi_of(const kumar_impl *K, double h) {
    if (K->s.hermite_k == 0) return h + 0.5 * K->s.eps * h * h;
    return h + 0.5 * K->s.eps * gk_hermite(K->s.hermite_k, h);
}
/* He_k' = k He_{k-1} */
static inline double dphi_of(const kumar_impl *K, double h) {
    if (K->s.hermite_k == 0) return 1.0 + K->s.eps * h;
    return 1.0 + 0.5 * K->s.eps * (double)K->s.hermite_k * gk_hermite(K->s.hermite_k - 1, h);
}

static gk_status ensure_cache(kumar_impl *K, size_t n, gk_error *err) {
    if (n <= K->cap_n) return GK_OK;
    size_t w = K->s.D > K->s.N ? K->s.D : K->s.N;
    double *b1 = realloc(K->buf, n * w * sizeof(double));
    if (b1) K->buf = b1;
    double *b2 = b1 ? realloc(K->buf2, n * w * sizeof(double)) : NULL;
    if (b2) K->buf2 = b2;
    if (!b1 || !b2) return gk_fail(err, GK_ENOMEM, "out of memory for %zu inputs (width %zu)", n, w);
    K->cap_n = n;
    return GK_OK;
}

void gk_kumar_stats(const gk_model *m, const double *theta, double *wbar, double *M) {
    const kumar_impl *K = m->impl;
    const size_t D = K->s.D, N = K->s.N;
    const double *W = theta + K->offW, *v = K->s.readouts ? theta + K->offv : NULL;
    const double invN = 1.0 / (double)N;
    for (size_t c = 0; c < D; c++) wbar[c] = 0;
    for (size_t i = 0; i < N; i++) {
        double vi = v ? v[i] : 1.0;
        for (size_t c = 0; c < D; c++) wbar[c] += vi * W[i * D + c];
    }
    for (size_t c = 0; c < D; c++) wbar[c] *= invN;
    if (!M) return;
    if (!v) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)D, (int)N, invN, W, (int)D, 0.0, M, (int)D);
    } else {
        /* M = W^T diag(v) W / N, built row by row in a fixed order (readouts: small N only) */
        memset(M, 0, D * D * sizeof *M);
        for (size_t i = 0; i < N; i++)
            for (size_t a = 0; a < D; a++) {
                double s = invN * v[i] * W[i * D + a];
                for (size_t b = a; b < D; b++) M[a * D + b] += s * W[i * D + b];
            }
    }
    for (size_t a = 0; a < D; a++)
        for (size_t b = 0; b < a; b++) M[a * D + b] = M[b * D + a];
}

/* ---- stats path -------------------------------------------------------------------------------------- */

static void stats_forward(kumar_impl *K, const double *theta, const gk_kumar_input *in, size_t n, double *out,
                          const gk_model *m) {
    const size_t D = K->s.D;
    gk_kumar_stats(m, theta, K->wbar, K->M);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)D, (int)D, 1.0, in->X, (int)D, K->M, (int)D,
                0.0, K->buf, (int)D);
    const double a = K->s.alpha, ae2 = 0.5 * K->s.alpha * K->s.eps;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if ((size_t)nn * D >= GK_PARALLEL_MIN)
    for (long p = 0; p < nn; p++) {
        const double *x = in->X + (size_t)p * D, *y = K->buf + (size_t)p * D;
        double lin = 0, q = 0;
        for (size_t c = 0; c < D; c++) lin += K->wbar[c] * x[c], q += y[c] * x[c];
        out[p] = a * lin + ae2 * q;
    }
}

static void stats_backward(kumar_impl *K, const double *theta, const gk_kumar_input *in, size_t n,
                           const double *dout, double *grad) {
    const size_t D = K->s.D, N = K->s.N;
    const long nn = (long)n;
    double *Xg = K->buf2;
#pragma omp parallel for schedule(static) if ((size_t)nn * D >= GK_PARALLEL_MIN)
    for (long p = 0; p < nn; p++)
        for (size_t c = 0; c < D; c++) Xg[(size_t)p * D + c] = dout[p] * in->X[(size_t)p * D + c];
    for (size_t c = 0; c < D; c++) K->u[c] = 0;
    for (size_t p = 0; p < n; p++)
        for (size_t c = 0; c < D; c++) K->u[c] += Xg[p * D + c];
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)D, (int)D, (int)n, 1.0, in->X, (int)D, Xg, (int)D, 0.0,
                K->G, (int)D);
    const double *W = theta + K->offW;
    double *gW = grad + K->offW;
    const double aN = K->s.alpha / (double)N;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)D, (int)D, aN * K->s.eps, W, (int)D, K->G,
                (int)D, 1.0, gW, (int)D);
    const long NN = (long)N;
#pragma omp parallel for schedule(static) if ((size_t)NN * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < NN; i++)
        for (size_t c = 0; c < D; c++) gW[(size_t)i * D + c] += aN * K->u[c];
}

/* ---- direct path ------------------------------------------------------------------------------------- */

static void direct_forward(kumar_impl *K, const double *theta, const gk_kumar_input *in, size_t n, double *out) {
    const size_t D = K->s.D, N = K->s.N;
    const double *W = theta + K->offW, *v = K->s.readouts ? theta + K->offv : NULL;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)N, (int)D, 1.0, in->X, (int)D, W, (int)D, 0.0,
                K->buf, (int)N);
    const double aN = K->s.alpha / (double)N;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if ((size_t)nn * N >= GK_PARALLEL_MIN)
    for (long p = 0; p < nn; p++) {
        const double *h = K->buf + (size_t)p * N;
        double f = 0;
        for (size_t i = 0; i < N; i++) f += (v ? v[i] : 1.0) * phi_of(K, h[i]);
        out[p] = aN * f;
    }
}

static void direct_backward(kumar_impl *K, const double *theta, const gk_kumar_input *in, size_t n,
                            const double *dout, double *grad) {
    const size_t D = K->s.D, N = K->s.N;
    const double *v = K->s.readouts ? theta + K->offv : NULL;
    const double aN = K->s.alpha / (double)N;
    const double *H = K->buf;
    double *A = K->buf2;
    if (v) {
        double *gv = grad + K->offv;
        const long NN = (long)N;
#pragma omp parallel for schedule(static) if ((size_t)NN * n >= GK_PARALLEL_MIN)
        for (long i = 0; i < NN; i++) {
            double s = 0;
            for (size_t p = 0; p < n; p++) s += dout[p] * phi_of(K, H[p * N + (size_t)i]);
            gv[i] += aN * s;
        }
    }
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if ((size_t)nn * N >= GK_PARALLEL_MIN)
    for (long p = 0; p < nn; p++)
        for (size_t i = 0; i < N; i++)
            A[(size_t)p * N + i] = dout[p] * aN * (v ? v[i] : 1.0) * dphi_of(K, H[(size_t)p * N + i]);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)N, (int)D, (int)n, 1.0, A, (int)N, in->X, (int)D, 1.0,
                grad + K->offW, (int)D);
}

/* ---- the model interface ----------------------------------------------------------------------------- */

static gk_status kumar_forward(gk_model *m, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    kumar_impl *K = m->impl;
    const gk_kumar_input *X = in;
    GK_ASSERT(X && X->D == K->s.D && X->n == n);
    gk_status s = ensure_cache(K, n, err);
    if (s) return s;
    if (K->path == GK_KUMAR_PATH_STATS) stats_forward(K, theta, X, n, out, m);
    else direct_forward(K, theta, X, n, out);
    K->last_n = n;
    return GK_OK;
}

static void kumar_backward(gk_model *m, const double *theta, const void *in, size_t n, const double *dout,
                           double *grad) {
    kumar_impl *K = m->impl;
    const gk_kumar_input *X = in;
    GK_ASSERT(X && X->D == K->s.D && X->n == n && K->last_n == n);
    GK_ASSERT(grad != theta);
    if (K->path == GK_KUMAR_PATH_STATS) stats_backward(K, theta, X, n, dout, grad);
    else direct_backward(K, theta, X, n, dout, grad);
}

static void kumar_destroy(gk_model *m) {
    kumar_impl *K = m->impl;
    if (K) {
        free(K->wbar), free(K->M), free(K->buf), free(K->buf2), free(K->G), free(K->u);
        free(K);
    }
    m->impl = NULL;
}

/* The interface's init: kumar's alpha scales the output in forward, so the init has no scale of its own. */
static void kumar_init_op(gk_model *m, double scale, uint64_t seed, double *theta) { gk_kumar_init(m, seed, theta); }

static const gk_model_ops kumar_ops = {.name = "kumar", .forward = kumar_forward, .backward = kumar_backward,
                                       .destroy = kumar_destroy, .init = kumar_init_op};

gk_status gk_kumar_create(gk_model *m, const gk_kumar_spec *spec, gk_error *err) {
    GK_ASSERT(m && spec && spec->D >= 1 && spec->N >= 1);
    memset(m, 0, sizeof *m);
    if (!(spec->alpha > 0) || !isfinite(spec->alpha))
        return gk_fail(err, GK_EINVAL, "alpha=%g is out of range: alpha must be > 0", spec->alpha);
    if (!(spec->eps >= 0) || !isfinite(spec->eps))
        return gk_fail(err, GK_EINVAL, "eps=%g is out of range: eps must be >= 0", spec->eps);
    if (spec->hermite_k != 0 && (spec->hermite_k < 2 || spec->hermite_k > 4))
        return gk_fail(err, GK_EINVAL, "k=%d is out of range: the Hermite order k must be 2, 3 or 4", spec->hermite_k);
    int stats_ok = spec->hermite_k == 0 && !spec->readouts;
    if (spec->path == GK_KUMAR_PATH_STATS && !stats_ok)
        return gk_fail(err, GK_EINVAL, "path=stats needs the quadratic activation and fixed readouts");
    if (spec->D > 2147483647u || spec->N > 2147483647u)
        return gk_fail(err, GK_EINVAL, "D = %zu or N = %zu is too large for the BLAS interface", spec->D, spec->N);
    kumar_impl *K = calloc(1, sizeof *K);
    if (!K) return gk_fail(err, GK_ENOMEM, "out of memory");
    K->s = *spec;
    K->path = spec->path == GK_KUMAR_PATH_AUTO ? (stats_ok ? GK_KUMAR_PATH_STATS : GK_KUMAR_PATH_DIRECT) : spec->path;
    m->ops = &kumar_ops;
    m->impl = K;
    m->n_out = 1;
    K->offW = gk_param_table_add(&m->params, "W", spec->N, spec->D);
    if (spec->readouts) K->offv = gk_param_table_add(&m->params, "v", spec->N, 1);
    const size_t D = spec->D;
    K->wbar = malloc(D * sizeof(double));
    K->M = malloc(D * D * sizeof(double));
    K->G = malloc(D * D * sizeof(double));
    K->u = malloc(D * sizeof(double));
    if (!K->wbar || !K->M || !K->G || !K->u) {
        kumar_destroy(m);
        return gk_fail(err, GK_ENOMEM, "out of memory for D = %zu", D);
    }
    return GK_OK;
}

void gk_kumar_init(const gk_model *m, uint64_t seed, double *theta) {
    const kumar_impl *K = m->impl;
    const size_t D = K->s.D, N = K->s.N;
    const long NN = (long)N;
#pragma omp parallel for schedule(static) if ((size_t)NN * D >= GK_PARALLEL_MIN)
    for (long i = 0; i < NN; i++) {
        gk_rng r;
        gk_rng_seed(&r, seed, (UINT64_C(0x4b57) << 40) + (uint64_t)i);
        for (size_t c = 0; c < D; c++) theta[K->offW + (size_t)i * D + c] = gk_rng_normal(&r);
    }
    if (K->s.readouts)
        for (size_t i = 0; i < N; i++) theta[K->offv + i] = 1.0;
}

gk_kumar_path gk_kumar_path_of(const gk_model *m) { return ((const kumar_impl *)m->impl)->path; }

/* ---- NTK ---------------------------------------------------------------------------------------------- */

static gk_status ntk_stats(kumar_impl *K, const gk_model *m, const double *theta, const gk_kumar_input *a,
                           const gk_kumar_input *b, double *Kout, gk_error *err) {
    const size_t D = K->s.D, na = a->n, nb = b->n;
    double *XaM = malloc(na * D * sizeof(double)), *la = malloc(na * sizeof(double)), *lb = malloc(nb * sizeof(double));
    double *Q = malloc(na * nb * sizeof(double));
    if (!XaM || !la || !lb || !Q) {
        free(XaM), free(la), free(lb), free(Q);
        return gk_fail(err, GK_ENOMEM, "NTK: out of memory for a %zu x %zu kernel", na, nb);
    }
    gk_kumar_stats(m, theta, K->wbar, K->M);
    for (size_t p = 0; p < na; p++) la[p] = gk_dot(K->wbar, a->X + p * D, D);
    for (size_t p = 0; p < nb; p++) lb[p] = gk_dot(K->wbar, b->X + p * D, D);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)na, (int)D, (int)D, 1.0, a->X, (int)D, K->M, (int)D,
                0.0, XaM, (int)D);
    /* Q = Xa M Xb^T, Kout = Xa Xb^T */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)D, 1.0, XaM, (int)D, b->X, (int)D, 0.0,
                Q, (int)nb);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)D, 1.0, a->X, (int)D, b->X, (int)D, 0.0,
                Kout, (int)nb);
    const double c = K->s.alpha * K->s.alpha / (double)K->s.N, e = K->s.eps;
    const long nna = (long)na;
#pragma omp parallel for schedule(static) if ((size_t)nna * nb >= GK_PARALLEL_MIN)
    for (long p = 0; p < nna; p++)
        for (size_t q = 0; q < nb; q++) {
            size_t k = (size_t)p * nb + q;
            Kout[k] = c * Kout[k] * (1.0 + e * (la[p] + lb[q]) + e * e * Q[k]);
        }
    free(XaM), free(la), free(lb), free(Q);
    return GK_OK;
}

static gk_status ntk_direct(kumar_impl *K, const double *theta, const gk_kumar_input *a, const gk_kumar_input *b,
                            double *Kout, gk_error *err) {
    const size_t D = K->s.D, N = K->s.N, na = a->n, nb = b->n;
    const double *W = theta + K->offW, *v = K->s.readouts ? theta + K->offv : NULL;
    double *Ha = malloc(na * N * sizeof(double)), *Hb = malloc(nb * N * sizeof(double));
    double *Pa = v ? malloc(na * N * sizeof(double)) : NULL, *Pb = v ? malloc(nb * N * sizeof(double)) : NULL;
    double *S = malloc(na * nb * sizeof(double));
    if (!Ha || !Hb || !S || (v && (!Pa || !Pb))) {
        free(Ha), free(Hb), free(Pa), free(Pb), free(S);
        return gk_fail(err, GK_ENOMEM, "NTK: out of memory for a %zu x %zu kernel", na, nb);
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)N, (int)D, 1.0, a->X, (int)D, W, (int)D, 0.0, Ha,
                (int)N);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)N, (int)D, 1.0, b->X, (int)D, W, (int)D, 0.0, Hb,
                (int)N);
    /* rows become v_i phi'(h_i) (and phi(h_i) for the readout block) */
    for (size_t p = 0; p < na * N; p++) {
        if (Pa) Pa[p] = phi_of(K, Ha[p]);
        Ha[p] = (v ? v[p % N] : 1.0) * dphi_of(K, Ha[p]);
    }
    for (size_t p = 0; p < nb * N; p++) {
        if (Pb) Pb[p] = phi_of(K, Hb[p]);
        Hb[p] = (v ? v[p % N] : 1.0) * dphi_of(K, Hb[p]);
    }
    const double c = (K->s.alpha / (double)N) * (K->s.alpha / (double)N);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)N, 1.0, Ha, (int)N, Hb, (int)N, 0.0, S,
                (int)nb);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)D, 1.0, a->X, (int)D, b->X, (int)D, 0.0,
                Kout, (int)nb);
    for (size_t k = 0; k < na * nb; k++) Kout[k] *= c * S[k];
    if (v) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)na, (int)nb, (int)N, 1.0, Pa, (int)N, Pb, (int)N, 0.0,
                    S, (int)nb);
        for (size_t k = 0; k < na * nb; k++) Kout[k] += c * S[k];
    }
    free(Ha), free(Hb), free(Pa), free(Pb), free(S);
    return GK_OK;
}

gk_status gk_kumar_ntk(gk_model *m, const double *theta, const gk_kumar_input *a, const gk_kumar_input *b, double *K,
                       gk_error *err) {
    kumar_impl *Z = m->impl;
    GK_ASSERT(a && b && a->D == Z->s.D && b->D == Z->s.D && a->n > 0 && b->n > 0 && K);
    return Z->path == GK_KUMAR_PATH_STATS ? ntk_stats(Z, m, theta, a, b, K, err) : ntk_direct(Z, theta, a, b, K, err);
}

/* ---- eq. 6 -------------------------------------------------------------------------------------------- */

double gk_kumar_decomp(size_t D, double alpha, double eps, const double *wbar, const double *M, const double *beta,
                       size_t r, double t[3]) {
    const double dD = (double)D, ae = alpha * eps;
    double b2 = 0, tr = 0, fro = 0, w2 = 0;
    for (size_t a = 0; a < D; a++) {
        for (size_t m = 0; m < r; m++) b2 += beta[m * D + a] * beta[m * D + a];
        tr += M[a * D + a];
        w2 += wbar[a] * wbar[a];
        for (size_t b = 0; b < D; b++) {
            double B = 0;
            for (size_t m = 0; m < r; m++) B += beta[m * D + a] * beta[m * D + b];
            double e = ae * M[a * D + b] - B;
            fro += e * e;
        }
    }
    double v = b2 / dD - ae * tr / dD;
    t[0] = 0.25 * v * v;
    t[1] = fro / (2.0 * dD * dD);
    t[2] = alpha * alpha / dD * w2;
    return t[0] + t[1] + t[2];
}
