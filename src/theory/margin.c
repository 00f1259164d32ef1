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

/* The column-generation state: the restricted LP P over the working set S (colk lists S in column order),
 * the duals lambda of its margin rows, and scratch for pricing (yl, g, sc) and for columns (ind, val). */
typedef struct l1_lp {
    const double *X, *y;
    size_t n, d, nS, batch;
    double xmax;
    glp_prob *P;
    double *lambda, *yl, *g, *val;
    scored *sc;
    size_t *colk;
    unsigned char *inS;
    int *ind;
} l1_lp;

static void l1_lp_free(l1_lp *L) {
    if (L->P) glp_delete_prob(L->P);
    free(L->lambda), free(L->yl), free(L->g), free(L->sc), free(L->colk), free(L->inS), free(L->ind), free(L->val);
}

static int l1_lp_alloc(l1_lp *L) {
    size_t n = L->n, d = L->d;
    L->lambda = malloc(n * sizeof *L->lambda), L->yl = malloc(n * sizeof *L->yl), L->g = malloc(d * sizeof *L->g);
    L->sc = malloc(d * sizeof *L->sc);
    L->colk = malloc(d * sizeof *L->colk);
    L->inS = calloc(d, 1);
    L->ind = malloc((n + 2) * sizeof *L->ind);
    L->val = malloc((n + 2) * sizeof *L->val);
    return L->lambda && L->yl && L->g && L->sc && L->colk && L->inS && L->ind && L->val;
}

/* The margin rows (>= 0 with gamma moved left), the L1 row (<= 1) and the free column gamma. */
static void l1_lp_rows(l1_lp *L) {
    size_t n = L->n;
    L->P = glp_create_prob();
    glp_set_obj_dir(L->P, GLP_MAX);
    glp_add_rows(L->P, (int)n + 1);
    for (size_t i = 0; i < n; i++) glp_set_row_bnds(L->P, (int)i + 1, GLP_LO, 0.0, 0.0);
    glp_set_row_bnds(L->P, (int)n + 1, GLP_UP, 0.0, 1.0);
    glp_add_cols(L->P, 1); /* gamma: free, coefficient -1 in every margin row */
    glp_set_col_bnds(L->P, 1, GLP_FR, 0.0, 0.0);
    glp_set_obj_coef(L->P, 1, 1.0);
    for (size_t i = 0; i < n; i++) L->ind[i + 1] = (int)i + 1, L->val[i + 1] = -1.0;
    glp_set_mat_col(L->P, 1, (int)n, L->ind, L->val);
}

/* Sorts the nv scored coordinates in sc and adds the best `batch` of them to S. */
static void l1_add_best(l1_lp *L, size_t nv) {
    qsort(L->sc, nv, sizeof *L->sc, by_score_desc);
    for (size_t t = 0; t < nv && t < L->batch; t++) {
        add_coordinate(L->P, L->X, L->y, L->n, L->d, L->sc[t].k, L->xmax, L->ind, L->val);
        L->inS[L->sc[t].k] = 1;
        L->colk[L->nS++] = L->sc[t].k;
    }
}

/* Solves the restricted LP: *gamma, and lambda = the margin rows' duals normalised to sum 1. */
static gk_status l1_solve_restricted(l1_lp *L, const glp_smcp *parm, int round, double *gamma, gk_error *err) {
    int ret = glp_simplex(L->P, parm);
    if (ret != 0)
        return gk_fail(err, GK_EFAILED, "L1 margin: GLPK simplex failed (code %d) in round %d with %zu coordinates",
                       ret, round, L->nS);
    int status = glp_get_status(L->P);
    if (status != GLP_OPT)
        return gk_fail(err, GK_EFAILED, "L1 margin: GLPK ended with status %d (not optimal) in round %d", status,
                       round);
    *gamma = glp_get_obj_val(L->P);
    /* Margin-row duals are <= 0 in GLPK's convention for a maximisation; lambda = -pi, sum 1. */
    double ls = 0;
    for (size_t i = 0; i < L->n; i++) {
        L->lambda[i] = fmax(0.0, -glp_get_row_dual(L->P, (int)i + 1));
        ls += L->lambda[i];
    }
    if (!(ls > 0)) return gk_fail(err, GK_EFAILED, "L1 margin: GLPK returned zero duals on the margin rows");
    for (size_t i = 0; i < L->n; i++) L->lambda[i] /= ls;
    return GK_OK;
}

