/* test_theory.c: the theory predictors against cases with a known answer. */
#include "check.h"
#include "groklab.h"
#include "model/model.h"
#include "theory/theory.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Exported by ntk.c for this test only: the NTK with at most max_rows gradient rows per chunk. */
gk_status gk_ntk_gram_chunked(struct gk_model *m, const double *theta, const void *a, size_t na, const void *b,
                              size_t nb, size_t max_rows, double *K, gk_error *err);

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double rademacher(gk_rng *r) { return (gk_rng_u64(r) >> 63) ? 1.0 : -1.0; }

static double min_margin(const double *X, const double *y, size_t n, size_t d, const double *w) {
    double m = INFINITY;
    for (size_t i = 0; i < n; i++) m = fmin(m, y[i] * gk_dot(X + i * d, w, d));
    return m;
}

/* ---- predicted times ---------------------------------------------------------------------------------- */

static void test_times(void) {
    GK_CHECK_CLOSE(gk_predicted_time(128, 1e-2), 485.20302639196171, 1e-9, 1e-12);
    GK_CHECK_CLOSE(gk_predicted_step(128, 1e-2, 0.01), 48520.302639196171, 1e-7, 1e-12);
    /* Sec. 1.2: alpha 128, wd 1e-3, lr 0.01 -> ln(128) / 1e-5 = 4.85e5 steps */
    GK_CHECK_CLOSE(gk_predicted_step(128, 1e-3, 0.01), 485203.02639196171, 1e-6, 1e-12);
    /* Sec. 1.4: ln(10) / (1e-4 * 0.1) = 2.3e5 steps */
    GK_CHECK_CLOSE(gk_predicted_step(10, 1e-4, 0.1), 230258.50929940457, 1e-6, 1e-12);
    double lo, hi;
    gk_predicted_window(128, 1e-2, 0.25, &lo, &hi);
    GK_CHECK_CLOSE(lo, 0.75 * 485.20302639196171, 1e-9, 1e-12);
    GK_CHECK_CLOSE(hi, 1.25 * 485.20302639196171, 1e-9, 1e-12);
    GK_CHECK(isinf(gk_predicted_time(128, 0)));
}

/* ---- L2 / L1 margins --------------------------------------------------------------------------------- */

