/* test_mc.c: matrix completion — the factorized model, its fused sparse step, the data and the CSV reader. */
#include "check.h"
#include "exp_row.h"

#include "data/mc_data.h"
#include "exp/exp.h"
#include "model/matfact.h"
#include "train/train.h"

#include <lapacke.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A small problem with diagonal entries and pairs observed both ways. */
enum { SD = 6, SN = 12 };
static const size_t s_rows[SN] = {0, 1, 2, 3, 4, 5, 1, 0, 2, 5, 3, 4};
static const size_t s_cols[SN] = {1, 0, 2, 5, 4, 3, 3, 5, 4, 0, 1, 2};

static void random_theta(size_t d, double *theta, uint64_t seed) {
    gk_rng r;
    gk_rng_seed(&r, seed, 0);
    for (size_t k = 0; k < 2 * d * d; k++) theta[k] = gk_rng_normal(&r) * 0.6;
}

static double loss_at(gk_model *m, const double *theta, const gk_matfact_input *in, const double *y, size_t n, double *f) {
    gk_error err;
    GK_ASSERT(gk_model_forward(m, theta, in, n, f, &err) == GK_OK);
    return gk_mse_loss(f, y, n, NULL);
}

/* Central differences on every coordinate of (U, V) for the MSE loss: relative error below 1e-6. */
static void test_gradcheck(void) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_matfact_model_create(&m, SD, &err) == GK_OK);
    GK_CHECK(m.params.size == 2 * SD * SD);
    double theta[2 * SD * SD], grad[2 * SD * SD] = {0}, f[SN], dldf[SN], y[SN];
    for (int k = 0; k < SN; k++) y[k] = 0.1 * k - 0.4;
    random_theta(SD, theta, 5);
    gk_matfact_input in = {s_rows, s_cols};
    loss_at(&m, theta, &in, y, SN, f);
    gk_mse_loss(f, y, SN, dldf);
    gk_model_backward(&m, theta, &in, SN, dldf, grad);
    double worst = 0;
    for (size_t k = 0; k < 2 * SD * SD; k++) {
        double h = 1e-5, save = theta[k];
        theta[k] = save + h;
        double lp = loss_at(&m, theta, &in, y, SN, f);
        theta[k] = save - h;
        double lm = loss_at(&m, theta, &in, y, SN, f);
        theta[k] = save;
        double fd = (lp - lm) / (2 * h);
        double rel = fabs(fd - grad[k]) / fmax(fabs(fd) + fabs(grad[k]), 1e-8);
        worst = fmax(worst, rel);
    }
    GK_CHECK_MSG(worst < 1e-6, "worst relative error %.3g", worst);
    gk_model_free(&m);
}

