/* test_diag.c: the diagonal net, its data, its kernels and the logistic loss. */
#include "check.h"
#include "gradcheck.h"

#include "core/signmat.h"
#include "data/diag_data.h"
#include "model/diag.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Central differences of the mean logistic loss on the train set, on every coordinate: relative error below
 * 1e-6 (denominator at least 1e-8). */
static void gradcheck_on(gk_diag_kind kind) {
    gk_diag_data D;
    gk_error err;
    GK_CHECK(gk_diag_data_make(&D, kind, 12, 4, 9, 3, 2.0, 7, 1 << 20, &err) == GK_OK);
    gk_model m;
    GK_CHECK(gk_diag_model_create(&m, 9, &err) == GK_OK);
    double theta[18];
    gk_rng r;
    gk_rng_seed(&r, 3, 0);
    for (size_t k = 0; k < m.params.size; k++) theta[k] = gk_rng_normal(&r) * 0.7;
    gk_gradcheck_result res;
    gk_gradcheck(&m, theta, &D.train, 12, gk_gc_logistic, D.y_train, &(gk_gradcheck_opts){.h = 1e-5, .floor = 1e-8}, &res);
    GK_CHECK_MSG(res.gmax > 0 && res.max_rel < 1e-6, "worst relative error %.3g", res.max_rel);
    gk_model_free(&m);
    gk_diag_data_free(&D);
}

static void test_gradcheck_sparse(void) { gradcheck_on(GK_DIAG_SPARSE); }
static void test_gradcheck_l2sep(void) { gradcheck_on(GK_DIAG_L2SEP); }

static void test_softplus_extremes(void) {
    GK_CHECK_CLOSE(gk_softplus(1000.0), 1000.0, 0, 1e-15);
    GK_CHECK(gk_softplus(-1000.0) >= 0 && gk_softplus(-1000.0) < 1e-300);
    GK_CHECK_CLOSE(gk_softplus(0.0), log(2.0), 0, 1e-15);
    GK_CHECK_CLOSE(gk_softplus(-30.0), exp(-30.0), 0, 1e-12);
    GK_CHECK(gk_sigmoid(-1000.0) == 0.0 && gk_sigmoid(1000.0) == 1.0);
    /* the loss and its gradient stay finite at margins of +-1000 */
    double f[2] = {1000, -1000}, y[2] = {1, 1}, g[2], acc;
    double L = gk_logistic_loss(f, y, 2, g, &acc);
    GK_CHECK_CLOSE(L, 500.0, 0, 1e-12);
    GK_CHECK(isfinite(g[0]) && isfinite(g[1]));
    GK_CHECK_CLOSE(g[1], -0.5, 0, 1e-15);
    GK_CHECK_CLOSE(acc, 0.5, 0, 0);
    double tie[1] = {0}, one[1] = {1};
    gk_logistic_loss(tie, one, 1, NULL, &acc);
    GK_CHECK_CLOSE(acc, 0.5, 0, 0); /* a tie counts 1/2 */
}

static void test_sparse_data(void) {
    gk_diag_data D;
    gk_error err;
    GK_CHECK(gk_diag_data_make(&D, GK_DIAG_SPARSE, 4000, 10, 50, 5, 0, 11, 1 << 20, &err) == GK_OK);
    double pos = 0, mean_x = 0, row[50];
    int exact = 1;
    for (size_t i = 0; i < D.train.n; i++) {
        gk_design_row(&D.train, i, row);
        double t = 0;
        for (size_t k = 0; k < 5; k++) t += D.wstar[k] * row[k];
        exact &= (t > 0 ? 1.0 : -1.0) == D.y_train[i];
        pos += D.y_train[i] > 0;
        for (size_t j = 0; j < 50; j++) mean_x += row[j];
    }
    GK_CHECK(exact);                                 /* the sparse target is exact */
    GK_CHECK_CLOSE(pos / 4000, 0.5, 0.03, 0);        /* labels balanced (3 sigma = 0.024) */
    GK_CHECK_CLOSE(mean_x / (4000 * 50), 0, 0.01, 0); /* +-1 uniform */
    for (size_t j = 5; j < 50; j++) GK_CHECK(D.wstar[j] == 0);
    gk_diag_data_free(&D);
}

