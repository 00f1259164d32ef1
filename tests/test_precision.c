/* test_precision.c: float32 arithmetic (issue 18, precision=f32 and softmax_precision=f32).
 * - the float32 softmax and StableMax cross-entropies: gradients against central differences of the float32
 *   loss, and against the float64 gradients (which test_trainer checks against central differences);
 * - Softmax Collapse: a margin of 20 collapses in float32 (exp(-20) < 2^-24) but not in float64, and the
 *   float32 gradient of the correct logit is then exactly 0;
 * - the float32 deep MLP (no bias, as Prieto et al.): outputs and gradient match the float64 model, the
 *   float64 model passes a finite-difference check, and the sparse one-hot first layer gives the same float32
 *   outputs as the dense sgemm on the one-hot rows;
 * - the two-layer MLPs on index pairs (mlp-relu, mlp-quad): float32 outputs and gradient match float64;
 * - the trainer's float32 parameters: after AdamW steps theta and the moments hold float values. */
#include "check.h"
#include "gradcheck.h"
#include "data/modular_data.h"
#include "model/mlp2.h"
#include "model/mlp_deep.h"
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 5, K = 7 };

typedef double (*loss_fn)(const double *z, const int *y, size_t n, size_t k, double *d);

static void logits(double *z, int *y) {
    for (int i = 0; i < N * K; i++) z[i] = (float)(3 * sin(1.3 * i + 0.2));
    for (int i = 0; i < N; i++) y[i] = (3 * i + 1) % K;
}

/* max_i |a_i - b_i| / max_i |b_i| */
static double rel_diff(const double *a, const double *b, size_t n) {
    double e = 0, s = 0;
    for (size_t i = 0; i < n; i++) e = fmax(e, fabs(a[i] - b[i])), s = fmax(s, fabs(b[i]));
    return s > 0 ? e / s : e;
}

static void check_loss_pair(loss_fn f32, loss_fn f64, const char *name) {
    double z[N * K], d32[N * K], d64[N * K];
    int y[N];
    logits(z, y);
    const double L32 = f32(z, y, N, K, d32), L64 = f64(z, y, N, K, d64);
    GK_CHECK_MSG(fabs(L32 - L64) < 1e-6 * L64, "%s: float32 loss %.9g vs float64 %.9g", name, L32, L64);
    GK_CHECK_MSG(rel_diff(d32, d64, N * K) < 1e-6, "%s: float32 gradient vs float64: %g", name, rel_diff(d32, d64, N * K));
    double worst = 0, gmax = 0;
    for (int i = 0; i < N * K; i++) {
        GK_CHECK_MSG((double)(float)d32[i] == d32[i], "%s: gradient entry %d is not a float value", name, i);
        gmax = fmax(gmax, fabs(d32[i]));
    }
    /* central differences of the float32 loss itself: h = 1/64 keeps the loss's rounding (~1e-7) small
     * against h, the O(h^2) truncation stays ~1e-4 of the gradient */
    for (int i = 0; i < N * K; i++) {
        const double h = 1.0 / 64, z0 = z[i];
        z[i] = z0 + h;
        const double lp = f32(z, y, N, K, NULL);
        z[i] = z0 - h;
        const double lm = f32(z, y, N, K, NULL);
        z[i] = z0;
        worst = fmax(worst, fabs((lp - lm) / (2 * h) - d32[i]) / gmax);
    }
    GK_CHECK_MSG(worst < 2e-3, "%s: float32 gradient vs central differences: %g", name, worst);
}

static void test_loss_gradients_f32(void) {
    check_loss_pair(gk_stablemax_xent_loss_f32, gk_stablemax_xent_loss, "stablemax");
    check_loss_pair(gk_softmax_xent_loss_f32, gk_softmax_xent_loss, "softmax");
}

static void test_softmax_collapse_f32(void) {
    double a[2 * K] = {0}, d[2 * K];
    const int y[2] = {0, 0};
    a[0] = 20; /* sample 1: exp(-20) = 2e-9 is below half an ulp of 1.0f, not of 1.0 */
    a[K] = 10; /* sample 2: exp(-10) = 4.5e-5 counts in both */
    GK_CHECK(gk_softmax_collapse_share_f32(a, 2, K) == 0.5);
    GK_CHECK(gk_softmax_collapse_share(a, 2, K) == 0.0);
    gk_softmax_xent_loss_f32(a, y, 2, K, d);
    GK_CHECK_MSG(d[0] == 0.0, "collapsed sample: float32 gradient of the correct logit %g, not 0", d[0]);
    GK_CHECK(d[K] < 0);
    gk_softmax_xent_loss(a, y, 2, K, d);
    GK_CHECK(d[0] < 0);
}