/* The O(n_obs d) fused step equals the dense O(d^3) formula and the model-interface path. */
static void test_sparse_step_equals_dense(void) {
    const size_t d = SD, P = 2 * SD * SD;
    double theta[2 * SD * SD], next[2 * SD * SD], y[SN];
    for (int k = 0; k < SN; k++) y[k] = 0.07 * k - 0.3; /* duplicates may even disagree: both terms count */
    random_theta(d, theta, 9);
    const double lr = 0.05, wd = 0.01;
    gk_matfact_plan plan;
    gk_error err;
    GK_CHECK(gk_matfact_plan_make(&plan, d, s_rows, s_cols, y, SN, &err) == GK_OK);
    GK_CHECK(plan.npairs == 7); /* 12 observations: {0,1} {3,5} {1,3} {0,5} {2,4} seen twice, {2,2} {4,4} once */
    GK_CHECK(gk_matfact_mse_gd_step(&plan, theta, next, lr, wd) == GK_OK);

    /* dense: W = U U^T - V V^T, G_ij = sum 2 (W_ij - y)/n, S = G + G^T, grad_U = S U, grad_V = -S V */
    const double *U = theta, *V = theta + d * d;
    double W[SD * SD], G[SD * SD] = {0}, S[SD * SD], ref[2 * SD * SD];
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            double s = 0;
            for (size_t c = 0; c < d; c++) s += U[i * d + c] * U[j * d + c] - V[i * d + c] * V[j * d + c];
            W[i * d + j] = s;
        }
    for (int k = 0; k < SN; k++) G[s_rows[k] * d + s_cols[k]] += 2.0 * (W[s_rows[k] * d + s_cols[k]] - y[k]) / SN;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) S[i * d + j] = G[i * d + j] + G[j * d + i];
    for (size_t i = 0; i < d; i++)
        for (size_t c = 0; c < d; c++) {
            double gu = 0, gv = 0;
            for (size_t j = 0; j < d; j++) gu += S[i * d + j] * U[j * d + c], gv -= S[i * d + j] * V[j * d + c];
            ref[i * d + c] = U[i * d + c] - lr * (gu + wd * U[i * d + c]);
            ref[d * d + i * d + c] = V[i * d + c] - lr * (gv + wd * V[i * d + c]);
        }
    double worst = 0;
    for (size_t k = 0; k < P; k++) worst = fmax(worst, fabs(next[k] - ref[k]));
    GK_CHECK_MSG(worst < 1e-14, "fused vs dense: max |diff| = %.3g", worst);

    /* the model interface: forward -> gk_mse_loss -> backward -> gk_gd_step */
    gk_model m;
    GK_CHECK(gk_matfact_model_create(&m, d, &err) == GK_OK);
    gk_matfact_input in = {s_rows, s_cols};
    double f[SN], dldf[SN], grad[2 * SD * SD] = {0}, th2[2 * SD * SD];
    memcpy(th2, theta, sizeof th2);
    GK_CHECK(gk_model_forward(&m, th2, &in, SN, f, &err) == GK_OK);
    for (int k = 0; k < SN; k++) GK_CHECK_CLOSE(f[k], W[s_rows[k] * d + s_cols[k]], 1e-14, 0);
    gk_mse_loss(f, y, SN, dldf);
    gk_model_backward(&m, th2, &in, SN, dldf, grad);
    gk_gd_step(th2, grad, P, lr, wd);
    worst = 0;
    for (size_t k = 0; k < P; k++) worst = fmax(worst, fabs(next[k] - th2[k]));
    GK_CHECK_MSG(worst < 1e-14, "fused vs model path: max |diff| = %.3g", worst);

    /* gk_matfact_full is W, exactly symmetric */
    double Wf[SD * SD];
    gk_matfact_full(d, theta, Wf);
    for (size_t k = 0; k < d * d; k++) GK_CHECK_CLOSE(Wf[k], W[k], 1e-14, 0);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) GK_CHECK(Wf[i * d + j] == Wf[j * d + i]);

    /* a non-finite target is reported */
    double ybad[SN];
    memcpy(ybad, y, sizeof ybad);
    ybad[4] = NAN;
    gk_matfact_plan bad;
    GK_CHECK(gk_matfact_plan_make(&bad, d, s_rows, s_cols, ybad, SN, &err) == GK_OK);
    GK_CHECK(gk_matfact_mse_gd_step(&bad, theta, next, lr, wd) == GK_ENONFINITE);
    gk_matfact_plan_free(&bad);
    gk_matfact_plan_free(&plan);
    gk_model_free(&m);
}

/* Init: alpha I (W = 0); with sigma, a seeded perturbation. */
static void test_init(void) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_matfact_model_create(&m, 4, &err) == GK_OK);
    double th[32], th2[32], W[16];
    gk_matfact_init(&m, 3.0, 0.0, 1, th);
    for (size_t k = 0; k < 32; k++) GK_CHECK(th[k] == ((k % 16) / 4 == k % 4 ? 3.0 : 0.0));
    gk_matfact_full(4, th, W);
    for (size_t k = 0; k < 16; k++) GK_CHECK(W[k] == 0.0);
    gk_matfact_init(&m, 3.0, 1e-3, 1, th);
    gk_matfact_init(&m, 3.0, 1e-3, 1, th2);
    GK_CHECK(memcmp(th, th2, sizeof th) == 0);
    double dev = 0;
    for (size_t k = 0; k < 32; k++) dev = fmax(dev, fabs(th[k] - ((k % 16) / 4 == k % 4 ? 3.0 : 0.0)));
    GK_CHECK(dev > 0 && dev < 1e-2);
    gk_model_free(&m);
}