static void test_l2sep_data(void) {
    gk_diag_data D;
    gk_error err;
    const double gamma = 6;
    GK_CHECK(gk_diag_data_make(&D, GK_DIAG_L2SEP, 2000, 300, 40, 1, gamma, 5, 1 << 20, &err) == GK_OK);
    GK_CHECK_CLOSE(gk_norm2(D.wstar, 40), 1.0, 0, 1e-14);
    double row[40], pos = 0, min_margin = INFINITY;
    for (size_t i = 0; i < D.train.n; i++) {
        gk_design_row(&D.train, i, row);
        double m = D.y_train[i] * gk_dot(row, D.wstar, 40);
        min_margin = fmin(min_margin, m);
        pos += D.y_train[i] > 0;
    }
    GK_CHECK(min_margin >= gamma / 2 - 1e-12); /* every point at least gamma/2 from the hyperplane */
    GK_CHECK_CLOSE(pos / 2000, 0.5, 0.035, 0);
    /* A generated (not stored) test set is the same data as the stored one. */
    gk_diag_data G;
    GK_CHECK(gk_diag_data_make(&G, GK_DIAG_L2SEP, 2000, 300, 40, 1, gamma, 5, 0, &err) == GK_OK);
    GK_CHECK(G.test.kind == GK_DESIGN_GENERATED && D.test.kind == GK_DESIGN_DENSE);
    double w[512] = {0}, a[300], b[300];
    for (int j = 0; j < 40; j++) w[j] = sin(j + 1.0);
    gk_design_mv(&D.test, w, a);
    gk_design_mv(&G.test, w, b);
    GK_CHECK(memcmp(a, b, sizeof a) == 0 && memcmp(D.y_test, G.y_test, 300 * sizeof(double)) == 0);
    gk_diag_data_free(&G);
    gk_diag_data_free(&D);
}

/* The packed kernels equal the naive products to rounding, and are bitwise equal for 1, 2 and 3 threads and
 * with or without the AVX-512 kernels.
 * Sizes are odd on purpose: a partial row block, a partial group of 8 rows, padding columns. */
static void test_signmat_kernels(void) {
    const size_t n = 301, d = 14000; /* n x dpad just above the parallel threshold */;
    gk_signmat S;
    gk_error err;
    GK_CHECK(gk_signmat_alloc(&S, n, d, &err) == GK_OK);
    gk_rng r;
    gk_rng_seed(&r, 9, 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) gk_signmat_set(&S, i, j, gk_rng_u64(&r) & 1 ? -1 : 1);
    GK_CHECK(gk_signmat_finish(&S, &err) == GK_OK);
    double *w = calloc(S.dpad, sizeof(double)), *rv = malloc(n * sizeof(double));
    double *work = malloc(gk_signmat_work_size(&S) * sizeof(double));
    double out[4][301], *g[4];
    for (size_t j = 0; j < d; j++) w[j] = gk_rng_normal(&r);
    for (size_t i = 0; i < n; i++) rv[i] = gk_rng_normal(&r);
    for (int v = 0; v < 4; v++) { /* 1, 2, 3 threads, then the portable kernels (no AVX-512) */
        g[v] = malloc(S.dpad * sizeof(double));
        omp_set_num_threads(v < 3 ? v + 1 : 2);
        int simd = gk_signmat_use_simd(v < 3);
        gk_signmat_mv(&S, w, out[v], work);
        gk_signmat_tmv(&S, rv, g[v], work);
        gk_signmat_use_simd(simd);
    }
    omp_set_num_threads(2);
    for (int v = 1; v < 4; v++) {
        GK_CHECK(memcmp(out[0], out[v], sizeof out[0]) == 0);
        GK_CHECK(memcmp(g[0], g[v], S.dpad * sizeof(double)) == 0);
    }
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) s += gk_signmat_get(&S, i, j) * w[j];
        worst = fmax(worst, fabs(s - out[0][i]));
    }
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += gk_signmat_get(&S, i, j) * rv[i];
        worst = fmax(worst, fabs(s - g[0][j]));
    }
    GK_CHECK_MSG(worst < 1e-11, "max deviation from the naive product %.3g", worst);
    for (int v = 0; v < 4; v++) free(g[v]);
    free(w);
    free(rv);
    free(work);
    gk_signmat_free(&S);
}

