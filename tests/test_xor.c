/* test_xor.c: the XOR cluster data (Xu et al. 2024, Def. 2.1) and the two-layer ReLU net with fixed output
 * weights: gradient check, data statistics, thread independence, the fused GD step, and the one-step
 * phenomenon (after one GD step the net fits the noisy labels and agrees with the linear classifier). */
#include "check.h"
#include "exp_row.h"

#include "data/xor_data.h"
#include "run/run.h"
#include "model/relu2.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static double loss_at(gk_model *m, const gk_relu2_input *in, const double *y, const double *W, double *f) {
    gk_error err;
    GK_ASSERT(gk_model_forward(m, W, in, in->n, f, &err) == GK_OK);
    return gk_logistic_loss(f, y, in->n, NULL, NULL);
}

/* Central differences on every entry of W; the pre-activations are kept at least 1e-2 away from the ReLU
 * kink so that the step h = 1e-6 never crosses it. Relative error below 1e-6. */
static void test_gradcheck(void) {
    enum { P = 7, N = 9, M = 5 };
    gk_xor_data D;
    gk_error err;
    GK_CHECK(gk_xor_data_make(&D, P, N, 3, 1.5, 0.2, 5, &err) == GK_OK);
    gk_model m;
    GK_CHECK(gk_relu2_create(&m, P, M, &err) == GK_OK);
    GK_CHECK(m.params.count == 1 && m.params.size == (size_t)(M * P) && !strcmp(m.params.t[0].name, "W"));
    double W[M * P], grad[M * P], f[N], dldf[N];
    gk_relu2_input in = {N, P, D.X_train};
    uint64_t s = 11;
    double min_h = 0;
    do { /* a draw of W (scale 0.5) with every |<w_j, x_i>| >= 1e-2 and both signs present */
        gk_relu2_init(&m, 0.5, s++, W);
        min_h = INFINITY;
        for (int j = 0; j < M; j++)
            for (int i = 0; i < N; i++) min_h = fmin(min_h, fabs(gk_dot(W + j * P, D.X_train + i * P, P)));
    } while (min_h < 1e-2);
    loss_at(&m, &in, D.y_train, W, f);
    gk_logistic_loss(f, D.y_train, N, dldf, NULL);
    for (int k = 0; k < M * P; k++) grad[k] = 0.25; /* backward accumulates */
    gk_model_backward(&m, W, &in, N, dldf, grad);
    double worst = 0, h = 1e-6;
    for (int k = 0; k < M * P; k++) {
        double save = W[k];
        W[k] = save + h;
        double lp = loss_at(&m, &in, D.y_train, W, f);
        W[k] = save - h;
        double lm = loss_at(&m, &in, D.y_train, W, f);
        W[k] = save;
        double fd = (lp - lm) / (2 * h), g = grad[k] - 0.25;
        worst = fmax(worst, fabs(fd - g) / fmax(fabs(fd) + fabs(g), 1e-8));
    }
    GK_CHECK_MSG(worst < 1e-6, "worst relative error %.3g", worst);
    /* the output weights are +-1/sqrt(m) and both signs occur over many draws */
    const double *a = gk_relu2_a(&m);
    for (int j = 0; j < M; j++) GK_CHECK_CLOSE(fabs(a[j]), 1.0 / sqrt((double)M), 0, 1e-15);
    gk_model_free(&m);
    gk_xor_data_free(&D);
}

/* mu1 _|_ mu2 with the given norm; class balance, cluster balance, flip rate within binomial error;
 * x = s mu_k + z with the noise centred and of unit variance. */