/* Same bits for 1 and 2 threads on a problem large enough for the step to run threaded. */
static void test_threads_bitwise(void) {
    const size_t d = 160, nobs = 4000;
    double *X = malloc(d * d * sizeof *X);
    gk_mc_target_multiply(d, X);
    gk_mc_data D;
    gk_error err;
    GK_CHECK(gk_mc_data_make(&D, X, d, nobs, 3, &err) == GK_OK);
    gk_matfact_plan plan;
    GK_CHECK(gk_matfact_plan_make(&plan, d, D.obs_i, D.obs_j, D.obs_y, D.nobs, &err) == GK_OK);
    GK_CHECK((double)(plan.npairs + plan.row_ptr[d]) * (double)d >= 1e6); /* threaded */
    size_t P = 2 * d * d;
    double *a = malloc(P * sizeof *a), *b = malloc(P * sizeof *b), *c = malloc(P * sizeof *c), *e = malloc(P * sizeof *e);
    gk_model m;
    GK_CHECK(gk_matfact_model_create(&m, d, &err) == GK_OK);
    gk_matfact_init(&m, 2.0, 1e-3, 4, a);
    memcpy(c, a, P * sizeof *a);
    int old = omp_get_max_threads();
    omp_set_num_threads(1);
    for (int s = 0; s < 5; s++) {
        GK_CHECK(gk_matfact_mse_gd_step(&plan, a, b, 0.1, 1e-3) == GK_OK);
        double *t = a;
        a = b, b = t;
    }
    omp_set_num_threads(2);
    for (int s = 0; s < 5; s++) {
        GK_CHECK(gk_matfact_mse_gd_step(&plan, c, e, 0.1, 1e-3) == GK_OK);
        double *t = c;
        c = e, e = t;
    }
    omp_set_num_threads(old);
    GK_CHECK(memcmp(a, c, P * sizeof *a) == 0);
    double *W1 = malloc(d * d * sizeof *W1), *W2 = malloc(d * d * sizeof *W2);
    omp_set_num_threads(1);
    gk_matfact_full(d, a, W1);
    omp_set_num_threads(2);
    gk_matfact_full(d, a, W2);
    omp_set_num_threads(old);
    GK_CHECK(memcmp(W1, W2, d * d * sizeof *W1) == 0);
    free(a), free(b), free(c), free(e), free(W1), free(W2);
    gk_model_free(&m);
    gk_matfact_plan_free(&plan);
    gk_mc_data_free(&D);
}

static void test_targets(void) {
    const size_t d = 13;
    double X[13 * 13];
    gk_mc_target_multiply(d, X);
    GK_CHECK(X[0] == 0.0);
    GK_CHECK_CLOSE(X[3 * d + 5], 15.0 / 169.0, 0, 1e-15);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) GK_CHECK(X[i * d + j] == X[j * d + i]);
    /* random rank 3: symmetric, exactly 3 non-zero eigenvalues, rms entry 0.3, seeded */
    double Y[13 * 13], Y2[13 * 13], ev[13];
    gk_mc_target_lowrank(d, 3, 7, Y);
    gk_mc_target_lowrank(d, 3, 7, Y2);
    GK_CHECK(memcmp(Y, Y2, sizeof Y) == 0);
    double ss = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++) {
            GK_CHECK(Y[i * d + j] == Y[j * d + i]);
            ss += Y[i * d + j] * Y[i * d + j];
        }
    GK_CHECK_CLOSE(sqrt(ss / (double)(d * d)), 0.3, 0, 1e-12);
    memcpy(Y2, Y, sizeof Y);
    GK_CHECK(LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)d, Y2, (lapack_int)d, ev) == 0);
    int nz = 0;
    for (size_t k = 0; k < d; k++) nz += fabs(ev[k]) > 1e-10 * fabs(ev[d - 1]);
    GK_CHECK_MSG(nz == 3, "rank %d", nz);
    GK_CHECK(ev[0] > -1e-12); /* PSD */
}