/* x_i = y_i (e_1 + z_i) with z_i orthogonal to e_1 and coming in pairs +-z: the max-margin w is e_1, margin 1. */
static void test_l2_axis(void) {
    enum { n = 20, d = 6 };
    gk_rng r;
    gk_rng_seed(&r, 1, 0);
    double X[n * d], y[n], w[d], margin = 0;
    for (size_t p = 0; p < n / 2; p++) {
        double z[d];
        for (size_t k = 1; k < d; k++) z[k] = 0.5 * gk_rng_normal(&r);
        for (size_t s = 0; s < 2; s++) {
            size_t i = 2 * p + s;
            y[i] = rademacher(&r);
            X[i * d] = y[i];
            for (size_t k = 1; k < d; k++) X[i * d + k] = y[i] * (s ? -z[k] : z[k]);
        }
    }
    gk_error err = {{0}};
    gk_status st = gk_l2_margin(X, y, n, d, w, &margin, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK_CLOSE(margin, 1.0, 1e-6, 0);
    GK_CHECK_CLOSE(w[0], 1.0, 1e-6, 0);
    for (size_t k = 1; k < d; k++) GK_CHECK_CLOSE(w[k], 0.0, 1e-5, 0);
    GK_CHECK_CLOSE(gk_norm2(w, d), 1.0, 1e-12, 0);
}

/* 2-D: y x = (1,3) and (3,0) active; the min-norm point of their hull is (27,18)/13, so w = (3,2)/sqrt(13)
 * and the margin is 9/sqrt(13). (4,4) and (2,5) are inactive. */
static void test_l2_2d(void) {
    double X[] = {1, 3, -3, 0, 4, 4, -2, -5};
    double y[] = {1, -1, 1, -1};
    double w[2], margin = 0;
    gk_error err = {{0}};
    gk_status st = gk_l2_margin(X, y, 4, 2, w, &margin, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK_CLOSE(w[0], 3 / sqrt(13.0), 1e-12, 0); /* polished to double precision */
    GK_CHECK_CLOSE(w[1], 2 / sqrt(13.0), 1e-12, 0);
    GK_CHECK_CLOSE(margin, 9 / sqrt(13.0), 1e-12, 0);
}

/* Coordinate k equals the label, all others are random +-1: w = e_k is the unique max-L1-margin direction
 * (margin 1 = the bound ||w||_1 max|x|), while the L2 solution spreads over the other coordinates. */
static void test_l1_single_coordinate(void) {
    enum { n = 12, d = 40, kk = 7 };
    gk_rng r;
    gk_rng_seed(&r, 2, 0);
    double X[n * d], y[n], w[d], w2[d], margin = 0, margin2 = 0;
    for (size_t i = 0; i < n; i++) {
        y[i] = rademacher(&r);
        for (size_t k = 0; k < d; k++) X[i * d + k] = k == kk ? y[i] : rademacher(&r);
    }
    gk_error err = {{0}};
    gk_status st = gk_l1_margin(X, y, n, d, w, &margin, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK_CLOSE(margin, 1.0, 1e-7, 0);
    for (size_t k = 0; k < d; k++) GK_CHECK_CLOSE(w[k], k == kk ? 1.0 : 0.0, 1e-7, 0);
    double l1 = 0;
    for (size_t k = 0; k < d; k++) l1 += fabs(w[k]);
    GK_CHECK_CLOSE(l1, 1.0, 1e-12, 0);

    st = gk_l2_margin(X, y, n, d, w2, &margin2, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK(margin2 > 1.0);  /* e_k has L2 margin 1; the optimum does better */
    GK_CHECK(w2[kk] < 0.99); /* and is not the single coordinate */
    for (size_t k = 0; k < d; k++) GK_CHECK(k == kk || fabs(w2[k]) < w2[kk]); /* still the largest weight */
    double l1b = 0;
    for (size_t k = 0; k < d; k++) l1b += fabs(w2[k]);
    GK_CHECK(l1b > 1.5); /* spread */
    /* The L1 solution is no better in L2 than the L2 optimum, and the L2 solution no better in L1. */
    GK_CHECK(margin2 >= min_margin(X, y, n, d, w) - 1e-9);
    for (size_t k = 0; k < d; k++) w2[k] /= l1b;
    GK_CHECK(min_margin(X, y, n, d, w2) <= margin + 1e-9);
}

/* A random sparse problem where the L1 answer is not a vertex of the trivial kind: check the LP optimum
 * against a dual certificate computed here (gamma* = min over lambda of ||X^T (y lambda)||_inf is bounded by
 * any lambda; and the primal margin is a lower bound). Exercises several column-generation rounds. */
static void test_l1_random(void) {
    enum { n = 30, d = 400 };
    gk_rng r;
    gk_rng_seed(&r, 3, 0);
    double *X = malloc(n * d * sizeof *X), y[n], *w = malloc(d * sizeof *w), margin = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d; k++) X[i * d + k] = gk_rng_normal(&r);
        y[i] = X[i * d] + X[i * d + 1] + 0.5 * X[i * d + 2] > 0 ? 1.0 : -1.0;
    }
    gk_error err = {{0}};
    gk_status st = gk_l1_margin(X, y, n, d, w, &margin, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK(margin > 0);
    GK_CHECK_CLOSE(min_margin(X, y, n, d, w), margin, 1e-14, 0);
    size_t nnz = 0;
    double l1 = 0;
    for (size_t k = 0; k < d; k++) nnz += w[k] != 0, l1 += fabs(w[k]);
    GK_CHECK_CLOSE(l1, 1.0, 1e-12, 0);
    GK_CHECK(nnz <= n); /* a basic solution of an LP with n + 1 rows */
    /* Perturbing w along random directions (renormalised to L1 = 1) never improves the margin. */
    double *w2 = malloc(d * sizeof *w2);
    int better = 0;
    for (int t = 0; t < 200; t++) {
        double s = 0;
        for (size_t k = 0; k < d; k++) w2[k] = w[k] + 1e-3 * gk_rng_normal(&r), s += fabs(w2[k]);
        for (size_t k = 0; k < d; k++) w2[k] /= s;
        better += min_margin(X, y, n, d, w2) > margin * (1 + 1e-9);
    }
    GK_CHECK(better == 0);
    free(X), free(w), free(w2);
}

static void test_not_separable(void) {
    /* y x = (1, 0) and (-1, 0): 0 lies in the hull */
    double X[] = {1, 0, 1, 0, 0, 1};
    double y[] = {1, -1, 1};
    double w[2] = {0}, margin = 0;
    gk_error err = {{0}};
    gk_status st = gk_l2_margin(X, y, 3, 2, w, &margin, &err);
    GK_CHECK(st == GK_EUNAVAILABLE);
    GK_CHECK(strstr(err.msg, "not separable") || strstr(err.msg, "not linearly separable"));
    fprintf(stderr, "  (L2 message: %s)\n", err.msg);
    err.msg[0] = 0;
    st = gk_l1_margin(X, y, 3, 2, w, &margin, &err);
    GK_CHECK(st == GK_EUNAVAILABLE);
    GK_CHECK(strstr(err.msg, "not linearly separable") != NULL);
    fprintf(stderr, "  (L1 message: %s)\n", err.msg);
    /* a zero input cannot be separated */
    double X0[] = {1, 2, 0, 0};
    double y0[] = {1, 1};
    st = gk_l2_margin(X0, y0, 2, 2, w, &margin, &err);
    GK_CHECK(st == GK_EUNAVAILABLE);
    st = gk_l1_margin(X0, y0, 2, 2, w, &margin, &err);
    GK_CHECK(st == GK_EUNAVAILABLE);
    /* the kernel SVM on the XOR kernel-free problem: K of the first set */
    double K[9];
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) K[i * 3 + j] = gk_dot(X + i * 2, X + j * 2, 2);
    double coef[3];
    st = gk_kernel_svm(K, y, 3, coef, &err);
    GK_CHECK(st == GK_EUNAVAILABLE);
    /* bad labels */
    double yb[] = {1, 0, 1};
    st = gk_l2_margin(X, yb, 3, 2, w, &margin, &err);
    GK_CHECK(st == GK_EINVAL);
    st = gk_l1_margin(X, yb, 3, 2, w, &margin, &err);
    GK_CHECK(st == GK_EINVAL);
}

/* Larger sets: random labels (not separable: the dual certificate must stop the C continuation early, not run
 * libsvm to its iteration cap) and a separable set with a small relative margin (~4e-3 R, needs C ~ 1e5). */
static void test_svm_hard_cases(void) {
    enum { n = 300, d = 10 };
    gk_rng r;
    gk_rng_seed(&r, 13, 0);
    double *X = malloc(n * d * sizeof *X), *K = malloc(n * n * sizeof *K), y[n], coef[n], f[n];
    for (size_t i = 0; i < n * d; i++) X[i] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) y[i] = rademacher(&r);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) K[i * n + j] = gk_dot(X + i * d, X + j * d, d);
    gk_error err = {{0}};
    double t0 = now_s();
    gk_status st = gk_kernel_svm(K, y, n, coef, &err);
    fprintf(stderr, "  random labels n=%d d=%d: %.3f s, status %d\n", n, d, now_s() - t0, (int)st);
    GK_CHECK(st == GK_EUNAVAILABLE);
    for (size_t i = 0; i < n; i++) y[i] = X[i * d] + 0.3 * X[i * d + 1] > 0 ? 1.0 : -1.0;
    t0 = now_s();
    st = gk_kernel_svm(K, y, n, coef, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    gk_kernel_predict(K, n, n, coef, f);
    double m = INFINITY, asum = 0, R = 0;
    for (size_t i = 0; i < n; i++) m = fmin(m, y[i] * f[i]), asum += y[i] * coef[i], R = fmax(R, sqrt(K[i * n + i]));
    double wl[d];
    for (size_t k = 0; k < d; k++) {
        wl[k] = 0;
        for (size_t i = 0; i < n; i++) wl[k] += coef[i] / asum * X[i * d + k];
    }
    fprintf(stderr, "  small margin n=%d d=%d: %.3f s, margin/R %.3e, dual bound %.15g vs margin %.15g\n", n, d,
            now_s() - t0, m / R, gk_norm2(wl, d), m);
    GK_CHECK(m > 0 && m / R < 1e-2);
    GK_CHECK_CLOSE(gk_norm2(wl, d), m, 1e-12, 1e-9);
    free(X), free(K);
}

/* ---- kernel predictors ------------------------------------------------------------------------------- */

static void test_kernel_svm_linear(void) {
    enum { n = 30, d = 50, m = 10 };
    gk_rng r;
    gk_rng_seed(&r, 4, 0);
    double *X = malloc((n + m) * d * sizeof *X), y[n], w[d], margin = 0;
    for (size_t i = 0; i < (n + m) * d; i++) X[i] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) y[i] = X[i * d] > 0 ? 1.0 : -1.0;
    gk_error err = {{0}};
    gk_status st = gk_l2_margin(X, y, n, d, w, &margin, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    double *K = malloc(n * n * sizeof *K), *Kx = malloc((n + m) * n * sizeof *Kx), coef[n], s[n + m];
    for (size_t i = 0; i < n + m; i++)
        for (size_t j = 0; j < n; j++) Kx[i * n + j] = gk_dot(X + i * d, X + j * d, d);
    memcpy(K, Kx, n * n * sizeof *K);
    st = gk_kernel_svm(K, y, n, coef, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    gk_kernel_predict(Kx, n + m, n, coef, s); /* train and held-out points */
    for (size_t i = 0; i < n + m; i++) GK_CHECK_CLOSE(s[i], gk_dot(X + i * d, w, d), 1e-6, 0);
    double smin = INFINITY;
    for (size_t i = 0; i < n; i++) smin = fmin(smin, y[i] * s[i]);
    GK_CHECK_CLOSE(smin, margin, 1e-6, 0);
    /* unit RKHS norm */
    double nrm = 0;
    for (size_t i = 0; i < n; i++) nrm += coef[i] * s[i];
    GK_CHECK_CLOSE(nrm, 1.0, 1e-9, 0);
    /* Dual certificate: a_i = y_i coef_i >= 0, and for lambda = a / sum(a) the max margin is at most
     * ||sum_i lambda_i y_i x_i||; after polishing the bound meets the margin to rounding. */
    double asum = 0, wl[d];
    for (size_t i = 0; i < n; i++) {
        GK_CHECK(y[i] * coef[i] >= -1e-12);
        asum += y[i] * coef[i];
    }
    for (size_t k = 0; k < d; k++) {
        wl[k] = 0;
        for (size_t i = 0; i < n; i++) wl[k] += coef[i] / asum * X[i * d + k];
    }
    GK_CHECK_CLOSE(gk_norm2(wl, d), margin, 1e-12, 1e-10);
    free(X), free(K), free(Kx);
}

static void test_kernel_regression(void) {
    enum { n = 12, d = 5 };
    gk_rng r;
    gk_rng_seed(&r, 5, 0);
    double A[n * n], K[n * n], y[n], coef[n], ref[n * 1], LU[n * n];
    lapack_int piv[n];
    for (size_t i = 0; i < n * n; i++) A[i] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        y[i] = gk_rng_normal(&r);
        for (size_t j = 0; j < n; j++) K[i * n + j] = gk_dot(A + i * n, A + j * n, n) / n + (i == j);
    }
    gk_error err = {{0}};
    for (int pass = 0; pass < 2; pass++) {
        double ridge = pass ? 0.3 : 0.0;
        gk_status st = gk_kernel_regression(K, y, n, ridge, coef, &err);
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        memcpy(LU, K, sizeof LU);
        for (size_t i = 0; i < n; i++) LU[i * n + i] += ridge;
        memcpy(ref, y, sizeof ref);
        GK_CHECK(LAPACKE_dgesv(LAPACK_ROW_MAJOR, n, 1, LU, n, piv, ref, 1) == 0);
        for (size_t i = 0; i < n; i++) GK_CHECK_CLOSE(coef[i], ref[i], 1e-10, 1e-9);
    }
    /* Rank-deficient linear kernel (d < n) with y = X w0: the interpolant's weight X^T coef is w0. */
    double X[n * d], w0[d], Kl[n * n], yl[n], wr[d];
    for (size_t i = 0; i < n * d; i++) X[i] = gk_rng_normal(&r);
    for (size_t k = 0; k < d; k++) w0[k] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) {
        yl[i] = gk_dot(X + i * d, w0, d);
        for (size_t j = 0; j < n; j++) Kl[i * n + j] = gk_dot(X + i * d, X + j * d, d);
    }
    gk_status st = gk_kernel_regression(Kl, yl, n, 0.0, coef, &err);
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    for (size_t k = 0; k < d; k++) {
        wr[k] = 0;
        for (size_t i = 0; i < n; i++) wr[k] += X[i * d + k] * coef[i];
        GK_CHECK_CLOSE(wr[k], w0[k], 1e-8, 1e-8);
    }
    double fit[n];
    gk_kernel_predict(Kl, n, n, coef, fit);
    for (size_t i = 0; i < n; i++) GK_CHECK_CLOSE(fit[i], yl[i], 1e-8, 1e-8);
    /* min norm: coef lies in the range of K, i.e. coef = X v; then coef^T K coef = ||w0||^2 */
    GK_CHECK_CLOSE(gk_dot(coef, fit, n), gk_dot(w0, w0, d), 1e-8, 1e-8);
    GK_CHECK(gk_kernel_regression(Kl, yl, n, -1.0, coef, &err) == GK_EINVAL);
}

