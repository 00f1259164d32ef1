/* xor_data.c: XOR cluster data (Xu et al. 2024, Def. 2.1). See xor_data.h.
 *
 * Normal draws: gk_rng_normals (core/rng.c) (both values of each polar pair: half the logarithms of gk_rng_normal).
 * Random streams (all from `seed`): stream 0 draws the two directions; stream XOR_TRAIN + i draws train
 * row i (clean label, cluster sign, flip, noise); stream XOR_TEST + i draws test row i. Rows are filled
 * in parallel with a static partition; each row's values depend only on its own stream.
 * The test set is stratified: row i lies in cluster i mod 4 (+mu1, +mu2, -mu1, -mu2), so that each cluster
 * holds a quarter of it. That is an unbiased estimate of the clean test accuracy with less variance: the
 * linear classifier sign <sum y_i x_i, x>, which labels whole clusters alike, scores 1/2 up to the noise,
 * not 1/2 +- the sampling error of the cluster shares. */
#include "data/xor_data.h"

#include "data/userdata.h"

#include "io/samples_csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XOR_TRAIN (UINT64_C(1) << 40)
#define XOR_TEST (UINT64_C(2) << 40)

/* Two orthonormal directions by Gram-Schmidt on Gaussian vectors, then scaled to mu_norm. */
static void make_directions(gk_xor_data *D, uint64_t seed) {
    gk_rng r;
    gk_rng_seed(&r, seed, 0);
    size_t p = D->p;
    for (size_t j = 0; j < p; j++) D->mu1[j] = gk_rng_normal(&r);
    for (size_t j = 0; j < p; j++) D->mu2[j] = gk_rng_normal(&r);
    double n1 = gk_norm2(D->mu1, p);
    for (size_t j = 0; j < p; j++) D->mu1[j] /= n1;
    double c = gk_dot(D->mu1, D->mu2, p);
    for (size_t j = 0; j < p; j++) D->mu2[j] -= c * D->mu1[j];
    c = gk_dot(D->mu1, D->mu2, p); /* a second pass makes the pair orthogonal to rounding */
    for (size_t j = 0; j < p; j++) D->mu2[j] -= c * D->mu1[j];
    double n2 = gk_norm2(D->mu2, p);
    for (size_t j = 0; j < p; j++) {
        D->mu1[j] *= D->mu_norm;
        D->mu2[j] *= D->mu_norm / n2;
    }
}

/* One row: x = s mu_k + z. Returns the clean label; *cluster = +-1 (mu1) or +-2 (mu2); *flip for train. */
static double make_row(const gk_xor_data *D, uint64_t seed, uint64_t stream, int stratum, double *x, int *cluster,
                       int *flip) {
    gk_rng r;
    gk_rng_seed(&r, seed, stream);
    double yc = (gk_rng_u64(&r) >> 63) ? 1.0 : -1.0;
    double s = (gk_rng_u64(&r) >> 63) ? 1.0 : -1.0;
    if (stratum >= 0) { /* test rows: cluster i mod 4, the noise still from the row's own stream */
        yc = stratum & 1 ? -1.0 : 1.0;
        s = stratum & 2 ? -1.0 : 1.0;
    }
    *flip = gk_rng_uniform(&r) < D->eta;
    const double *mu = yc > 0 ? D->mu1 : D->mu2;
    gk_rng_normals(&r, x, D->p);
    for (size_t j = 0; j < D->p; j++) x[j] = s * mu[j] + x[j];
    *cluster = (int)s * (yc > 0 ? 1 : 2);
    return yc;
}

void gk_xor_data_free(gk_xor_data *D) {
    if (!D) return;
    free(D->mu1); /* mu2 and X_test live in the same blocks */
    free(D->X_train);
    free(D->y_train);
    free(D->yc_train);
    free(D->y_test);
    free(D->flipped);
    free(D->cluster_train);
    memset(D, 0, sizeof *D);
}

