/* test_teacher.c: the tanh MLP (finite-difference gradients of the MSE for several depths, output and init
 * scales; the init bounds; bitwise the same forward and backward on 1 and 2 threads) and the teacher-student
 * data (input mean and variance, determinism from the seed, targets = the teacher's outputs) (issue 8). */
#include "check.h"
#include "gradcheck.h"

#include "data/teacher_data.h"
#include "exp/teacher.h"
#include "model/mlp_tanh.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static double *normals(size_t n, uint64_t seed) {
    double *x = malloc(n * sizeof(double));
    gk_rng r;
    gk_rng_seed(&r, seed, 99);
    for (size_t k = 0; k < n; k++) x[k] = gk_rng_normal(&r);
    return x;
}

/* Central differences of L = MSE(f(theta; x), y) against the backward, on every parameter: relative error
 * below 1e-6 (denominator at least 1e-4 max |g|). */
static void gradcheck(const size_t *widths, int L, double out_scale, double init_scale, uint64_t seed) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_tanh_create(&m, widths, L, out_scale, 5, &err) == GK_OK);
    const size_t P = m.params.size, n = 7, dout = widths[L];
    double *theta = malloc(P * sizeof(double));
    double *x = normals(n * widths[0], seed), *y = normals(n * dout, seed + 1);
    for (size_t k = 0; k < n * dout; k++) y[k] *= 0.3;
    gk_model_init(&m, init_scale, seed, theta);
    gk_gradcheck_result r;
    gk_gradcheck(&m, theta, x, n, gk_gc_mse, y, &(gk_gradcheck_opts){.h = 1e-5, .gmax_floor = 1e-4}, &r);
    fprintf(stderr, "  depth %d out_scale %g init_scale %g: worst relative error %.2e\n", L, out_scale, init_scale, r.max_rel);
    GK_CHECK_MSG(r.gmax > 0 && r.max_rel < 1e-6, "depth %d out_scale %g init_scale %g: worst relative error %g (max |g| %g)", L,
                 out_scale, init_scale, r.max_rel, r.gmax);
    free(theta), free(x), free(y);
    gk_model_free(&m);
}

static void test_gradcheck(void) {
    const size_t w1[] = {3, 4};
    const size_t w2[] = {4, 6, 3};
    const size_t w3[] = {5, 8, 7, 5};
    const size_t w4[] = {2, 5, 6, 4, 3};
    gradcheck(w1, 1, 1.0, 1.0, 1);
    gradcheck(w2, 2, 0.3, 2.0, 2);
    gradcheck(w3, 3, 1.0, 2.0, 3);
    gradcheck(w3, 3, 2.5, 1.0, 4);
    gradcheck(w3, 3, 0.1, 3.0, 5);
    gradcheck(w4, 4, 0.75, 2.0, 6);
}

/* Weights and biases within +-init_scale/sqrt(fan_in), spread like a uniform (variance bound^2/3). */
static void test_init(void) {
    const size_t w[] = {5, 100, 100, 5};
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_tanh_create(&m, w, 3, 1.0, 2, &err) == GK_OK);
    GK_CHECK(m.params.size == 5 * 100 + 100 + 100 * 100 + 100 + 100 * 5 + 5 && m.n_out == 5 && m.params.count == 6);
    GK_CHECK(!strcmp(m.params.t[2].name, "W2") && m.params.t[2].rows == 100 && m.params.t[2].cols == 100);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 2.0, 1, theta);
    for (int t = 0; t < m.params.count; t++) {
        const gk_tensor *T = &m.params.t[t];
        const double bound = 2.0 / sqrt((double)w[t / 2]);
        const size_t cnt = T->rows * T->cols;
        double mx = 0, ss = 0;
        for (size_t k = 0; k < cnt; k++) mx = fmax(mx, fabs(theta[T->offset + k])), ss += theta[T->offset + k] * theta[T->offset + k];
        GK_CHECK_MSG(mx <= bound && mx > 0.8 * bound, "%s: max |w| %g, bound %g", T->name, mx, bound);
        if (cnt >= 500) GK_CHECK_CLOSE(ss / (double)cnt, bound * bound / 3, 0, 0.15);
    }
    const size_t *ww = NULL;
    int L = 0;
    ww = gk_mlp_tanh_widths(&m, &L);
    GK_CHECK(L == 3 && ww[0] == 5 && ww[3] == 5 && gk_mlp_tanh_out_scale(&m) == 1.0);
    gk_error e2;
    const size_t bad[] = {5, 0, 5};
    gk_model m2;
    GK_CHECK(gk_mlp_tanh_create(&m2, bad, 2, 1.0, 0, &e2) == GK_EINVAL);
    GK_CHECK(gk_mlp_tanh_create(&m2, w, 3, 0.0, 0, &e2) == GK_EINVAL && strstr(e2.msg, "out_scale"));
    free(theta);
    gk_model_free(&m);
}