/* The fused step (gk_diag_gd_step) is bitwise backward-into-zero + gk_gd_step, on sparse and dense data, on a size
 * where the elementwise pass runs in parallel (d above its threshold). */
static void fused_step_on(gk_diag_kind kind, size_t d) {
    gk_diag_data D;
    gk_error err;
    const size_t n = 40;
    GK_CHECK(gk_diag_data_make(&D, kind, n, 8, d, 3, 2.0, 5, (size_t)1 << 30, &err) == GK_OK);
    gk_model m;
    GK_CHECK(gk_diag_model_create(&m, d, &err) == GK_OK);
    const size_t P = m.params.size;
    double *a = malloc(P * sizeof(double)), *b = malloc(P * sizeof(double)), *grad = malloc(P * sizeof(double));
    double f[40], dldf[40];
    gk_rng r;
    gk_rng_seed(&r, 11, 0);
    for (size_t k = 0; k < P; k++) a[k] = b[k] = gk_rng_normal(&r) * 0.3;
    for (int step = 0; step < 3; step++) {
        GK_CHECK(gk_model_forward(&m, a, &D.train, n, f, &err) == GK_OK);
        gk_logistic_loss(f, D.y_train, n, dldf, NULL);
        memset(grad, 0, P * sizeof(double));
        gk_model_backward(&m, a, &D.train, n, dldf, grad);
        gk_gd_step(a, grad, P, 0.05, 0.01);
        GK_CHECK(gk_model_forward(&m, b, &D.train, n, f, &err) == GK_OK);
        gk_logistic_loss(f, D.y_train, n, dldf, NULL);
        gk_diag_gd_step(&m, b, &D.train, dldf, 0.05, 0.01);
    }
    GK_CHECK(memcmp(a, b, P * sizeof(double)) == 0);
    free(a), free(b), free(grad);
    gk_model_free(&m);
    gk_diag_data_free(&D);
}

static void test_fused_step(void) {
    fused_step_on(GK_DIAG_SPARSE, 70000);
    fused_step_on(GK_DIAG_L2SEP, 3000);
}

static void test_init_norm_and_decay(void) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_diag_model_create(&m, 1000, &err) == GK_OK);
    double *theta = malloc(2000 * sizeof(double)), *zero = calloc(2000, sizeof(double));
    gk_model_init(&m, 128, 0, theta);
    GK_CHECK_CLOSE(gk_norm2(theta, 2000), 128, 0, 1e-12); /* alpha is the initial ||theta|| */
    /* With zero gradient, GD with coupled decay shrinks the norm by (1 - lr wd) per step. */
    for (int k = 0; k < 100; k++) gk_gd_step(theta, zero, 2000, 0.01, 0.01);
    GK_CHECK_CLOSE(gk_norm2(theta, 2000), 128 * pow(1 - 1e-4, 100), 0, 1e-12);
    free(theta);
    free(zero);
    gk_model_free(&m);
}

static void test_eval_schedule(void) {
    long *p;
    size_t n;
    gk_error err;
    GK_CHECK(gk_eval_schedule(100000, 100, 100, &p, &n, &err) == GK_OK);
    GK_CHECK(p[0] == 0 && p[1] == 1 && p[n - 1] == 100000);
    int sorted = 1;
    for (size_t i = 1; i < n; i++) sorted &= p[i] > p[i - 1];
    GK_CHECK(sorted);
    GK_CHECK(n >= 100 && n <= 202);
    free(p);
}

int main(void) {
    GK_RUN(test_gradcheck_sparse);
    GK_RUN(test_gradcheck_l2sep);
    GK_RUN(test_softplus_extremes);
    GK_RUN(test_sparse_data);
    GK_RUN(test_l2sep_data);
    GK_RUN(test_signmat_kernels);
    GK_RUN(test_fused_step);
    GK_RUN(test_init_norm_and_decay);
    GK_RUN(test_eval_schedule);
    return gk_test_summary();
}
