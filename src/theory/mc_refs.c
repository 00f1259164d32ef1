/* mc_refs.c: the references of matrix completion (mc_refs.h). */
#include "theory/mc_refs.h"

#include "theory/theory.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

gk_status gk_mc_refs_make(gk_mc_refs *R, const gk_mc_data *D, double tol, int max_iter, gk_error *err) {
    const size_t d = D->d;
    R->Wz = malloc(d * d * sizeof(double));
    R->Wn = malloc(d * d * sizeof(double));
    if (!R->Wz || !R->Wn) return gk_fail(err, GK_ENOMEM, "out of memory for the references (d = %zu)", d);
    double tn = 0;
    for (size_t t = 0; t < D->ntest; t++) tn += D->test_y[t] * D->test_y[t];
    R->test_norm = sqrt(tn);
    gk_zero_fill(D->obs_i, D->obs_j, D->obs_y, D->nobs, d, R->Wz);
    gk_error nerr = {{0}};
    gk_status ns = gk_min_nuclear_completion(D->obs_i, D->obs_j, D->obs_y, D->nobs, d, tol, max_iter, R->Wn,
                                             &R->nuc_residual, &nerr);
    R->nuc_error[0] = '\0';
    if (ns) snprintf(R->nuc_error, sizeof R->nuc_error, "%s", nerr.msg);
    if (ns && !(ns == GK_EFAILED && isfinite(R->nuc_residual))) {
        for (size_t k = 0; k < d * d; k++) R->Wn[k] = NAN;
        R->nuc_residual = NAN;
    }
    return GK_OK;
}

void gk_mc_refs_free(gk_mc_refs *R) {
    free(R->Wz);
    free(R->Wn);
    R->Wz = R->Wn = NULL;
}
