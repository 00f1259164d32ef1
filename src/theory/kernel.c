/* kernel.c: predictors on a precomputed kernel.
 *
 * Hard-margin SVM without bias (libsvm C-SVC, precomputed kernel). libsvm always fits a bias b, so the train
 * set is symmetrised: (x_i, y_i) and (-x_i, -y_i), i.e. the 2n x 2n kernel [[K, -K], [-K, K]] with labels
 * [y, -y]. Its constraints y_i (f(x_i) + b) >= 1 and y_i (f(x_i) - b) >= 1 give y_i f(x_i) >= 1 + |b|, so the
 * hard-margin optimum has b = 0 and its f is the no-bias max-margin classifier of the original set. The
 * mirrored sample n+i contributes -K(x_i, .), hence coef_i = c_i - c_{n+i} in terms of libsvm's y_j alpha_j.
 * C grows geometrically until the soft-margin fit has no alpha at the bound (then it is the hard-margin fit) or
 * a dual certificate shows the margin is below the resolution (then: not separable). libsvm's float kernel cache
 * limits its solution to ~1e-6; a final double-precision solve on its support set polishes it to ~1e-14 when
 * that is provably no worse (see svm_polish).
 *
 * Min-norm kernel interpolant: an eigendecomposition (LAPACKE_dsyevd) with a relative cutoff for the
 * pseudo-inverse, or a Cholesky solve when ridge > 0.
 */
#include "theory/theory.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>

/* libsvm prints progress through a global hook; the library never prints. */
static void gk_svm_quiet(const char *s) { (void)s; }

/* Box constraints of the dual, tried in turn on the kernel scaled to max K_ii = 1 (so margins are relative to
 * R = max ||phi(x_i)||). A soft-margin solution with no alpha at the bound is the hard-margin solution; if the
 * data are separable with margin gamma, the hard-margin dual has max alpha_i <= sum alpha_i = 1/gamma^2, so
 * C >= 1/gamma^2 always reaches it. Small C first: libsvm is fast there, and on non-separable data its run time
 * grows with C (and at its iteration cap it prints a warning), so the certificate below stops early. */
static const double gk_svm_cs[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7};
#define GK_SVM_NC (sizeof gk_svm_cs / sizeof gk_svm_cs[0])
/* Margins below this (relative to R) are reported as not separable: any lambda in the simplex bounds the max
 * margin by ||sum_i lambda_i y_i phi(x_i)||, and lambda = alpha / sum(alpha) of a soft-margin solution makes the
 * bound tend to 0 as C grows on non-separable data. 1/sqrt(1e7) = 3.2e-4 is what the largest C resolves. */
#define GK_SVM_MIN_MARGIN 3.2e-4
/* libsvm's stopping tolerance on the dual gradient (canonical scale, margin 1). libsvm caches the kernel in
 * single precision: on degenerate problems (many points exactly on the margin) 1e-7 already fails to converge
 * and runs into libsvm's iteration cap (which prints a warning to stderr); 1e-6 does not. The polishing step
 * below recovers double precision when it can. */
#define GK_SVM_EPS 1e-6
/* Every train point must reach y_i f(x_i) >= (1 - GK_SVM_SLACK) in the canonical scale (margin 1). */
#define GK_SVM_SLACK 1e-3
/* Eigenvalues below this fraction of the largest |eigenvalue| are dropped from the pseudo-inverse. */
#define GK_PINV_RCOND 1e-12

static gk_status check_labels(const double *y, size_t n, const char *who, gk_error *err) {
    for (size_t i = 0; i < n; i++)
        if (y[i] != 1.0 && y[i] != -1.0)
            return gk_fail(err, GK_EINVAL, "%s: label y[%zu] = %g is not +1 or -1", who, i, y[i]);
    return GK_OK;
}

/* coef = (K + ridge I)^+ y by eigendecomposition with a relative cutoff. */
static gk_status pinv_solve(const double *K, const double *y, size_t n, double ridge, double *coef, gk_error *err) {
    double *A = malloc(n * n * sizeof *A), *ev = malloc(n * sizeof *ev), *t = malloc(n * sizeof *t);
    if (!A || !ev || !t) {
        free(A), free(ev), free(t);
        return gk_fail(err, GK_ENOMEM, "kernel regression: out of memory for a %zu x %zu kernel", n, n);
    }
    memcpy(A, K, n * n * sizeof *A);
    for (size_t i = 0; i < n; i++) A[i * n + i] += ridge;
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, A, (lapack_int)n, ev);
    if (info != 0) {
        free(A), free(ev), free(t);
        return gk_fail(err, GK_EFAILED, "kernel regression: LAPACKE_dsyevd failed (info = %d)", (int)info);
    }
    double emax = 0;
    for (size_t i = 0; i < n; i++) emax = fmax(emax, fabs(ev[i]));
    double cut = GK_PINV_RCOND * emax;
    /* t = V^T y, scaled by 1/lambda on the kept eigenvalues; coef = V t. Columns of A are eigenvectors. */
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)n, 1.0, A, (int)n, y, 1, 0.0, t, 1);
    for (size_t i = 0; i < n; i++) t[i] = fabs(ev[i]) > cut ? t[i] / ev[i] : 0.0;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, A, (int)n, t, 1, 0.0, coef, 1);
    free(A), free(ev), free(t);
    return GK_OK;
}

