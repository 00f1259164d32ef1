/* kumar_refs.c: the references of the committee machine from its initial NTK (kumar_refs.h). */
#include "theory/kumar_refs.h"

#include "theory/theory.h"

#include <stdlib.h>
#include <string.h>

gk_status gk_kumar_kernel_regression(gk_model *m, const double *theta0, const gk_kumar_input *train,
                                     const gk_kumar_input *test, const double *r, double *pred_test,
                                     double *pred_train, gk_error *err) {
    const size_t P = train->n, nt = test->n;
    double *K = malloc(P * P * sizeof *K), *Kx = malloc(nt * P * sizeof *Kx), *coef = malloc(P * sizeof *coef);
    gk_status s = K && Kx && coef ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu NTK", P, P);
    if (!s) s = gk_kumar_ntk(m, theta0, train, train, K, err);
    if (!s) s = gk_kumar_ntk(m, theta0, test, train, Kx, err);
    if (!s) s = gk_kernel_regression(K, r, P, 0.0, coef, err);
    if (!s) {
        gk_kernel_predict(Kx, nt, P, coef, pred_test);
        gk_kernel_predict(K, P, P, coef, pred_train);
    }
    free(K), free(Kx), free(coef);
    return s;
}

gk_status gk_kumar_eigen_targets(gk_model *m, const double *theta0, gk_kumar_data *d, size_t j, double *lambda,
                                 gk_error *err) {
    const size_t P = d->P, nt = d->ntest, D = d->D, n = P + nt;
    double *X = malloc(n * D * sizeof *X), *K = malloc(n * n * sizeof *K), *y = malloc(n * sizeof *y);
    gk_status s = GK_OK;
    if (!X || !K || !y) s = gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu pooled NTK", n, n);
    if (!s) {
        memcpy(X, d->X, P * D * sizeof *X);
        memcpy(X + P * D, d->Xt, nt * D * sizeof *X);
        gk_kumar_input in = {n, D, X};
        s = gk_kumar_ntk(m, theta0, &in, &in, K, err);
    }
    if (!s) s = gk_kumar_eigen_labels(K, n, j, y, lambda, err);
    if (!s) {
        memcpy(d->y, y, P * sizeof *y);
        memcpy(d->yt, y + P, nt * sizeof *y);
    }
    free(X), free(K), free(y);
    return s;
}