/* Forward and backward bitwise the same on 1 and 2 threads, at a size where the products split into slices
 * (n = 300: 3 slices of 100 rows) and the elementwise loops run in parallel. */
static void test_threads(void) {
    const size_t w[] = {5, 300, 300, 5};
    const size_t n = 300;
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_tanh_create(&m, w, 3, 0.5, 4, &err) == GK_OK && gk_model_reserve(&m, n, &err) == GK_OK);
    const size_t P = m.params.size;
    double *theta = malloc(P * sizeof(double)), *x = normals(n * 5, 11), *dl = normals(n * 5, 12);
    gk_model_init(&m, 2.0, 3, theta);
    double *out[2], *g[2];
    for (int t = 0; t < 2; t++) {
        out[t] = malloc(n * 5 * sizeof(double));
        g[t] = calloc(P, sizeof(double));
        omp_set_num_threads(t + 1);
        GK_CHECK(gk_model_forward(&m, theta, x, n, out[t], &err) == GK_OK);
        gk_model_backward(&m, theta, x, n, dl, g[t]);
    }
    omp_set_num_threads(1);
    GK_CHECK(!memcmp(out[0], out[1], n * 5 * sizeof(double)));
    GK_CHECK(!memcmp(g[0], g[1], P * sizeof(double)));
    for (int t = 0; t < 2; t++) free(out[t]), free(g[t]);
    free(theta), free(x), free(dl);
    gk_model_free(&m);
}

/* Inputs ~ N(0, I): mean ~ 0 and variance ~ 1 per coordinate; the same seed gives the same bytes, another seed
 * other data; the train rows do not depend on n_test; the targets are the outputs of a default-init teacher. */