/* A 3-layer no-bias MLP (d_in = 2 m one-hot pair, width 8, m outputs) in float64 and float32 on the same
 * float-valued theta. */
static void test_mlp_deep_f32(void) {
    enum { M = 5, D = 2 * M, H = 8, NS = 12 };
    gk_error err;
    gk_model m64, m32, ms32;
    gk_mlp_deep_opts o = {.d_in = D, .width = H, .depth = 3, .n_out = M, .no_bias = 1};
    GK_CHECK(gk_mlp_deep_create_opts(&m64, &o, &err) == GK_OK);
    o.f32 = 1;
    GK_CHECK(gk_mlp_deep_create_opts(&m32, &o, &err) == GK_OK);
    GK_CHECK(gk_mlp_deep_create_opts(&ms32, &o, &err) == GK_OK);
    GK_CHECK(m64.params.count == 3 && m64.params.size == (size_t)(D * H + H * H + H * M));
    const size_t P = m64.params.size;
    double theta[D * H + H * H + H * M], x[NS * D] = {0}, f64[NS * M], f32[NS * M], fs[NS * M];
    double dout[NS * M], g64[D * H + H * H + H * M] = {0}, g32[D * H + H * H + H * M] = {0};
    int y[NS];
    gk_model_init(&m64, 1.0, 7, theta);
    for (size_t k = 0; k < P; k++) theta[k] = (float)theta[k];
    for (int i = 0; i < NS; i++) x[i * D + i % M] = x[i * D + M + (3 * i) % M] = 1, y[i] = (i + (3 * i)) % M;
    gk_dense_input X = {NS, D, x, NULL, NULL};
    GK_CHECK(gk_model_reserve(&m64, NS, &err) == GK_OK && gk_model_reserve(&m32, NS, &err) == GK_OK);
    GK_CHECK(gk_model_forward(&m64, theta, &X, NS, f64, &err) == GK_OK);
    GK_CHECK(gk_model_forward(&m32, theta, &X, NS, f32, &err) == GK_OK);
    GK_CHECK_MSG(rel_diff(f32, f64, NS * M) < 1e-6, "float32 outputs vs float64: %g", rel_diff(f32, f64, NS * M));
    gk_softmax_xent_loss_f32(f32, y, NS, M, dout);
    gk_model_backward(&m64, theta, &X, NS, dout, g64);
    gk_model_backward(&m32, theta, &X, NS, dout, g32);
    GK_CHECK_MSG(rel_diff(g32, g64, P) < 1e-5, "float32 gradient vs float64: %g", rel_diff(g32, g64, P));
    /* the sparse first layer on the one-hot rows: the same float32 sums W1[a] + W1[M + b] */
    gk_sparse_rows nz;
    GK_CHECK(gk_sparse_rows_build(x, NS, D, &nz, &err) == GK_OK);
    gk_dense_input Xs = {NS, D, x, NULL, &nz};
    gk_mlp_deep_set_sparse_input(&ms32, 1);
    GK_CHECK(gk_model_reserve(&ms32, NS, &err) == GK_OK && gk_mlp_deep_reserve_input(&ms32, 0, nz.nnz, &err) == GK_OK);
    GK_CHECK(gk_model_forward(&ms32, theta, &Xs, NS, fs, &err) == GK_OK);
    GK_CHECK(memcmp(fs, f32, sizeof fs) == 0);
    gk_gradcheck_result r;
    gk_gradcheck(&m64, theta, &X, NS, gk_gc_xent, y, &(gk_gradcheck_opts){.h = 1e-5}, &r);
    GK_CHECK(r.gmax > 0);
    GK_CHECK_MSG(r.norm_rel < 1e-6, "no-bias mlp-deep float64 gradient check: %g", r.norm_rel);
    gk_sparse_rows_free(&nz);
    gk_model_free(&m64), gk_model_free(&m32), gk_model_free(&ms32);
}