static void test_data_statistics(void) {
    const size_t p = 400, n = 4000, nt = 2000;
    const double mu = 3.0, eta = 0.1;
    gk_xor_data D;
    gk_error err;
    GK_CHECK(gk_xor_data_make(&D, p, n, nt, mu, eta, 17, &err) == GK_OK);
    GK_CHECK_CLOSE(gk_norm2(D.mu1, p), mu, 0, 1e-12);
    GK_CHECK_CLOSE(gk_norm2(D.mu2, p), mu, 0, 1e-12);
    GK_CHECK(fabs(gk_dot(D.mu1, D.mu2, p)) < 1e-12 * mu * mu);
    double pos = 0, flips = 0, noise_sq = 0, noise_mean = 0;
    size_t clusters[5] = {0};
    int consistent = 1;
    for (size_t i = 0; i < n; i++) {
        const double *x = D.X_train + i * p;
        int c = D.cluster_train[i];
        clusters[c + 2]++;
        pos += D.yc_train[i] > 0;
        flips += D.flipped[i];
        consistent &= (D.flipped[i] ? -1.0 : 1.0) * D.yc_train[i] == D.y_train[i];
        consistent &= (abs(c) == 1) == (D.yc_train[i] > 0);
        const double *muk = abs(c) == 1 ? D.mu1 : D.mu2;
        double sgn = c > 0 ? 1.0 : -1.0;
        for (size_t j = 0; j < p; j++) {
            double z = x[j] - sgn * muk[j];
            noise_sq += z * z;
            noise_mean += z;
        }
    }
    GK_CHECK(consistent);
    GK_CHECK_MSG(D.n_flipped == (size_t)flips, "n_flipped %zu", D.n_flipped);
    double se = sqrt(eta * (1 - eta) / n);
    GK_CHECK_MSG(fabs(flips / n - eta) < 4 * se, "flip rate %.4f, eta %.2f +- %.4f", flips / n, eta, 4 * se);
    GK_CHECK_MSG(fabs(pos / n - 0.5) < 4 * sqrt(0.25 / n), "class +1 share %.4f", pos / n);
    for (int c = 0; c < 5; c++) {
        if (c == 2) {
            GK_CHECK(clusters[c] == 0);
            continue;
        }
        GK_CHECK_MSG(fabs((double)clusters[c] / n - 0.25) < 4 * sqrt(0.25 * 0.75 / n), "cluster %d share %.4f", c - 2,
                     (double)clusters[c] / n);
    }
    double N = (double)n * p;
    GK_CHECK_MSG(fabs(noise_sq / N - 1) < 0.01, "noise variance %.4f", noise_sq / N);
    GK_CHECK_MSG(fabs(noise_mean / N) < 0.01, "noise mean %.4f", noise_mean / N);
    /* the test set is clean: y = +1 exactly on the mu1 clusters */
    int clean = 1;
    double tpos = 0;
    for (size_t i = 0; i < nt; i++) {
        const double *x = D.X_test + i * p;
        double u = fabs(gk_dot(x, D.mu1, p)), v = fabs(gk_dot(x, D.mu2, p));
        /* |<x, mu_k>| ~ mu^2 = 9 on its own cluster, ~ N(0, mu^2) on the other: compare the two */
        clean &= (u > v) == (D.y_test[i] > 0) || fabs(u - v) < 3 * mu; /* a few overlapping points allowed */
        tpos += D.y_test[i] > 0;
    }
    GK_CHECK(clean);
    GK_CHECK(fabs(tpos / nt - 0.5) < 4 * sqrt(0.25 / nt));
    gk_xor_data_free(&D);
}

/* The data, the init and one GD step do not depend on the thread count; another seed changes the data. */
static void test_threads_and_seed(void) {
    gk_xor_data A, B, C;
    gk_error err;
    omp_set_num_threads(1);
    GK_CHECK(gk_xor_data_make(&A, 300, 37, 21, 2.0, 0.1, 9, &err) == GK_OK);
    omp_set_num_threads(2);
    GK_CHECK(gk_xor_data_make(&B, 300, 37, 21, 2.0, 0.1, 9, &err) == GK_OK);
    GK_CHECK(gk_xor_data_make(&C, 300, 37, 21, 2.0, 0.1, 10, &err) == GK_OK);
    GK_CHECK(!memcmp(A.X_train, B.X_train, 37 * 300 * sizeof(double)));
    GK_CHECK(!memcmp(A.X_test, B.X_test, 21 * 300 * sizeof(double)));
    GK_CHECK(!memcmp(A.y_train, B.y_train, 37 * sizeof(double)));
    GK_CHECK(memcmp(A.X_train, C.X_train, 37 * 300 * sizeof(double)) != 0);
    gk_xor_data_free(&A);
    gk_xor_data_free(&B);
    gk_xor_data_free(&C);
}