/* ---- matrix completion ------------------------------------------------------------------------------- */

static void test_zero_fill(void) {
    size_t rows[] = {0, 2, 3}, cols[] = {1, 2, 0};
    double vals[] = {2.0, 3.0, -1.0}, W[16];
    gk_zero_fill(rows, cols, vals, 3, 4, W);
    double want[16] = {0, 2, 0, -1, 2, 0, 0, 0, 0, 0, 3, 0, -1, 0, 0, 0};
    for (int i = 0; i < 16; i++) GK_CHECK(W[i] == want[i]);
}

static void test_nuclear_norm(void) {
    double W[9] = {3, 0, 0, 0, -2, 0, 0, 0, 1};
    gk_error err = {{0}};
    GK_CHECK_CLOSE(gk_nuclear_norm(W, 3, &err), 6.0, 1e-12, 0);
    double R[4] = {1, 2, 2, 4}; /* rank 1: (1,2)(1,2)^T, norm 5 */
    GK_CHECK_CLOSE(gk_nuclear_norm(R, 2, &err), 5.0, 1e-12, 0);
    double N[4] = {0, 1, 0, 0}; /* not symmetric: singular values 1, 0 */
    GK_CHECK_CLOSE(gk_nuclear_norm(N, 2, &err), 1.0, 1e-12, 0);
}

