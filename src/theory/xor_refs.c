/* xor_refs.c: the linear classifier of the kernel regime of the XOR net (xor_refs.h). */
#include "theory/xor_refs.h"

#include <math.h>
#include <stdlib.h>

gk_status gk_linear_ref_scores(const double *X, const double *y, size_t n, size_t p, const double *Xt, size_t nt,
                               double *lin_train, double *lin_test, gk_error *err) {
    double *v = calloc(p, sizeof(double));
    if (!v) return gk_fail(err, GK_ENOMEM, "out of memory for p = %zu", p);
    for (size_t i = 0; i < n; i++) { /* fixed order over i */
        const double *x = X + i * p, yi = y[i];
        for (size_t j = 0; j < p; j++) v[j] += yi * x[j];
    }
    gk_rows_dot(Xt, nt, p, v, lin_test);
    gk_rows_dot(X, n, p, v, lin_train);
    free(v);
    return GK_OK;
}

void gk_linear_ref_scores_span(const gk_relu2_products *S, const double *y, double *lin_train, double *lin_test) {
    const size_t n = S->n;
    for (size_t r = 0; r < n + S->nt; r++) {
        const double *g = S->ZX + r * n;
        double s = 0;
        for (size_t l = 0; l < n; l++) s += y[l] * g[l];
        if (r < n) lin_train[r] = s;
        else lin_test[r - n] = s;
    }
}

double gk_sign_accuracy(const double *y, const double *score, const unsigned char *mask, int want, size_t n) {
    double hit = 0, cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if (mask && (mask[i] != 0) != (want != 0)) continue;
        double z = y[i] * score[i];
        hit += z > 0 ? 1.0 : z == 0 ? 0.5 : 0.0;
        cnt += 1;
    }
    return cnt > 0 ? hit / cnt : NAN;
}