static void test_observed_set(void) {
    const size_t d = 20, nobs = 57;
    double *X = malloc(d * d * sizeof *X);
    gk_mc_target_multiply(d, X);
    gk_mc_data D;
    gk_error err;
    GK_CHECK(gk_mc_data_make(&D, X, d, nobs, 35235125, &err) == GK_OK);
    GK_CHECK(D.nobs == nobs && D.ntest == d * d - nobs);
    size_t marked = 0, up = 0;
    for (size_t k = 0; k < d * d; k++) marked += D.observed[k];
    GK_CHECK(marked == nobs); /* distinct entries */
    for (size_t t = 0; t < nobs; t++) GK_CHECK(D.obs_y[t] == D.target[D.obs_i[t] * d + D.obs_j[t]]);
    for (size_t t = 0; t < D.ntest; t++) GK_CHECK(!D.observed[D.test_i[t] * d + D.test_j[t]]);
    for (size_t i = 0; i < d; i++)
        for (size_t j = i; j < d; j++) up += !D.observed[i * d + j] && !D.observed[j * d + i];
    GK_CHECK(D.nup == up);
    for (size_t t = 0; t < D.nup; t++) {
        GK_CHECK(D.up_i[t] <= D.up_j[t]);
        GK_CHECK(!D.observed[D.up_i[t] * d + D.up_j[t]] && !D.observed[D.up_j[t] * d + D.up_i[t]]);
    }
    /* seeded: the same seed gives the same set, another seed another */
    double *X2 = malloc(d * d * sizeof *X2), *X3 = malloc(d * d * sizeof *X3);
    gk_mc_target_multiply(d, X2);
    gk_mc_target_multiply(d, X3);
    gk_mc_data D2, D3;
    GK_CHECK(gk_mc_data_make(&D2, X2, d, nobs, 35235125, &err) == GK_OK);
    GK_CHECK(gk_mc_data_make(&D3, X3, d, nobs, 2, &err) == GK_OK);
    GK_CHECK(memcmp(D.observed, D2.observed, d * d) == 0);
    GK_CHECK(memcmp(D.observed, D3.observed, d * d) != 0);
    /* out of range: 0 and d^2 + 1 observed entries */
    double *X4 = malloc(d * d * sizeof *X4), *X5 = malloc(d * d * sizeof *X5);
    gk_mc_data D4;
    GK_CHECK(gk_mc_data_make(&D4, X4, d, 0, 1, &err) == GK_EINVAL);
    GK_CHECK(gk_mc_data_make(&D4, X5, d, d * d + 1, 1, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "n_obs=401") != NULL);
    gk_mc_data_free(&D);
    gk_mc_data_free(&D2);
    gk_mc_data_free(&D3);
}

static char tmpdir[256];

