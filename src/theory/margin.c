/* margin.c: linear max-margin classifiers through the origin.
 *
 * L2: the Gram matrix X X^T goes to the no-bias kernel SVM (kernel.c, libsvm); w = X^T coef, unit L2 norm.
 *
 * L1: the linear program  max gamma  s.t.  y_i <w+ - w-, x_i> >= gamma,  sum(w+ + w-) <= 1,  w+-  >= 0,
 * solved by GLPK with column generation over coordinates, so that d = 1e5 stays small: a restricted LP on a
 * working set S of coordinates gives a margin gamma_S (a lower bound on the optimum) and dual weights
 * lambda >= 0, sum lambda = 1 on the margin rows. Any such lambda gives the upper bound
 * max_k |g_k| with g = X^T (y . lambda) (LP duality: gamma* = min_lambda ||X^T (y . lambda)||_inf), so when
 * no coordinate outside S has |g_k| above gamma_S the restricted solution is optimal for the full problem;
 * otherwise the most violating coordinates join S and the LP is re-solved from the previous basis.
 */
#include "theory/theory.h"

#include <cblas.h>
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static gk_status check_inputs(const double *X, const double *y, size_t n, size_t d, const char *who,
                              gk_error *err) {
    for (size_t i = 0; i < n; i++)
        if (y[i] != 1.0 && y[i] != -1.0)
            return gk_fail(err, GK_EINVAL, "%s: label y[%zu] = %g is not +1 or -1", who, i, y[i]);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(X[i])) return gk_fail(err, GK_ENONFINITE, "%s: X[%zu][%zu] is not finite", who, i / d, i % d);
    return GK_OK;
}

/* min_i y_i <w, x_i> */
static double min_margin(const double *X, const double *y, size_t n, size_t d, const double *w) {
    double m = INFINITY;
    for (size_t i = 0; i < n; i++) m = fmin(m, y[i] * gk_dot(X + i * d, w, d));
    return m;
}

gk_status gk_l2_margin(const double *X, const double *y, size_t n, size_t d, double *w, double *margin,
                       gk_error *err) {
    GK_ASSERT(X && y && w && margin && n > 0 && d > 0);
    gk_status st = check_inputs(X, y, n, d, "L2 margin", err);
    if (st != GK_OK) return st;
    double *K = malloc(n * n * sizeof *K), *coef = malloc(n * sizeof *coef);
    if (!K || !coef) {
        free(K), free(coef);
        return gk_fail(err, GK_ENOMEM, "L2 margin: out of memory for the %zu x %zu Gram matrix", n, n);
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0, X, (int)d, 0.0, K, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) K[i * n + j] = K[j * n + i];
    gk_error e2;
    st = gk_kernel_svm(K, y, n, coef, &e2);
    free(K);
    if (st != GK_OK) {
        free(coef);
        return gk_fail(err, st, "L2 margin: %s", e2.msg);
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, X, (int)d, coef, 1, 0.0, w, 1);
    free(coef);
    double nw = gk_norm2(w, d);
    if (!(nw > 0)) return gk_fail(err, GK_EUNAVAILABLE, "L2 margin: not linearly separable (w = 0)");
    for (size_t k = 0; k < d; k++) w[k] /= nw;
    *margin = min_margin(X, y, n, d, w);
    if (!(*margin > 0))
        return gk_fail(err, GK_EUNAVAILABLE, "L2 margin: not linearly separable through the origin (margin %g)",
                       *margin);
    return GK_OK;
}

/* ---- L1 ----------------------------------------------------------------------------------------------- */

#define GK_L1_SEPARABLE_TOL 1e-9 /* gamma below this (on X scaled to max |x| = 1) means not separable */
#define GK_L1_PRICE_RTOL 1e-7    /* a coordinate enters S if |g_k| > gamma_S (1 + rtol) + atol */
#define GK_L1_PRICE_ATOL 1e-12
#define GK_L1_GAP_TOL 1e-5       /* final relative duality gap accepted */
#define GK_L1_DUST 1e-12         /* |w_k| below this (LP scale: ||w||_1 <= 1) is rounding dust */

typedef struct {
    double v;
    size_t k;
} scored;

static int by_score_desc(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? 1 : -1;
    return x->k < y->k ? -1 : (x->k > y->k); /* deterministic ties */
}