gk_status gk_xor_data_make(gk_xor_data *D, size_t p, size_t n, size_t n_test, double mu_norm, double eta,
                           uint64_t seed, gk_error *err) {
    GK_ASSERT(D && p >= 2 && n >= 1 && n_test >= 1 && eta >= 0 && eta < 0.5 && mu_norm >= 0);
    memset(D, 0, sizeof *D);
    D->p = p, D->n = n, D->n_test = n_test, D->mu_norm = mu_norm, D->eta = eta;
    /* one block each: mu1 then mu2 (2 x p), the train rows then the test rows ((n + n_test) x p) */
    D->mu1 = malloc(2 * p * sizeof(double));
    D->mu2 = D->mu1 ? D->mu1 + p : NULL;
    D->X_train = malloc((n + n_test) * p * sizeof(double));
    D->X_test = D->X_train ? D->X_train + n * p : NULL;
    D->y_train = malloc(n * sizeof(double));
    D->yc_train = malloc(n * sizeof(double));
    D->y_test = malloc(n_test * sizeof(double));
    D->flipped = malloc(n);
    D->cluster_train = malloc(n * sizeof(int));
    if (!D->mu1 || !D->mu2 || !D->X_train || !D->X_test || !D->y_train || !D->yc_train || !D->y_test ||
        !D->flipped || !D->cluster_train) {
        gk_xor_data_free(D);
        return gk_fail(err, GK_ENOMEM, "out of memory for XOR data with p = %zu, n = %zu, n_test = %zu", p, n, n_test);
    }
    make_directions(D, seed);
    const long ntr = (long)n, nte = (long)n_test;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < ntr; i++) {
        int cl, flip;
        double yc = make_row(D, seed, XOR_TRAIN + (uint64_t)i, -1, D->X_train + (size_t)i * p, &cl, &flip);
        D->yc_train[i] = yc;
        D->y_train[i] = flip ? -yc : yc;
        D->flipped[i] = (unsigned char)flip;
        D->cluster_train[i] = cl;
    }
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nte; i++) {
        int cl, flip;
        D->y_test[i] = make_row(D, seed, XOR_TEST + (uint64_t)i, (int)(i % 4), D->X_test + (size_t)i * p, &cl, &flip);
    }
    for (size_t i = 0; i < n; i++) D->n_flipped += D->flipped[i];
    return GK_OK;
}

void gk_xor_data_drop_inputs(gk_xor_data *D) {
    free(D->X_train);
    D->X_train = D->X_test = NULL;
}

gk_status gk_xor_data_save_csv(const gk_xor_data *D, const char *dir, gk_error *err) {
    static const char *const names[] = {"label", "clean_label"};
    const double *ytr[] = {D->y_train, D->yc_train}, *yte[] = {D->y_test};
    gk_status s = gk_write_dense_samples_csv(dir, "train.csv", D->X_train, D->n, D->p, ytr, names, 2, err);
    return s ? s : gk_write_dense_samples_csv(dir, "test.csv", D->X_test, D->n_test, D->p, yte, names, 1, err);
}

static gk_status pm1_labels(const double *y, size_t n, const char *name, gk_error *err) {
    for (size_t i = 0; i < n; i++)
        if (y[i] != 1 && y[i] != -1)
            return gk_fail(err, GK_EINVAL, "%s: the label of sample %zu is %g; xor needs labels -1 or +1", name, i + 1, y[i]);
    return GK_OK;
}

gk_status gk_xor_data_from_user(gk_xor_data *D, const struct gk_userdata *train, const struct gk_userdata *test,
                                const char *train_name, const char *test_name, gk_error *err) {
    memset(D, 0, sizeof *D);
    if (train->d != test->d)
        return gk_fail(err, GK_EINVAL, "%s has %zu features per sample but %s has %zu: both sets need the same p",
                       train_name, train->d, test_name, test->d);
    gk_status s = pm1_labels(train->y, train->n, train_name, err);
    if (!s) s = pm1_labels(test->y, test->n, test_name, err);
    if (s) return s;
    const size_t p = train->d, n = train->n, nt = test->n;
    D->p = p, D->n = n, D->n_test = nt;
    D->mu1 = calloc(2 * p, sizeof(double));
    D->X_train = malloc((n + nt) * p * sizeof(double));
    D->y_train = malloc(n * sizeof(double)), D->yc_train = malloc(n * sizeof(double));
    D->y_test = malloc(nt * sizeof(double));
    D->flipped = calloc(n, 1);
    D->cluster_train = calloc(n, sizeof(int));
    if (!D->mu1 || !D->X_train || !D->y_train || !D->yc_train || !D->y_test || !D->flipped || !D->cluster_train) {
        gk_xor_data_free(D);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu + %zu samples of %zu features", n, nt, p);
    }
    D->mu2 = D->mu1 + p, D->X_test = D->X_train + n * p;
    memcpy(D->X_train, train->X, n * p * sizeof(double));
    memcpy(D->X_test, test->X, nt * p * sizeof(double));
    memcpy(D->y_train, train->y, n * sizeof(double));
    memcpy(D->yc_train, train->y, n * sizeof(double));
    memcpy(D->y_test, test->y, nt * sizeof(double));
    return GK_OK;
}
