/* margin_refs.c: the max-margin references of the diagonal net on its data set (margin_refs.h). */
#include "theory/margin_refs.h"

#include "core/clock.h"
#include "theory/theory.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *const gk_margin_ref_names[GK_NREFS] = {"l2margin", "l1margin"};

/* Reference k from the dense train matrix X (n x d); w (dpad) and f_train (n) are scratch. */
static gk_status solve_ref(gk_margin_ref *R, int k, const gk_diag_data *D, const double *X, double *w,
                           double *f_train, gk_error *err) {
    const size_t n = D->train.n, d = D->d;
    gk_error why = {{0}};
    double t0 = gk_now_seconds();
    gk_status s = k == GK_REF_L2 ? gk_l2_margin(X, D->y_train, n, d, w, &R->margin, &why)
                                 : gk_l1_margin(X, D->y_train, n, d, w, &R->margin, &why);
    R->seconds = gk_now_seconds() - t0;
    if (s == GK_ENOMEM) return gk_fail(err, s, "%s", why.msg);
    if (s) {
        snprintf(R->why, sizeof R->why, "%s", why.msg[0] ? why.msg : gk_status_str(s));
        return GK_OK;
    }
    R->test_score = malloc(D->test.n * sizeof(double));
    if (!R->test_score) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_design_mv(&D->train, w, f_train);
    gk_logistic_loss(f_train, D->y_train, n, NULL, &R->train_acc);
    gk_design_mv(&D->test, w, R->test_score);
    gk_logistic_loss(R->test_score, D->y_test, D->test.n, NULL, &R->test_acc);
    R->ok = 1;
    return GK_OK;
}

gk_status gk_margin_refs_make(gk_margin_ref ref[GK_NREFS], const gk_diag_data *D, gk_error *err) {
    const size_t n = D->train.n, d = D->d;
    double *X = malloc(n * d * sizeof(double)), *w = calloc(D->train.dpad, sizeof(double));
    double *f = malloc(n * sizeof(double));
    gk_status s = X && w && f ? GK_OK
                              : gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu train matrix of the references", n, d);
    for (size_t i = 0; !s && i < n; i++) gk_design_row(&D->train, i, X + i * d);
    for (int k = 0; k < GK_NREFS && !s; k++) s = solve_ref(&ref[k], k, D, X, w, f, err);
    free(X);
    free(w);
    free(f);
    return s;
}

void gk_margin_refs_free(gk_margin_ref ref[GK_NREFS]) {
    for (int k = 0; k < GK_NREFS; k++) free(ref[k].test_score), ref[k].test_score = NULL;
}

double gk_sign_agreement(const double *f, const double *ref, size_t n) {
    double same = 0;
    for (size_t i = 0; i < n; i++) {
        double p = f[i] * ref[i];
        same += p > 0 ? 1.0 : (p == 0 ? 0.5 : 0.0);
    }
    return n ? same / (double)n : NAN;
}