/* Rank-1 multiplication table X*_ij = i j / d^2. With a fraction `frac` of the d^2 entries observed (chosen
 * as the paper's code does: a random permutation of all d^2 positions). */
static void completion_case(size_t d, double frac, uint64_t seed, double tol, double want_err) {
    size_t dd = d * d, nobs = (size_t)(frac * (double)dd);
    size_t *perm = malloc(dd * sizeof *perm), *rows = malloc(nobs * sizeof *rows), *cols = malloc(nobs * sizeof *cols);
    double *vals = malloc(nobs * sizeof *vals), *W = malloc(dd * sizeof *W), *M = malloc(dd * sizeof *M);
    for (size_t i = 0; i < dd; i++) perm[i] = i;
    gk_rng r;
    gk_rng_seed(&r, seed, 0);
    gk_rng_shuffle(&r, perm, dd);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) M[i * d + j] = (double)(i * j) / (double)dd;
    for (size_t t = 0; t < nobs; t++) rows[t] = perm[t] / d, cols[t] = perm[t] % d, vals[t] = M[perm[t]];
    gk_error err = {{0}};
    double res = -1, t0 = now_s();
    gk_status st = gk_min_nuclear_completion(rows, cols, vals, nobs, d, tol, 20000, W, &res, &err);
    double el = now_s() - t0;
    GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
    GK_CHECK(res <= tol);
    double rel = gk_dist2(W, M, dd) / gk_norm2(M, dd);
    double nW = gk_nuclear_norm(W, d, &err), nM = gk_nuclear_norm(M, d, &err);
    fprintf(stderr, "  d=%zu, %zu observed (%.0f%%): %.3f s, residual %.2e, relative error %.2e, ||W||_* %.8f "
                    "vs ||M||_* %.8f\n",
            d, nobs, 100 * frac, el, res, rel, nW, nM);
    GK_CHECK_MSG(rel < want_err, "relative error %g", rel);
    GK_CHECK(nW <= nM * (1 + 10 * tol)); /* M is feasible, so the minimum is no larger */
    /* the zero-fill predictor fits the observed entries exactly and is far from M */
    gk_zero_fill(rows, cols, vals, nobs, d, W);
    for (size_t t = 0; t < nobs; t++) GK_CHECK(W[rows[t] * d + cols[t]] == vals[t] && W[cols[t] * d + rows[t]] == vals[t]);
    GK_CHECK(gk_dist2(W, M, dd) / gk_norm2(M, dd) > 0.3);
    free(perm), free(rows), free(cols), free(vals), free(W), free(M);
}