/* Polishing: libsvm's SMO works on a single-precision kernel, so its solution is accurate to ~1e-6. Given its
 * support set S, the exact hard-margin solution (if S is right) interpolates y on S: solve K_SS c = y_S in double
 * precision. The polished coef replaces libsvm's only if it is feasible (y_j f_j >= 1 - 1e-9 for every train
 * point) and its RKHS norm is no larger than that of libsvm's solution rescaled to feasibility; since the optimum
 * is the minimum-norm feasible point, ||w' - w*||^2 <= ||w'||^2 - ||w*||^2, so it is never a worse answer.
 * Returns 1 if coef was replaced. */
static int svm_polish(const double *K, const double *y, size_t n, double *coef, double norm2_feasible) {
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) ns += y[i] * coef[i] > 0;
    if (ns == 0) return 0;
    size_t *S = malloc(ns * sizeof *S);
    double *KS = malloc(ns * ns * sizeof *KS), *yS = malloc(ns * sizeof *yS), *cS = malloc(ns * sizeof *cS);
    double *c = calloc(n, sizeof *c), *f = malloc(n * sizeof *f);
    int ok = 0;
    if (!S || !KS || !yS || !cS || !c || !f) goto out;
    ns = 0;
    for (size_t i = 0; i < n; i++)
        if (y[i] * coef[i] > 0) S[ns++] = i;
    for (size_t a = 0; a < ns; a++) {
        yS[a] = y[S[a]];
        for (size_t b = 0; b < ns; b++) KS[a * ns + b] = K[S[a] * n + S[b]];
    }
    gk_error e;
    if (pinv_solve(KS, yS, ns, 0.0, cS, &e) != GK_OK) goto out;
    for (size_t a = 0; a < ns; a++) c[S[a]] = cS[a];
    gk_kernel_predict(K, n, n, c, f);
    double ymin = INFINITY, norm2 = 0;
    for (size_t i = 0; i < n; i++) {
        ymin = fmin(ymin, y[i] * f[i]);
        norm2 += c[i] * f[i];
    }
    if (ymin >= 1 - 1e-9 && norm2 > 0 && norm2 <= norm2_feasible) {
        memcpy(coef, c, n * sizeof *coef);
        ok = 1;
    }
out:
    free(S), free(KS), free(yS), free(cS), free(c), free(f);
    return ok;
}

/* The kernel SVM's input: labels +-1, K finite, every K_ii > 0. *s = max K_ii (the scale of the problem). */
static gk_status svm_check_kernel(const double *K, const double *y, size_t n, double *s, gk_error *err) {
    gk_status st = check_labels(y, n, "kernel SVM", err);
    if (st != GK_OK) return st;
    if (n > 5000) /* libsvm needs the dense 2n x 2n kernel as svm_nodes: 16 (2n)^2 bytes */
        return gk_fail(err, GK_EINVAL, "kernel SVM: n = %zu train points is too many (at most 5000)", n);
    *s = 0;
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(K[i])) return gk_fail(err, GK_ENONFINITE, "kernel SVM: K[%zu][%zu] is not finite", i / n, i % n);
    for (size_t i = 0; i < n; i++) {
        if (!(K[i * n + i] > 0))
            return gk_fail(err, GK_EUNAVAILABLE,
                           "kernel SVM: not separable: K[%zu][%zu] = %g, a zero feature vector has margin 0", i, i,
                           K[i * n + i]);
        if (K[i * n + i] > *s) *s = K[i * n + i];
    }
    return GK_OK;
}

/* The symmetrised problem on the scaled kernel K / s, as libsvm's precomputed-kernel rows: 2n points (x_j, y_j)
 * and (-x_j, -y_j), so the separator through the origin is the SVM's without bias. Row j: node 0 = serial j+1,
 * node t (1..2n) = K(j, t-1). */
typedef struct svm_sym {
    struct svm_node *nodes, **x;
    double *lab;
    int *svi;
    struct svm_problem prob;
} svm_sym;

static void svm_sym_free(svm_sym *p) { free(p->nodes), free(p->x), free(p->lab), free(p->svi); }