/* The blocked products (fixed output blocks over the OpenMP threads, each a single-threaded dgemm) give
 * bitwise the same forward and backward for 1 and 2 threads, and match a plain triple loop. The sizes are
 * odd (uneven blocks, a cut off the 8-double grid) and above the size where the blocks run in parallel. */
static void test_blocked_products_threads(void) {
    const size_t p = 3001, n = 37, m = 101;
    gk_xor_data D;
    gk_error err;
    GK_CHECK(gk_xor_data_make(&D, p, n, 5, 4.0, 0.1, 21, &err) == GK_OK);
    gk_model mod;
    GK_CHECK(gk_relu2_create(&mod, p, m, &err) == GK_OK);
    double *W = malloc(m * p * sizeof(double)), *G[2], f[2][37], d[37];
    gk_relu2_init(&mod, 0.1, 4, W);
    gk_relu2_input in = {n, p, D.X_train};
    for (size_t i = 0; i < n; i++) d[i] = 0.5 - (double)i / n; /* both signs */
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        G[t] = malloc(m * p * sizeof(double));
        for (size_t k = 0; k < m * p; k++) G[t][k] = 0.125;
        GK_CHECK(gk_model_forward(&mod, W, &in, n, f[t], &err) == GK_OK);
        gk_model_backward(&mod, W, &in, n, d, G[t]);
    }
    GK_CHECK_MSG(!memcmp(f[0], f[1], sizeof f[0]), "forward differs between 1 and 2 threads");
    GK_CHECK_MSG(!memcmp(G[0], G[1], m * p * sizeof(double)), "backward differs between 1 and 2 threads");
    const double *a = gk_relu2_a(&mod);
    double worst_f = 0, worst_g = 0, scale_g = 0;
    double *h = malloc(n * m * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double fi = 0;
        for (size_t j = 0; j < m; j++) {
            h[i * m + j] = gk_dot(D.X_train + i * p, W + j * p, p);
            fi += h[i * m + j] > 0 ? a[j] * h[i * m + j] : 0.0;
        }
        worst_f = fmax(worst_f, fabs(fi - f[0][i]) / fmax(fabs(fi), 1e-12));
    }
    for (size_t j = 0; j < m; j += 7)
        for (size_t k = 0; k < p; k++) {
            double g = 0.125;
            for (size_t i = 0; i < n; i++) g += h[i * m + j] > 0 ? d[i] * a[j] * D.X_train[i * p + k] : 0.0;
            worst_g = fmax(worst_g, fabs(g - G[0][j * p + k]));
            scale_g = fmax(scale_g, fabs(g));
        }
    GK_CHECK_MSG(worst_f < 1e-10, "forward vs loop: relative error %.3g", worst_f);
    GK_CHECK_MSG(worst_g < 1e-12 * scale_g, "backward vs loop: error %.3g (scale %.3g)", worst_g, scale_g);
    omp_set_num_threads(2);
    free(h);
    free(W);
    free(G[0]);
    free(G[1]);
    gk_model_free(&mod);
    gk_xor_data_free(&D);
}

/* The fused step (dout = -lr dL/df, grad = theta) equals W - lr grad_W, and after ONE step from a tiny
 * init the net fits every noisy train label (flipped ones included) and agrees with the linear classifier
 * sign <sum_i y_i x_i, x> on most test points, which is at chance on XOR. */