/* g = X^T (y . lambda) */
static void dual_scores(const double *X, const double *y, size_t n, size_t d, const double *lambda, double *yl,
                        double *g) {
    for (size_t i = 0; i < n; i++) yl[i] = y[i] * lambda[i];
    cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)d, 1.0, X, (int)d, yl, 1, 0.0, g, 1);
}

/* Adds the columns w+_k and w-_k for coordinate k (entries y_i x_ik / xmax, and 1 in the L1 row). */
static void add_coordinate(glp_prob *P, const double *X, const double *y, size_t n, size_t d, size_t k,
                           double xmax, int *ind, double *val) {
    int j = glp_add_cols(P, 2);
    for (int s = 0; s < 2; s++) {
        int len = 0;
        double sg = s == 0 ? 1.0 : -1.0;
        for (size_t i = 0; i < n; i++) {
            double a = X[i * d + k];
            if (a != 0) {
                len++;
                ind[len] = (int)i + 1;
                val[len] = sg * y[i] * a / xmax;
            }
        }
        len++;
        ind[len] = (int)n + 1;
        val[len] = 1.0;
        glp_set_col_bnds(P, j + s, GLP_LO, 0.0, 0.0);
        glp_set_obj_coef(P, j + s, 0.0);
        glp_set_mat_col(P, j + s, len, ind, val);
    }
}