static void test_nuclear_completion(void) {
    completion_case(30, 0.30, 11, 1e-6, 1e-2);
    completion_case(97, 0.05, 12, 1e-6, 1e-2); /* the paper's setting (Sec. 1.4): d = 97, 5% observed */
    /* nothing observed: W = 0 */
    double W[4] = {1, 1, 1, 1}, res = -1;
    gk_error err = {{0}};
    GK_CHECK(gk_min_nuclear_completion(NULL, NULL, NULL, 0, 2, 1e-6, 10, W, &res, &err) == GK_OK);
    GK_CHECK(W[0] == 0 && W[3] == 0 && res == 0);
    size_t rr = 5, cc = 0;
    double v = 1;
    GK_CHECK(gk_min_nuclear_completion(&rr, &cc, &v, 1, 2, 1e-6, 10, W, &res, &err) == GK_EINVAL);
    /* max_iter too small: fails with a message, residual filled */
    size_t r2[] = {0, 1}, c2[] = {1, 1};
    double v2[] = {1, 2}, W3[9];
    GK_CHECK(gk_min_nuclear_completion(r2, c2, v2, 2, 3, 1e-12, 2, W3, &res, &err) == GK_EFAILED);
    GK_CHECK(strstr(err.msg, "not converged") != NULL);
}