static void test_one_step(void) {
    const size_t p = 8000, n = 40, nt = 400, m = 1000; /* p/n = 200 as in the paper */
    const double lr = 1e-10;
    gk_xor_data D;
    gk_error err;
    GK_CHECK(gk_xor_data_make(&D, p, n, nt, 2.5 * sqrt((double)p / n), 0.05, 3, &err) == GK_OK);
    gk_model mod;
    GK_CHECK(gk_relu2_create(&mod, p, m, &err) == GK_OK);
    double *W = malloc(m * p * sizeof(double)), *W2 = malloc(m * p * sizeof(double));
    double *g = calloc(m * p, sizeof(double)), *f = malloc(nt * sizeof(double)), *d = malloc(n * sizeof(double));
    double *v = calloc(p, sizeof(double));
    gk_relu2_init(&mod, 1e-15, 3, W);
    memcpy(W2, W, m * p * sizeof(double));
    gk_relu2_input tr = {n, p, D.X_train}, te = {nt, p, D.X_test};
    GK_CHECK(gk_model_forward(&mod, W, &tr, n, f, &err) == GK_OK);
    gk_logistic_loss(f, D.y_train, n, d, NULL);
    gk_model_backward(&mod, W, &tr, n, d, g);
    gk_gd_step(W2, g, m * p, lr, 0.0);
    GK_CHECK(gk_model_forward(&mod, W, &tr, n, f, &err) == GK_OK);
    for (size_t i = 0; i < n; i++) d[i] *= -lr;
    gk_model_backward(&mod, W, &tr, n, d, W); /* fused, in place */
    double diff = gk_dist2(W, W2, m * p), nrm = gk_norm2(W2, m * p);
    GK_CHECK_MSG(diff <= 1e-12 * nrm, "fused step differs from W - lr grad by %.3g (|W| %.3g)", diff, nrm);
    double acc;
    GK_CHECK(gk_model_forward(&mod, W, &tr, n, f, &err) == GK_OK);
    gk_logistic_loss(f, D.y_train, n, NULL, &acc);
    GK_CHECK_MSG(acc == 1.0, "train acc after one step %.3f", acc);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++) v[j] += D.y_train[i] * D.X_train[i * p + j];
    GK_CHECK(gk_model_forward(&mod, W, &te, nt, f, &err) == GK_OK);
    double agree = 0, lin_acc = 0;
    for (size_t i = 0; i < nt; i++) {
        double l = gk_dot(v, D.X_test + i * p, p);
        agree += (f[i] > 0) == (l > 0);
        lin_acc += D.y_test[i] * l > 0;
    }
    gk_logistic_loss(f, D.y_test, nt, NULL, &acc);
    GK_CHECK_MSG(agree / nt >= 0.95, "agreement with the linear classifier %.3f", agree / nt);
    GK_CHECK_MSG(fabs(lin_acc / nt - 0.5) < 0.08, "linear classifier test acc %.3f (chance on XOR)", lin_acc / nt);
    GK_CHECK_MSG(fabs(acc - 0.5) < 0.08, "test acc after one step %.3f", acc);
    free(W);
    free(W2);
    free(g);
    free(f);
    free(d);
    free(v);
    gk_model_free(&mod);
    gk_xor_data_free(&D);
}

/* Every eval row (step, time, the xor columns) of a `xor` run with the given extra keys, evaluated at every
 * step 0..steps, through the experiment type (no files). Returns rows x *ncols values. */
static double *xor_rows(const char *const *keys, int nkeys, long steps, int threads, int *ncols) {
    const gk_preset *pr = gk_preset_find("xor");
    GK_ASSERT(pr);
    gk_config cfg;
    gk_error err;
    GK_ASSERT(gk_preset_config(pr, keys, nkeys, &cfg, &err) == GK_OK);
    gk_apply_threads(&cfg);
    omp_set_num_threads(threads);
    void *st = NULL;
    GK_ASSERT(pr->type->create(&cfg, &st, &err) == GK_OK);
    gk_metrics m;
    gk_metrics_init(&m);
    GK_ASSERT(exp_declare_columns(pr->type, st, &m, &err) == GK_OK);
    *ncols = m.ncols;
    double *rows = calloc((size_t)(steps + 1) * (size_t)m.ncols, sizeof(double));
    for (long t = 0; t <= steps; t++) {
        if (t > 0) GK_ASSERT(gk_trainer_advance(pr->type->trainer(st), t, NULL, &err) == GK_OK);
        GK_ASSERT(pr->type->trainer(st)->step == t);
        double *row = rows + (size_t)t * (size_t)m.ncols;
        row[0] = (double)t;
        GK_ASSERT(exp_eval_row(pr->type, st, row, &err) == GK_OK);
    }
    pr->type->destroy(st);
    gk_metrics_free(&m);
    omp_set_num_threads(2);
    return rows;
}

static int col_is(const char *name, const char *const *set, int n) {
    for (int k = 0; k < n; k++)
        if (!strcmp(name, set[k])) return 1;
    return 0;
}