gk_status gk_l1_margin(const double *X, const double *y, size_t n, size_t d, double *w, double *margin,
                       gk_error *err) {
    GK_ASSERT(X && y && w && margin && n > 0 && d > 0);
    gk_status st = check_inputs(X, y, n, d, "L1 margin", err);
    if (st != GK_OK) return st;
    if (n + 1 > (size_t)INT32_MAX / 2 || 2 * d + 1 > (size_t)INT32_MAX / 2)
        return gk_fail(err, GK_EINVAL, "L1 margin: problem too large for GLPK (n = %zu, d = %zu)", n, d);
    double xmax = 0;
    for (size_t i = 0; i < n * d; i++) xmax = fmax(xmax, fabs(X[i]));
    if (!(xmax > 0)) return gk_fail(err, GK_EUNAVAILABLE, "L1 margin: not linearly separable (X = 0)");

    glp_prob *P = NULL;
    double *lambda = malloc(n * sizeof *lambda), *yl = malloc(n * sizeof *yl), *g = malloc(d * sizeof *g);
    scored *sc = malloc(d * sizeof *sc);
    size_t *colk = malloc(d * sizeof *colk); /* coordinate of the i-th pair of columns */
    unsigned char *inS = calloc(d, 1);
    int *ind = malloc((n + 2) * sizeof *ind);
    double *val = malloc((n + 2) * sizeof *val);
    if (!lambda || !yl || !g || !sc || !colk || !inS || !ind || !val) {
        st = gk_fail(err, GK_ENOMEM, "L1 margin: out of memory");
        goto done;
    }

    P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, (int)n + 1);
    for (size_t i = 0; i < n; i++) glp_set_row_bnds(P, (int)i + 1, GLP_LO, 0.0, 0.0);
    glp_set_row_bnds(P, (int)n + 1, GLP_UP, 0.0, 1.0);
    glp_add_cols(P, 1); /* gamma: free, coefficient -1 in every margin row */
    glp_set_col_bnds(P, 1, GLP_FR, 0.0, 0.0);
    glp_set_obj_coef(P, 1, 1.0);
    for (size_t i = 0; i < n; i++) ind[i + 1] = (int)i + 1, val[i + 1] = -1.0;
    glp_set_mat_col(P, 1, (int)n, ind, val);

    /* Initial working set: the coordinates most correlated with the labels (lambda uniform). */
    for (size_t i = 0; i < n; i++) lambda[i] = 1.0 / (double)n;
    dual_scores(X, y, n, d, lambda, yl, g);
    size_t nS = 0, batch = n / 2 < 64 ? 64 : n / 2; /* coordinates added per round (measured: n/2 beats 2n) */
    for (size_t k = 0; k < d; k++) sc[k].v = fabs(g[k]), sc[k].k = k;
    qsort(sc, d, sizeof *sc, by_score_desc);
    for (size_t t = 0; t < d && t < batch; t++) {
        add_coordinate(P, X, y, n, d, sc[t].k, xmax, ind, val);
        inS[sc[t].k] = 1;
        colk[nS++] = sc[t].k;
    }
    glp_std_basis(P); /* w = 0, gamma = 0: primal feasible */

    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = GLP_PRIMAL; /* new columns keep the basis primal feasible: warm restarts */
    parm.presolve = GLP_OFF;
    double gamma = 0;
    for (int round = 0;; round++) {
        int ret = glp_simplex(P, &parm);
        if (ret != 0) {
            st = gk_fail(err, GK_EFAILED, "L1 margin: GLPK simplex failed (code %d) in round %d with %zu coordinates",
                         ret, round, nS);
            goto done;
        }
        int status = glp_get_status(P);
        if (status != GLP_OPT) {
            st = gk_fail(err, GK_EFAILED, "L1 margin: GLPK ended with status %d (not optimal) in round %d", status,
                         round);
            goto done;
        }
        gamma = glp_get_obj_val(P);
        /* Margin-row duals are <= 0 in GLPK's convention for a maximisation; lambda = -pi, sum 1. */
        double ls = 0;
        for (size_t i = 0; i < n; i++) {
            lambda[i] = fmax(0.0, -glp_get_row_dual(P, (int)i + 1));
            ls += lambda[i];
        }
        if (!(ls > 0)) {
            st = gk_fail(err, GK_EFAILED, "L1 margin: GLPK returned zero duals on the margin rows");
            goto done;
        }
        for (size_t i = 0; i < n; i++) lambda[i] /= ls;
        if (nS == d) break;
        dual_scores(X, y, n, d, lambda, yl, g);
        double thr = (fmax(gamma, 0.0) * (1 + GK_L1_PRICE_RTOL) + GK_L1_PRICE_ATOL) * xmax;
        size_t nv = 0;
        for (size_t k = 0; k < d; k++)
            if (!inS[k] && fabs(g[k]) > thr) sc[nv].v = fabs(g[k]), sc[nv].k = k, nv++;
        if (nv == 0) break;
        qsort(sc, nv, sizeof *sc, by_score_desc);
        for (size_t t = 0; t < nv && t < batch; t++) {
            add_coordinate(P, X, y, n, d, sc[t].k, xmax, ind, val);
            inS[sc[t].k] = 1;
            colk[nS++] = sc[t].k;
        }
    }
    if (!(gamma > GK_L1_SEPARABLE_TOL)) {
        st = gk_fail(err, GK_EUNAVAILABLE,
                     "L1 margin: not linearly separable through the origin (optimal L1 margin %.3g <= %.0e * max|x|)",
                     gamma * xmax, GK_L1_SEPARABLE_TOL);
        goto done;
    }
    memset(w, 0, d * sizeof *w);
    double l1 = 0;
    for (size_t t = 0; t < nS; t++) {
        double v = glp_get_col_prim(P, 2 + 2 * (int)t) - glp_get_col_prim(P, 3 + 2 * (int)t);
        if (fabs(v) <= GK_L1_DUST) v = 0; /* degenerate basic variables come back as ~1e-17, not 0 */
        w[colk[t]] = v;
        l1 += fabs(v);
    }
    if (!(l1 > 0)) {
        st = gk_fail(err, GK_EFAILED, "L1 margin: GLPK returned w = 0 with margin %g", gamma * xmax);
        goto done;
    }
    for (size_t k = 0; k < d; k++) w[k] /= l1;
    *margin = min_margin(X, y, n, d, w);
    /* Certificate: lambda bounds the optimum from above by max_k |g_k|. */
    dual_scores(X, y, n, d, lambda, yl, g);
    double upper = 0;
    for (size_t k = 0; k < d; k++) upper = fmax(upper, fabs(g[k]));
    if (!(*margin > 0) || upper - *margin > GK_L1_GAP_TOL * upper) {
        st = gk_fail(err, GK_EFAILED, "L1 margin: no optimality certificate (margin %.9g, dual bound %.9g)", *margin,
                     upper);
        goto done;
    }
    st = GK_OK;
done:
    if (P) glp_delete_prob(P);
    free(lambda), free(yl), free(g), free(sc), free(colk), free(inS), free(ind), free(val);
    return st;
}
