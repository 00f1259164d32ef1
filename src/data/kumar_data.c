/* kumar_data.c: Gaussian inputs, random teachers, quadratic / multi-index / Hermite / NTK-eigenvector targets
 * (Kumar et al.). */
#include "data/kumar_data.h"

#include "io/samples_csv.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { KD_BETA = 1, KD_TRAIN = 1 << 20, KD_TEST = 1 << 21 };
#define KD_STREAM(set, row) ((UINT64_C(0x4b55) << 40) + (uint64_t)(set) + (uint64_t)(row))

double gk_hermite(int k, double z) {
    double z2 = z * z;
    switch (k) {
    case 0: return 1.0;
    case 1: return z;
    case 2: return z2 - 1.0;
    case 3: return z * (z2 - 3.0);
    case 4: return z2 * (z2 - 6.0) + 3.0;
    default: GK_ASSERT(0 && "Hermite order must be 0..4"); return NAN;
    }
}

void gk_kumar_data_free(gk_kumar_data *d) {
    if (!d) return;
    free(d->X), free(d->y), free(d->Xt), free(d->yt), free(d->beta);
    memset(d, 0, sizeof *d);
}

static void make_rows(double *X, size_t n, size_t D, uint64_t seed, uint64_t set) {
    const double s = 1.0 / sqrt((double)D);
    const long nn = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        gk_rng r;
        gk_rng_seed(&r, seed, KD_STREAM(set, i));
        for (size_t k = 0; k < D; k++) X[(size_t)i * D + k] = s * gk_rng_normal(&r);
    }
}

static void make_targets(const gk_kumar_data *d, const double *X, double *y, size_t n, gk_kumar_target t, int k) {
    const size_t D = d->D;
    double b2 = 0;
    for (size_t c = 0; c < D; c++) b2 += d->beta[c] * d->beta[c];
    const double zs = b2 > 0 ? sqrt((double)D / b2) : 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *x = X + i * D;
        double bx = 0;
        for (size_t c = 0; c < D; c++) bx += d->beta[c] * x[c];
        if (t == GK_KUMAR_TARGET_QUAD) y[i] = 0.5 * bx * bx;
        else if (t == GK_KUMAR_TARGET_HERMITE) y[i] = gk_hermite(k, zs * bx);
        else if (t == GK_KUMAR_TARGET_MULTI) {
            double s = 0.5 * bx * bx; /* m = 1, then the other directions in order */
            for (size_t m = 1; m < d->r; m++) {
                const double *b = d->beta + m * D;
                double v = 0;
                for (size_t c = 0; c < D; c++) v += b[c] * x[c];
                s += 0.5 * v * v;
            }
            y[i] = s;
        } else y[i] = 0.0;
    }
}

gk_status gk_kumar_data_make(gk_kumar_data *d, size_t D, size_t P, size_t ntest, gk_kumar_target target, int k,
                             size_t r, uint64_t seed, gk_error *err) {
    GK_ASSERT(d && D >= 1 && P >= 1 && ntest >= 1);
    memset(d, 0, sizeof *d);
    if (target == GK_KUMAR_TARGET_MULTI && (r < 1 || r > 1000000))
        return gk_fail(err, GK_EINVAL, "r=%zu is out of range: target=multi needs 1 <= r <= 1000000 directions", r);
    if (target != GK_KUMAR_TARGET_MULTI) r = 1;
    d->D = D, d->P = P, d->ntest = ntest, d->r = r;
    d->X = malloc(P * D * sizeof(double));
    d->y = malloc(P * sizeof(double));
    d->Xt = malloc(ntest * D * sizeof(double));
    d->yt = malloc(ntest * sizeof(double));
    d->beta = malloc(r * D * sizeof(double));
    if (!d->X || !d->y || !d->Xt || !d->yt || !d->beta) {
        gk_kumar_data_free(d);
        return gk_fail(err, GK_ENOMEM, "out of memory for data with D = %zu, P = %zu, ntest = %zu", D, P, ntest);
    }
    if (target == GK_KUMAR_TARGET_HERMITE && (k < 2 || k > 4)) {
        gk_kumar_data_free(d);
        return gk_fail(err, GK_EINVAL, "k=%d is out of range: the Hermite order k must be 2, 3 or 4", k);
    }
    for (size_t m = 0; m < r; m++) { /* beta_{m+1} from its own stream: beta_1 does not depend on r */
        gk_rng g;
        gk_rng_seed(&g, seed, KD_STREAM(KD_BETA, m));
        for (size_t c = 0; c < D; c++) d->beta[m * D + c] = gk_rng_normal(&g);
    }
    make_rows(d->X, P, D, seed, KD_TRAIN);
    make_rows(d->Xt, ntest, D, seed, KD_TEST);
    make_targets(d, d->X, d->y, P, target, k);
    make_targets(d, d->Xt, d->yt, ntest, target, k);
    return GK_OK;
}

gk_status gk_kumar_eigen_labels(const double *K, size_t n, size_t j, double *y, double *lambda, gk_error *err) {
    if (j < 1 || j > n)
        return gk_fail(err, GK_EINVAL, "j=%zu is out of range: the eigenvector index must be in [1, %zu]", j, n);
    double *A = malloc(n * n * sizeof *A), *ev = malloc(n * sizeof *ev);
    if (!A || !ev) {
        free(A), free(ev);
        return gk_fail(err, GK_ENOMEM, "out of memory for a %zu x %zu kernel", n, n);
    }
    double mean = 0;
    for (size_t i = 0; i < n * n; i++) mean += K[i];
    mean /= (double)(n * n);
    for (size_t i = 0; i < n * n; i++) A[i] = K[i] - mean;
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)n, A, (lapack_int)n, ev);
    if (info != 0) {
        free(A), free(ev);
        return gk_fail(err, GK_EFAILED, "eigenvector labels: LAPACKE_dsyevd failed (info = %d)", (int)info);
    }
    size_t col = n - j; /* ascending order: the j-th largest */
    double big = 0, sign = 1;
    for (size_t i = 0; i < n; i++)
        if (fabs(A[i * n + col]) > big) big = fabs(A[i * n + col]), sign = A[i * n + col] < 0 ? -1.0 : 1.0;
    for (size_t i = 0; i < n; i++) y[i] = sign * A[i * n + col];
    if (lambda) *lambda = ev[col];
    free(A), free(ev);
    return GK_OK;
}

gk_status gk_kumar_data_save_csv(const gk_kumar_data *d, const char *dir, gk_error *err) {
    static const char *const names[] = {"y"};
    const double *ytr[] = {d->y}, *yte[] = {d->yt};
    gk_status s = gk_write_dense_samples_csv(dir, "train.csv", d->X, d->P, d->D, ytr, names, 1, err);
    if (!s) s = gk_write_dense_samples_csv(dir, "test.csv", d->Xt, d->ntest, d->D, yte, names, 1, err);
    if (!s) s = gk_write_dense_samples_csv(dir, "beta.csv", d->beta, d->r, d->D, NULL, NULL, 0, err);
    return s;
}
