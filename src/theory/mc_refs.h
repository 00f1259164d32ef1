/* mc_refs.h: the theory references of symmetric matrix completion (Lyu et al. 2024, Sec. 3.3.3) on an mc data
 * set, computed once: the zero fill (the kernel predictor of Cor. 3.11) and the min-nuclear-norm completion. */
#ifndef GK_THEORY_MC_REFS_H
#define GK_THEORY_MC_REFS_H

#include "data/mc_data.h"

typedef struct gk_mc_refs {
    double *Wz, *Wn;      /* d x d: the zero fill; the min-nuclear-norm completion (NaN if it failed) */
    double test_norm;     /* ||X*||_F over the test entries */
    double nuc_residual;  /* the completion's relative residual (NaN if it failed) */
    char nuc_error[512];  /* why it failed or did not converge ("" if it did) */
} gk_mc_refs;

/* Both references of D (tol, max_iter: gk_min_nuclear_completion's). A completion that did not converge keeps its
 * last iterate and one that failed is NaN, each with its reason in nuc_error: neither is an error; running out
 * of memory is. */
gk_status gk_mc_refs_make(gk_mc_refs *R, const gk_mc_data *D, double tol, int max_iter, gk_error *err);
void gk_mc_refs_free(gk_mc_refs *R);

#endif