static int svm_sym_build(svm_sym *p, const double *K, const double *y, size_t n, double s) {
    size_t m = 2 * n, row = m + 2;
    p->nodes = malloc(m * row * sizeof *p->nodes);
    p->x = malloc(m * sizeof *p->x);
    p->lab = malloc(m * sizeof *p->lab);
    p->svi = malloc(m * sizeof *p->svi);
    if (!p->nodes || !p->x || !p->lab || !p->svi) return 0;
    for (size_t j = 0; j < m; j++) {
        struct svm_node *r = p->nodes + j * row;
        size_t jj = j % n;
        double sj = j < n ? 1.0 : -1.0;
        r[0].index = 0;
        r[0].value = (double)(j + 1);
        for (size_t t = 0; t < m; t++) {
            double st_ = t < n ? 1.0 : -1.0;
            r[t + 1].index = (int)(t + 1);
            r[t + 1].value = sj * st_ * K[jj * n + t % n] / s;
        }
        r[m + 1].index = -1;
        r[m + 1].value = 0;
        p->x[j] = r;
        p->lab[j] = sj * y[jj];
    }
    p->prob = (struct svm_problem){.l = (int)m, .y = p->lab, .x = p->x};
    return 1;
}

/* One soft-margin stage at cost C: coef (on the scaled kernel) from libsvm's dual; *at_bound when a dual
 * variable sits at C (the hard margin was not reached). */
static gk_status svm_stage(svm_sym *p, size_t n, double C, double *coef, int *at_bound, gk_error *err) {
    struct svm_parameter par;
    memset(&par, 0, sizeof par);
    par.svm_type = C_SVC;
    par.kernel_type = PRECOMPUTED;
    par.cache_size = 100;
    par.eps = GK_SVM_EPS;
    par.C = C;
    par.shrinking = 1;
    par.probability = 0;
    par.nr_weight = 0;
    const char *bad = svm_check_parameter(&p->prob, &par);
    if (bad) return gk_fail(err, GK_EFAILED, "kernel SVM: libsvm rejected the problem: %s", bad);
    struct svm_model *model = svm_train(&p->prob, &par);
    if (!model) return gk_fail(err, GK_EFAILED, "kernel SVM: libsvm returned no model");
    int labels[2] = {0, 0};
    svm_get_labels(model, labels);
    double sgn = labels[0] == 1 ? 1.0 : -1.0; /* decision values are positive for labels[0] */
    int nsv = svm_get_nr_sv(model);
    svm_get_sv_indices(model, p->svi);
    memset(coef, 0, n * sizeof *coef);
    *at_bound = 0;
    for (int k = 0; k < nsv; k++) {
        size_t j = (size_t)p->svi[k] - 1;
        double c = sgn * model->sv_coef[0][k]; /* y_j alpha_j, on the scaled kernel */
        if (fabs(c) >= par.C * (1 - 1e-9)) *at_bound = 1;
        if (j < n)
            coef[j] += c;
        else
            coef[j - n] -= c;
    }
    svm_free_and_destroy_model(&model);
    return GK_OK;
}

/* The hard-margin coefficients on the scaled kernel by soft-margin stages of growing C (gk_svm_cs), until no
 * dual variable is at its bound and every margin is >= 1 - slack, or a certificate shows the margin is below
 * the resolution. f is scratch (n); *ymin, *imin, *norm2 and *bound describe the last stage. */
static gk_status svm_hard_margin(svm_sym *p, const double *K, const double *y, size_t n, double s, double *coef,
                                 double *f, int *hard, double *ymin, size_t *imin, double *norm2, double *bound,
                                 gk_error *err) {
    *hard = 0, *ymin = -INFINITY, *norm2 = 0, *bound = INFINITY, *imin = 0;
    for (size_t stage = 0; stage < GK_SVM_NC && !*hard; stage++) {
        int at_bound = 0;
        gk_status st = svm_stage(p, n, gk_svm_cs[stage], coef, &at_bound, err);
        if (st != GK_OK) return st;
        /* on the scaled kernel: f = (K/s) coef */
        double asum = 0;
        *ymin = INFINITY, *norm2 = 0;
        for (size_t i = 0; i < n; i++) {
            f[i] = gk_dot(K + i * n, coef, n) / s;
            if (y[i] * f[i] < *ymin) *ymin = y[i] * f[i], *imin = i;
            *norm2 += coef[i] * f[i];
            asum += y[i] * coef[i];
        }
        *hard = !at_bound && *ymin >= 1 - GK_SVM_SLACK && *norm2 > 0;
        if (!*hard && asum > 0) { /* certificate: max margin <= ||w_alpha|| / sum(alpha), relative to R */
            *bound = sqrt(fmax(*norm2, 0.0)) / asum;
            if (*bound <= GK_SVM_MIN_MARGIN) break;
        }
    }
    return GK_OK;
}