/* The two-layer MLPs on index pairs (mlp-relu with bias, mlp-quad) in float32 against float64. */
static void test_mlp2_f32(void) {
    gk_error err;
    gk_mod_data D;
    GK_CHECK(gk_mod_data_make(&D, 7, GK_MOD_ADD, 0.6, 5, &err) == GK_OK);
    const size_t n = D.train.n, h = 16, p = 7;
    for (int quad = 0; quad <= 1; quad++) {
        gk_mlp2_opts o = {quad ? GK_MLP2_QUAD : GK_MLP2_RELU, !quad, quad ? 0.5 : 1.0, 0, 0};
        gk_model m64, m32;
        GK_CHECK(gk_mlp2_create(&m64, (int)p, h, &o, &err) == GK_OK);
        o.f32 = 1;
        GK_CHECK(gk_mlp2_create(&m32, (int)p, h, &o, &err) == GK_OK);
        const size_t P = m64.params.size;
        double *theta = calloc(P, sizeof(double)), *g64 = calloc(P, sizeof(double)), *g32 = calloc(P, sizeof(double));
        double *f64 = malloc(n * p * sizeof(double)), *f32 = malloc(n * p * sizeof(double)), *d = malloc(n * p * sizeof(double));
        gk_model_init(&m64, 1.0, 3, theta);
        for (size_t k = 0; k < P; k++) theta[k] = (float)(theta[k] + 0.01 * sin((double)k)); /* b1 != 0 too */
        GK_CHECK(gk_model_reserve(&m64, n, &err) == GK_OK && gk_model_reserve(&m32, n, &err) == GK_OK);
        GK_CHECK(gk_model_forward(&m64, theta, &D.train, n, f64, &err) == GK_OK);
        GK_CHECK(gk_model_forward(&m32, theta, &D.train, n, f32, &err) == GK_OK);
        GK_CHECK_MSG(rel_diff(f32, f64, n * p) < 1e-6, "mlp2 (quad %d): float32 outputs vs float64: %g", quad, rel_diff(f32, f64, n * p));
        gk_softmax_xent_loss_f32(f32, D.y_train, n, p, d);
        gk_model_backward(&m64, theta, &D.train, n, d, g64);
        gk_model_backward(&m32, theta, &D.train, n, d, g32);
        GK_CHECK_MSG(rel_diff(g32, g64, P) < 1e-5, "mlp2 (quad %d): float32 gradient vs float64: %g", quad, rel_diff(g32, g64, P));
        for (size_t k = 0; k < n * p; k++) GK_CHECK((double)(float)f32[k] == f32[k]);
        free(theta), free(g64), free(g32), free(f64), free(f32), free(d);
        gk_model_free(&m64), gk_model_free(&m32);
    }
    gk_mod_data_free(&D);
}

/* L = sum_k (k + 1) theta_k^2 / 2 */
static gk_status quad_obj(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    *loss = 0;
    for (int k = 0; k < 5; k++) grad[k] += (k + 1) * theta[k], *loss += 0.5 * (k + 1) * theta[k] * theta[k];
    return GK_OK;
}

static void test_trainer_f32_params(void) {
    gk_error err;
    gk_trainer tr = {0};
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW, .lr = 0.01, .wd = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-25,
                       .f32_params = 1};
    GK_CHECK(gk_trainer_init(&tr, 5, &o, quad_obj, NULL, NULL, &err) == GK_OK);
    for (int k = 0; k < 5; k++) tr.theta[k] = (float)(0.3 + 0.1 * k);
    GK_CHECK(gk_trainer_start(&tr, &err) == GK_OK);
    GK_CHECK(gk_trainer_advance(&tr, 7, NULL, &err) == GK_OK);
    for (int k = 0; k < 5; k++) {
        GK_CHECK((double)(float)tr.theta[k] == tr.theta[k] && tr.theta[k] != tr.theta0[k]);
        GK_CHECK((double)(float)tr.adam.m[k] == tr.adam.m[k] && (double)(float)tr.adam.v[k] == tr.adam.v[k]);
    }
    gk_trainer_free(&tr);
}

int main(void) {
    GK_RUN(test_loss_gradients_f32);
    GK_RUN(test_softmax_collapse_f32);
    GK_RUN(test_mlp_deep_f32);
    GK_RUN(test_mlp2_f32);
    GK_RUN(test_trainer_f32_params);
    return gk_test_summary();
}