/* Column generation: solve, price the coordinates outside S against gamma_S, add the most violating, repeat
 * until none violates (the restricted optimum is then the full one). */
static gk_status l1_column_generation(l1_lp *L, double *gamma, gk_error *err) {
    /* Initial working set: the coordinates most correlated with the labels (lambda uniform). */
    for (size_t i = 0; i < L->n; i++) L->lambda[i] = 1.0 / (double)L->n;
    dual_scores(L->X, L->y, L->n, L->d, L->lambda, L->yl, L->g);
    for (size_t k = 0; k < L->d; k++) L->sc[k].v = fabs(L->g[k]), L->sc[k].k = k;
    l1_add_best(L, L->d);
    glp_std_basis(L->P); /* w = 0, gamma = 0: primal feasible */

    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = GLP_PRIMAL; /* new columns keep the basis primal feasible: warm restarts */
    parm.presolve = GLP_OFF;
    *gamma = 0;
    for (int round = 0;; round++) {
        gk_status st = l1_solve_restricted(L, &parm, round, gamma, err);
        if (st != GK_OK) return st;
        if (L->nS == L->d) break;
        dual_scores(L->X, L->y, L->n, L->d, L->lambda, L->yl, L->g);
        double thr = (fmax(*gamma, 0.0) * (1 + GK_L1_PRICE_RTOL) + GK_L1_PRICE_ATOL) * L->xmax;
        size_t nv = 0;
        for (size_t k = 0; k < L->d; k++)
            if (!L->inS[k] && fabs(L->g[k]) > thr) L->sc[nv].v = fabs(L->g[k]), L->sc[nv].k = k, nv++;
        if (nv == 0) break;
        l1_add_best(L, nv);
    }
    return GK_OK;
}

/* w from the LP's columns (w+ - w-), unit L1 norm, its margin, and the duality-gap certificate. */
static gk_status l1_extract(l1_lp *L, double gamma, double *w, double *margin, gk_error *err) {
    size_t d = L->d;
    memset(w, 0, d * sizeof *w);
    double l1 = 0;
    for (size_t t = 0; t < L->nS; t++) {
        double v = glp_get_col_prim(L->P, 2 + 2 * (int)t) - glp_get_col_prim(L->P, 3 + 2 * (int)t);
        if (fabs(v) <= GK_L1_DUST) v = 0; /* degenerate basic variables come back as ~1e-17, not 0 */
        w[L->colk[t]] = v;
        l1 += fabs(v);
    }
    if (!(l1 > 0)) return gk_fail(err, GK_EFAILED, "L1 margin: GLPK returned w = 0 with margin %g", gamma * L->xmax);
    for (size_t k = 0; k < d; k++) w[k] /= l1;
    *margin = min_margin(L->X, L->y, L->n, d, w);
    /* Certificate: lambda bounds the optimum from above by max_k |g_k|. */
    dual_scores(L->X, L->y, L->n, d, L->lambda, L->yl, L->g);
    double upper = 0;
    for (size_t k = 0; k < d; k++) upper = fmax(upper, fabs(L->g[k]));
    if (!(*margin > 0) || upper - *margin > GK_L1_GAP_TOL * upper)
        return gk_fail(err, GK_EFAILED, "L1 margin: no optimality certificate (margin %.9g, dual bound %.9g)",
                       *margin, upper);
    return GK_OK;
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

    /* coordinates added per round (measured: n/2 beats 2n) */
    l1_lp L = {.X = X, .y = y, .n = n, .d = d, .xmax = xmax, .batch = n / 2 < 64 ? 64 : n / 2};
    if (!l1_lp_alloc(&L)) {
        l1_lp_free(&L);
        return gk_fail(err, GK_ENOMEM, "L1 margin: out of memory");
    }
    l1_lp_rows(&L);
    double gamma;
    st = l1_column_generation(&L, &gamma, err);
    if (st == GK_OK && !(gamma > GK_L1_SEPARABLE_TOL))
        st = gk_fail(err, GK_EUNAVAILABLE,
                     "L1 margin: not linearly separable through the origin (optimal L1 margin %.3g <= %.0e * max|x|)",
                     gamma * xmax, GK_L1_SEPARABLE_TOL);
    if (st == GK_OK) st = l1_extract(&L, gamma, w, margin, err);
    l1_lp_free(&L);
    return st;
}