/* ---- NTK: a diagonal linear net f = <u*u - v*v, x> on dense rows ----------------------------------- */

typedef struct {
    size_t d;
} diag_impl;

static gk_status diag_forward(gk_model *m, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    size_t d = ((diag_impl *)m->impl)->d;
    const double *X = in, *u = theta, *v = theta + d;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < d; k++) s += (u[k] * u[k] - v[k] * v[k]) * X[i * d + k];
        out[i] = s;
    }
    return GK_OK;
}

static void diag_backward(gk_model *m, const double *theta, const void *in, size_t n, const double *dout,
                          double *grad) {
    size_t d = ((diag_impl *)m->impl)->d;
    const double *X = in, *u = theta, *v = theta + d;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) {
            grad[k] += dout[i] * 2 * u[k] * X[i * d + k];
            grad[d + k] -= dout[i] * 2 * v[k] * X[i * d + k];
        }
}

static const gk_model_ops diag_ops = {.name = "diag-test", .forward = diag_forward, .backward = diag_backward};

static void test_ntk(void) {
    enum { d = 16, na = 7, nb = 5 };
    diag_impl impl = {d};
    gk_model m;
    memset(&m, 0, sizeof m);
    m.ops = &diag_ops;
    m.n_out = 1;
    m.impl = &impl;
    gk_param_table_add(&m.params, "u", d, 1);
    gk_param_table_add(&m.params, "v", d, 1);
    gk_rng r;
    gk_rng_seed(&r, 6, 0);
    double A[na * d], B[nb * d], theta[2 * d], K[na * na], Kab[na * nb], Kc[na * nb];
    for (size_t i = 0; i < na * d; i++) A[i] = rademacher(&r);
    for (size_t i = 0; i < nb * d; i++) B[i] = gk_rng_normal(&r);
    /* at u = v = alpha / sqrt(2d): K(x, x') = 8 alpha^2 / (2d) <x, x'> */
    double alpha = 3.0;
    for (size_t k = 0; k < 2 * d; k++) theta[k] = alpha / sqrt(2.0 * d);
    gk_error err = {{0}};
    GK_CHECK(gk_ntk_gram(&m, theta, A, na, A, na, K, &err) == GK_OK);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < na; j++)
            GK_CHECK_CLOSE(K[i * na + j], 8 * alpha * alpha / (2.0 * d) * gk_dot(A + i * d, A + j * d, d), 1e-12, 1e-12);
    GK_CHECK(gk_ntk_gram(&m, theta, A, na, B, nb, Kab, &err) == GK_OK);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            GK_CHECK_CLOSE(Kab[i * nb + j], 8 * alpha * alpha / (2.0 * d) * gk_dot(A + i * d, B + j * d, d), 1e-12,
                           1e-12);

    /* random theta: against central finite differences of the model output */
    for (size_t k = 0; k < 2 * d; k++) theta[k] = gk_rng_normal(&r);
    GK_CHECK(gk_ntk_gram(&m, theta, A, na, B, nb, Kab, &err) == GK_OK);
    double ga[na][2 * d], gb[nb][2 * d], tp[2 * d], fp[na > nb ? na : nb], fm[na > nb ? na : nb], h = 1e-6;
    for (size_t p = 0; p < 2 * d; p++) {
        memcpy(tp, theta, sizeof tp);
        tp[p] = theta[p] + h;
        diag_forward(&m, tp, A, na, fp, &err);
        tp[p] = theta[p] - h;
        diag_forward(&m, tp, A, na, fm, &err);
        for (size_t i = 0; i < na; i++) ga[i][p] = (fp[i] - fm[i]) / (2 * h);
        tp[p] = theta[p] + h;
        diag_forward(&m, tp, B, nb, fp, &err);
        tp[p] = theta[p] - h;
        diag_forward(&m, tp, B, nb, fm, &err);
        for (size_t j = 0; j < nb; j++) gb[j][p] = (fp[j] - fm[j]) / (2 * h);
    }
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++) GK_CHECK_CLOSE(Kab[i * nb + j], gk_dot(ga[i], gb[j], 2 * d), 1e-6, 1e-6);

    /* the chunked path (2 rows per chunk) gives the same matrix, for a != b and for a == b */
    GK_CHECK(gk_ntk_gram_chunked(&m, theta, A, na, B, nb, 2, Kc, &err) == GK_OK);
    for (size_t i = 0; i < na * nb; i++) GK_CHECK_CLOSE(Kc[i], Kab[i], 1e-12, 1e-12);
    double Kaa[na * na];
    GK_CHECK(gk_ntk_gram(&m, theta, A, na, A, na, K, &err) == GK_OK);
    GK_CHECK(gk_ntk_gram_chunked(&m, theta, A, na, A, na, 3, Kaa, &err) == GK_OK);
    for (size_t i = 0; i < na * na; i++) GK_CHECK_CLOSE(Kaa[i], K[i], 1e-12, 1e-12);
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < na; j++) GK_CHECK_CLOSE(K[i * na + j], gk_dot(ga[i], ga[j], 2 * d), 1e-6, 1e-6);

    m.n_out = 3;
    GK_CHECK(gk_ntk_gram(&m, theta, A, na, A, na, K, &err) == GK_EINVAL);
}