static void test_teacher_data(void) {
    const size_t w[] = {5, 100, 100, 5};
    gk_teacher_data a, b, c, d;
    gk_error err;
    GK_CHECK(gk_teacher_data_make(&a, 5, 5, 4000, 1000, 7, &err) == GK_OK &&
             gk_teacher_targets(&a, w, 3, 7, &err) == GK_OK);
    GK_CHECK(gk_teacher_data_make(&b, 5, 5, 4000, 1000, 7, &err) == GK_OK &&
             gk_teacher_targets(&b, w, 3, 7, &err) == GK_OK);
    GK_CHECK(gk_teacher_data_make(&c, 5, 5, 4000, 1000, 8, &err) == GK_OK &&
             gk_teacher_targets(&c, w, 3, 8, &err) == GK_OK);
    GK_CHECK(gk_teacher_data_make(&d, 5, 5, 4000, 10, 7, &err) == GK_OK &&
             gk_teacher_targets(&d, w, 3, 7, &err) == GK_OK);
    GK_CHECK(a.n_train == 4000 && a.n_test == 1000 && a.d_in == 5 && a.d_out == 5);
    for (size_t j = 0; j < 5; j++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < 4000; i++) s += a.x_train[i * 5 + j], ss += a.x_train[i * 5 + j] * a.x_train[i * 5 + j];
        const double mean = s / 4000, var = ss / 4000 - mean * mean;
        GK_CHECK_MSG(fabs(mean) < 0.06, "train input %zu: mean %g (4000 samples, sd of the mean 0.016)", j, mean);
        GK_CHECK_MSG(fabs(var - 1) < 0.1, "train input %zu: variance %g", j, var);
        s = ss = 0;
        for (size_t i = 0; i < 1000; i++) s += a.x_test[i * 5 + j], ss += a.x_test[i * 5 + j] * a.x_test[i * 5 + j];
        GK_CHECK_MSG(fabs(s / 1000) < 0.12 && fabs(ss / 1000 - 1) < 0.2, "test input %zu: mean %g, mean square %g", j,
                     s / 1000, ss / 1000);
    }
    GK_CHECK(!memcmp(a.x_train, b.x_train, 4000 * 5 * sizeof(double)) && !memcmp(a.y_test, b.y_test, 1000 * 5 * sizeof(double)));
    GK_CHECK(a.teacher_norm == b.teacher_norm && a.teacher_norm != c.teacher_norm);
    GK_CHECK(memcmp(a.x_train, c.x_train, 5 * sizeof(double)) && memcmp(a.y_train, c.y_train, 5 * sizeof(double)));
    GK_CHECK(memcmp(a.x_train, a.x_test, 5 * sizeof(double)));
    GK_CHECK(!memcmp(a.x_train, d.x_train, 4000 * 5 * sizeof(double)) && !memcmp(a.x_test, d.x_test, 10 * 5 * sizeof(double)));
    /* The teacher's default init: |W| <= 1/sqrt(fan_in), so ||theta||^2 ~ sum fan_in fan_out / (3 fan_in) ~ 70. */
    GK_CHECK_MSG(a.teacher_norm > 7 && a.teacher_norm < 10, "teacher norm %g", a.teacher_norm);
    /* Targets: finite, not constant, |y_k| <= sum_j |W3[j,k]| + |b3[k]| <= 101/sqrt(100) since |tanh| < 1. */
    double ymax = 0, ys = 0, yss = 0;
    for (size_t k = 0; k < 4000 * 5; k++) ymax = fmax(ymax, fabs(a.y_train[k])), ys += a.y_train[k], yss += a.y_train[k] * a.y_train[k];
    GK_CHECK_MSG(isfinite(ymax) && ymax <= 10.1 && yss / 20000 - (ys / 20000) * (ys / 20000) > 1e-3, "targets: max |y| %g, var %g",
                 ymax, yss / 20000 - (ys / 20000) * (ys / 20000));
    /* The targets are the outputs of the teacher drawn from (seed, GK_TEACHER_STREAM) with scale 1. */
    gk_model t;
    GK_CHECK(gk_mlp_tanh_create(&t, w, 3, 1.0, GK_TEACHER_STREAM, &err) == GK_OK && gk_model_reserve(&t, 1000, &err) == GK_OK);
    double *th = malloc(t.params.size * sizeof(double)), *f = malloc(1000 * 5 * sizeof(double));
    gk_model_init(&t, 1.0, 7, th);
    GK_CHECK(gk_norm2(th, t.params.size) == a.teacher_norm);
    GK_CHECK(gk_model_forward(&t, th, a.x_test, 1000, f, &err) == GK_OK && !memcmp(f, a.y_test, 1000 * 5 * sizeof(double)));
    free(th), free(f);
    gk_model_free(&t);
    gk_teacher_data_free(&a), gk_teacher_data_free(&b), gk_teacher_data_free(&c), gk_teacher_data_free(&d);
}

int main(void) {
    GK_RUN(test_gradcheck);
    GK_RUN(test_init);
    GK_RUN(test_threads);
    GK_RUN(test_teacher_data);
    return gk_test_summary();
}