gk_status gk_kernel_svm(const double *K, const double *y, size_t n, double *coef, gk_error *err) {
    GK_ASSERT(K && y && coef && n > 0);
    double s = 0;
    gk_status st = svm_check_kernel(K, y, n, &s, err);
    if (st != GK_OK) return st;
    svm_sym prob = {0};
    double *f = malloc(n * sizeof *f);
    if (!f || !svm_sym_build(&prob, K, y, n, s)) {
        svm_sym_free(&prob), free(f);
        return gk_fail(err, GK_ENOMEM, "kernel SVM: out of memory for %zu x %zu kernel", 2 * n, 2 * n);
    }
    svm_set_print_string_function(gk_svm_quiet);
    int hard;
    double ymin, norm2, bound;
    size_t imin;
    st = svm_hard_margin(&prob, K, y, n, s, coef, f, &hard, &ymin, &imin, &norm2, &bound, err);
    svm_sym_free(&prob);
    if (st == GK_OK && !hard)
        st = gk_fail(err, GK_EUNAVAILABLE,
                     "kernel SVM: not separable without bias: the max margin is at most %.3g (relative to max "
                     "sqrt(K_ii); %.1e is the resolution); the soft-margin fit leaves y f(x) = %.4g < 1 at train point "
                     "%zu",
                     fmin(bound, 1 / sqrt(gk_svm_cs[GK_SVM_NC - 1])), GK_SVM_MIN_MARGIN, ymin, imin);
    if (st != GK_OK) {
        free(f);
        return st;
    }
    for (size_t i = 0; i < n; i++) coef[i] /= s; /* back to the caller's kernel: f = K coef */
    if (svm_polish(K, y, n, coef, norm2 / s / (ymin * ymin))) {
        norm2 = 0;
        gk_kernel_predict(K, n, n, coef, f);
        for (size_t i = 0; i < n; i++) norm2 += coef[i] * f[i];
    } else {
        norm2 /= s;
    }
    free(f);
    double scale = 1 / sqrt(norm2); /* unit RKHS norm: scores are geometric margins */
    for (size_t i = 0; i < n; i++) coef[i] *= scale;
    return GK_OK;
}

void gk_kernel_predict(const double *Kx, size_t m, size_t n, const double *coef, double *scores) {
    GK_ASSERT(Kx && coef && scores);
    for (size_t i = 0; i < m; i++) scores[i] = gk_dot(Kx + i * n, coef, n);
}

gk_status gk_kernel_regression(const double *K, const double *y, size_t n, double ridge, double *coef,
                               gk_error *err) {
    GK_ASSERT(K && y && coef && n > 0);
    if (!(ridge >= 0) || !isfinite(ridge))
        return gk_fail(err, GK_EINVAL, "kernel regression: ridge = %g must be finite and >= 0", ridge);
    for (size_t i = 0; i < n * n; i++)
        if (!isfinite(K[i]))
            return gk_fail(err, GK_ENONFINITE, "kernel regression: K[%zu][%zu] is not finite", i / n, i % n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i])) return gk_fail(err, GK_ENONFINITE, "kernel regression: y[%zu] is not finite", i);
    if (ridge > 0) {
        double *A = malloc(n * n * sizeof *A);
        if (!A) return gk_fail(err, GK_ENOMEM, "kernel regression: out of memory for a %zu x %zu kernel", n, n);
        memcpy(A, K, n * n * sizeof *A);
        for (size_t i = 0; i < n; i++) A[i * n + i] += ridge;
        memcpy(coef, y, n * sizeof *coef);
        lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, 1, A, (lapack_int)n, coef, 1);
        free(A);
        if (info == 0) return GK_OK;
        if (info < 0) return gk_fail(err, GK_EFAILED, "kernel regression: LAPACKE_dposv failed (info = %d)", (int)info);
        /* K + ridge I not positive definite (K not PSD): fall back to the pseudo-inverse. */
    }
    return pinv_solve(K, y, n, ridge, coef, err);
}

/* Kc_ij = K_ij - rowmean_i - rowmean_j + mean (K symmetric), and y^T Kc y = y^T K y for a centred y. */
double gk_kernel_alignment(const double *K, const double *y, size_t n) {
    double *rm = malloc(n * sizeof *rm);
    if (!rm) return NAN;
    double all = 0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < n; j++) s += K[i * n + j];
        rm[i] = s / (double)n;
        all += s;
    }
    all /= (double)n * (double)n;
    double fro = 0, top = 0, y2 = 0;
    for (size_t i = 0; i < n; i++) {
        double t = 0;
        for (size_t j = 0; j < n; j++) {
            double c = K[i * n + j] - rm[i] - rm[j] + all; /* K symmetric: column mean = row mean */
            fro += c * c;
            t += K[i * n + j] * y[j];
        }
        top += y[i] * t;
        y2 += y[i] * y[i];
    }
    free(rm);
    return fro > 0 && y2 > 0 ? top / (sqrt(fro) * y2) : NAN;
}