/* ---- solve times (printed, not asserted) ------------------------------------------------------------- */

/* Sec. 1.2 data: x uniform on {+-1}^d, y = sign(x1 + x2 + x3). */
static void sparse_data(size_t n, size_t d, uint64_t seed, double *X, double *y) {
    gk_rng r;
    gk_rng_seed(&r, seed, 0);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < d; k++) X[i * d + k] = rademacher(&r);
        y[i] = X[i * d] + X[i * d + 1] + X[i * d + 2] > 0 ? 1.0 : -1.0;
    }
}

static void test_timing(void) {
    gk_error err = {{0}};
    {
        size_t n = 256, d = 10000;
        double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), *w = malloc(d * sizeof *w), margin = 0;
        sparse_data(n, d, 7, X, y);
        double t0 = now_s();
        gk_status st = gk_l1_margin(X, y, n, d, w, &margin, &err);
        double el = now_s() - t0;
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        size_t nnz = 0;
        for (size_t k = 0; k < d; k++) nnz += w[k] != 0;
        fprintf(stderr, "  L1 LP d=%zu n=%zu: %.3f s, margin %.6f, nnz %zu, w[0..2] = %.4f %.4f %.4f\n", d, n, el,
                margin, nnz, w[0], w[1], w[2]);
        t0 = now_s();
        st = gk_l2_margin(X, y, n, d, w, &margin, &err);
        el = now_s() - t0;
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        fprintf(stderr, "  L2 SVM d=%zu n=%zu: %.3f s, margin %.6f, w[0..2] = %.4f %.4f %.4f\n", d, n, el, margin,
                w[0], w[1], w[2]);
        free(X), free(y), free(w);
    }
    {
        size_t n = 128, d = 1000;
        double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), *w = malloc(d * sizeof *w), margin = 0;
        sparse_data(n, d, 8, X, y);
        double t0 = now_s();
        gk_status st = gk_l2_margin(X, y, n, d, w, &margin, &err);
        double el = now_s() - t0;
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        fprintf(stderr, "  L2 SVM d=%zu n=%zu: %.3f s, margin %.6f\n", d, n, el, margin);
        free(X), free(y), free(w);
    }
    if (!getenv("GK_THEORY_SKIP_LARGE")) { /* the paper's size (Sec. 1.2): d = 1e5, n = 256 */
        size_t n = 256, d = 100000;
        double *X = malloc(n * d * sizeof *X), *y = malloc(n * sizeof *y), *w = malloc(d * sizeof *w), margin = 0;
        sparse_data(n, d, 9, X, y);
        double t0 = now_s();
        gk_status st = gk_l2_margin(X, y, n, d, w, &margin, &err);
        double el = now_s() - t0;
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        fprintf(stderr, "  L2 SVM d=%zu n=%zu: %.3f s, margin %.6f\n", d, n, el, margin);
        t0 = now_s();
        st = gk_l1_margin(X, y, n, d, w, &margin, &err);
        el = now_s() - t0;
        GK_CHECK_MSG(st == GK_OK, "%s", err.msg);
        fprintf(stderr, "  L1 LP d=%zu n=%zu: %.3f s, margin %.6f, w[0..2] = %.4f %.4f %.4f\n", d, n, el, margin,
                w[0], w[1], w[2]);
        free(X), free(y), free(w);
    }
}

int main(void) {
    GK_RUN(test_times);
    GK_RUN(test_l2_axis);
    GK_RUN(test_l2_2d);
    GK_RUN(test_l1_single_coordinate);
    GK_RUN(test_l1_random);
    GK_RUN(test_not_separable);
    GK_RUN(test_svm_hard_cases);
    GK_RUN(test_kernel_svm_linear);
    GK_RUN(test_kernel_regression);
    GK_RUN(test_zero_fill);
    GK_RUN(test_nuclear_norm);
    GK_RUN(test_nuclear_completion);
    GK_RUN(test_ntk);
    GK_RUN(test_timing);
    return gk_test_summary();
}