/* The span path (GD on the coefficients A, products computed once) and the direct path (GD on W) give the
 * same run: at every step the accuracies (and agree_linear, the spread columns) are equal, the losses, norms
 * and alignments equal to 1e-10 relative. Two seeds, 12 steps, p = 2000 (the test accuracy rises from 0.5). */
static void test_span_equals_direct(void) {
    const char *common[] = {"p=2000", "n=40", "m=100", "n_test=200", "seeds=2", "boundary_steps=", "steps=12"};
    const char *keys[2][8];
    for (int k = 0; k < 7; k++) keys[0][k] = keys[1][k] = common[k];
    keys[0][7] = "path=span";
    keys[1][7] = "path=direct";
    int nc[2];
    double *R[2];
    for (int k = 0; k < 2; k++) R[k] = xor_rows(keys[k], 8, 12, 2, &nc[k]);
    GK_CHECK(nc[0] == nc[1] && nc[0] == 2 + 13 + 6);
    const char *exact[] = {"train_acc", "train_acc_clean", "train_acc_flipped", "test_acc", "agree_linear",
                           "train_acc_std", "train_acc_min", "train_acc_max", "test_acc_std", "test_acc_min",
                           "test_acc_max"};
    const char *names[] = {"step", "time", "train_loss", "train_acc", "train_acc_clean", "train_acc_flipped",
                           "test_loss", "test_acc", "param_norm", "rel_dist_from_init", "align_pos_mu1",
                           "align_pos_mu2", "align_neg_mu1", "align_neg_mu2", "agree_linear", "train_acc_std",
                           "train_acc_min", "train_acc_max", "test_acc_std", "test_acc_min", "test_acc_max"};
    double worst = 0;
    int unequal = 0;
    for (long t = 0; t <= 12; t++)
        for (int c = 0; c < nc[0]; c++) {
            double a = R[0][t * nc[0] + c], b = R[1][t * nc[0] + c];
            if (col_is(names[c], exact, 11)) {
                if (a != b) unequal++, fprintf(stderr, "  step %ld %s: span %.17g, direct %.17g\n", t, names[c], a, b);
            } else {
                double r = a == b ? 0 : fabs(a - b) / fmax(fabs(a), fabs(b));
                worst = fmax(worst, r);
            }
        }
    GK_CHECK_MSG(unequal == 0, "%d accuracy values differ between the paths", unequal);
    GK_CHECK_MSG(worst <= 1e-10, "losses, norms, alignments: worst relative difference %.3g", worst);
    /* the run does something: the test accuracy moves from chance to > 0.8, the norm grows */
    GK_CHECK_MSG(R[0][7] < 0.6 && R[0][12 * nc[0] + 7] > 0.8, "test acc %.3f -> %.3f", R[0][7], R[0][12 * nc[0] + 7]);
    GK_CHECK(R[0][12 * nc[0] + 8] > 10 * R[0][8]);
    free(R[0]);
    free(R[1]);
}

/* The span path with threads 1 and 2: byte-identical rows, at sizes where every product is cut into blocks
 * run in parallel (train n^2 m and test n_test n m above the threshold); seeds=1: no spread columns. */
static void test_span_threads(void) {
    const char *keys[] = {"p=1000", "n=100", "m=500", "n_test=300", "seeds=1", "boundary_steps=", "lr=1e-9", "steps=4"};
    int nc[2];
    double *R[2];
    for (int k = 0; k < 2; k++) R[k] = xor_rows(keys, 8, 4, k + 1, &nc[k]);
    GK_CHECK(nc[0] == 2 + 13 && nc[1] == nc[0]);
    GK_CHECK_MSG(!memcmp(R[0], R[1], 5 * (size_t)nc[0] * sizeof(double)), "rows differ between 1 and 2 threads");
    free(R[0]);
    free(R[1]);
}

int main(void) {
    GK_RUN(test_gradcheck);
    GK_RUN(test_data_statistics);
    GK_RUN(test_threads_and_seed);
    GK_RUN(test_blocked_products_threads);
    GK_RUN(test_one_step);
    GK_RUN(test_span_equals_direct);
    GK_RUN(test_span_threads);
    return gk_test_summary();
}