static const char *write_tmp(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    GK_ASSERT(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_csv_error(const char *name, const char *text, const char *needle) {
    const char *path = write_tmp(name, text);
    double *X = NULL;
    size_t d = 0;
    gk_error err = {{0}};
    gk_status s = gk_mc_read_csv(path, &X, &d, &err);
    GK_CHECK_MSG(s == GK_EINVAL, "%s: status %d", name, (int)s);
    GK_CHECK_MSG(strstr(err.msg, path) != NULL, "%s: message does not name the file: %s", name, err.msg);
    GK_CHECK_MSG(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", name, err.msg, needle);
    GK_CHECK(X == NULL);
}

static void test_csv(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gk_test_mc_XXXXXX");
    GK_ASSERT(mkdtemp(tmpdir));
    const char *good = write_tmp("good.csv", "# a comment\n1, 2,3\n\n2,5,-0.5\r\n3,-0.5,1e-3\n");
    double *X = NULL;
    size_t d = 0;
    gk_error err;
    GK_CHECK(gk_mc_read_csv(good, &X, &d, &err) == GK_OK);
    GK_CHECK(d == 3);
    if (X && d == 3) {
        double want[9] = {1, 2, 3, 2, 5, -0.5, 3, -0.5, 1e-3};
        for (int k = 0; k < 9; k++) GK_CHECK(X[k] == want[k]);
    }
    free(X);
    expect_csv_error("nonnum.csv", "1,2\n2,abc\n", "line 2, column 2 is not a number");
    expect_csv_error("inf.csv", "1,inf\ninf,1\n", "not finite");
    expect_csv_error("rect.csv", "1,2,3\n2,1,4\n", "not square");
    expect_csv_error("tall.csv", "1,2\n2,1\n3,3\n", "not square");
    expect_csv_error("ragged.csv", "1,2,3\n2,1\n3,1,1\n", "line 2 has 2 values");
    expect_csv_error("asym.csv", "1,2\n3,1\n", "not symmetric");
    expect_csv_error("empty.csv", "# nothing\n\n", "no rows");
    expect_csv_error("trailing.csv", "1,2,\n2,1,\n", "not a number");
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.csv", tmpdir);
    GK_CHECK(gk_mc_read_csv(missing, &X, &d, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "cannot open") != NULL && strstr(err.msg, missing) != NULL);
    const char *names[] = {"good.csv", "nonnum.csv", "inf.csv", "rect.csv", "tall.csv", "ragged.csv", "asym.csv",
                           "empty.csv", "trailing.csv"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[k]);
        unlink(p);
    }
    rmdir(tmpdir);
}

/* The experiment at step 0: W = 0, so test MSE = mean X*^2 over the test entries and the distance to the
 * zero fill is ||X*_test|| / ||X*_test|| = 1 (zero fill is 0 off the observed pairs, except mirrors). */
static void test_experiment_step0(void) {
    const gk_preset *p = gk_preset_find("mc-multiply-fast");
    GK_CHECK(p != NULL);
    if (!p) return;
    const char *assign[] = {"d=12", "n_obs=30", "steps=50", "lr=0.02"}; /* lr < n/(8 alpha^2): stable */
    gk_config cfg;
    gk_error err;
    GK_CHECK(gk_preset_config(p, assign, 4, &cfg, &err) == GK_OK);
    void *st = NULL;
    GK_CHECK(p->type->create(&cfg, &st, &err) == GK_OK);
    gk_metrics m;
    gk_metrics_init(&m);
    GK_CHECK(exp_declare_columns(p->type, st, &m, &err) == GK_OK);
    double *row = calloc((size_t)m.ncols, sizeof *row);
    GK_CHECK(exp_eval_row(p->type, st, row, &err) == GK_OK);
    double X[144];
    gk_mc_target_multiply(12, X);
    gk_mc_data D; /* the same draw as the experiment */
    double *Xc = malloc(sizeof X);
    memcpy(Xc, X, sizeof X);
    GK_CHECK(gk_mc_data_make(&D, Xc, 12, 30, 1, &err) == GK_OK);
    double s = 0, tr = 0;
    for (size_t t = 0; t < D.ntest; t++) s += D.test_y[t] * D.test_y[t];
    for (size_t t = 0; t < D.nobs; t++) tr += D.obs_y[t] * D.obs_y[t];
    GK_CHECK_CLOSE(row[2 + 0], tr / (double)D.nobs, 0, 1e-14);  /* train_loss */
    GK_CHECK_CLOSE(row[2 + 1], s / (double)D.ntest, 0, 1e-14);  /* test_loss */
    GK_CHECK_CLOSE(row[2 + 5], 0.0, 1e-14, 0);                  /* nuclear_norm of W = 0 */
    GK_CHECK_CLOSE(row[2 + 14], 1.0, 0, 1e-14);                 /* dist_target */
    GK_CHECK_CLOSE(p->type->predicted_step(st), log(10.0) / (1e-3 * 0.02), 0, 1e-12);
    gk_trainer *trn = p->type->trainer(st);
    GK_CHECK(trn->table != NULL && trn->table->size == trn->P); /* the weights are written (U, V) */
    gk_status as = gk_trainer_advance(trn, 50, NULL, &err);
    GK_CHECK_MSG(as == GK_OK && trn->step == 50, "%s", err.msg);
    GK_CHECK(exp_eval_row(p->type, st, row, &err) == GK_OK);
    GK_CHECK(row[2 + 0] < 1e-4);                                /* the train set is fit */
    GK_CHECK(row[2 + 12] < 0.05);                               /* and W is near the zero fill */
    free(row);
    gk_metrics_free(&m);
    gk_mc_data_free(&D);
    p->type->destroy(st);
    /* cross-key checks */
    const char *bad1[] = {"d=5", "n_obs=26"};
    GK_CHECK(gk_preset_config(p, bad1, 2, &cfg, &err) == GK_EINVAL && strstr(err.msg, "n_obs=26") != NULL);
    const char *bad2[] = {"target=lowrank", "d=5", "rank=6"};
    GK_CHECK(gk_preset_config(p, bad2, 3, &cfg, &err) == GK_EINVAL && strstr(err.msg, "rank=6") != NULL);
    const char *bad3[] = {"target=csv"};
    GK_CHECK(gk_preset_config(p, bad3, 1, &cfg, &err) == GK_EINVAL && strstr(err.msg, "target_csv") != NULL);
    const char *bad4[] = {"obs_frac=0"};
    GK_CHECK(gk_preset_config(p, bad4, 1, &cfg, &err) == GK_EINVAL && strstr(err.msg, "obs_frac=0 is out of range"));
    const char *bad5[] = {"obs_frac=1.5"};
    GK_CHECK(gk_preset_config(p, bad5, 1, &cfg, &err) == GK_EINVAL);
}

int main(void) {
    GK_RUN(test_gradcheck);
    GK_RUN(test_sparse_step_equals_dense);
    GK_RUN(test_init);
    GK_RUN(test_threads_bitwise);
    GK_RUN(test_targets);
    GK_RUN(test_observed_set);
    GK_RUN(test_csv);
    GK_RUN(test_experiment_step0);
    return gk_test_summary();
}
