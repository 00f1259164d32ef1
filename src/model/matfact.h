/* matfact.h: the overparameterized symmetric matrix factorization of Lyu et al. Sec. 3.3.3:
 *   W = U U^T - V V^T,  f(theta; (i, j)) = W_ij = <U_i, U_j> - <V_i, V_j>,  theta = (U, V), U, V in R^{d x d}.
 * 2-homogeneous. Init U = V = alpha I (+ sigma * N(0, 1) per entry, Thm 3.12), so W = 0 at init without noise.
 * Inputs are index pairs (gk_matfact_input).
 *
 * Besides the model interface (forward / backward on n pairs, O(n d)), a fused full-batch step for the
 * mean-squared error plus coupled weight decay: a plan groups the observations by unordered pair and builds
 * the sparse symmetric residual pattern once; one step then costs O(n_obs d) and never forms W. */
#ifndef GK_MODEL_MATFACT_H
#define GK_MODEL_MATFACT_H

#include "model/model.h"

typedef struct gk_matfact_input {
    const size_t *rows, *cols; /* n pairs (rows[k], cols[k]), each < d */
} gk_matfact_input;

gk_status gk_matfact_model_create(gk_model *m, size_t d, gk_error *err);
/* theta = (alpha I + sigma G_U, alpha I + sigma G_V), G from (seed, stream 21). */
void gk_matfact_init(const gk_model *m, double alpha, double sigma, uint64_t seed, double *theta);
/* W (d x d) = U U^T - V V^T, exactly symmetric, fixed-order sums; rows split statically over threads. */
void gk_matfact_full(size_t d, const double *theta, double *W);
/* The singular values of the symmetric d x d W, in decreasing order: the |eigenvalues| (LAPACKE_dsyevd; work:
 * d x d). Returns LAPACK's info (0: done). */
int gk_matfact_singular_values(size_t d, const double *W, double *work, double *sv);

/* ---- the fused sparse step ------------------------------------------------------------------------- */
typedef struct gk_matfact_plan {
    size_t d, nobs, npairs;
    size_t *pa, *pb;      /* npairs unordered pairs, pa <= pb, sorted by (pa, pb) */
    size_t *obs_ptr;      /* npairs + 1: the observations of pair p are obs_idx[obs_ptr[p] .. obs_ptr[p+1]) */
    size_t *obs_idx;
    const double *y;      /* nobs targets (borrowed) */
    size_t *row_ptr;      /* d + 1: CSR of the symmetric pattern S = R + R^T */
    size_t *col, *pair;   /* per nonzero: column j and the pair whose residual it carries */
    double *fac;          /* per nonzero: 1, or 2 on the diagonal */
    double *R;            /* npairs: summed dL/dW of each pair (filled by the step) */
} gk_matfact_plan;

gk_status gk_matfact_plan_make(gk_matfact_plan *p, size_t d, const size_t *rows, const size_t *cols,
                               const double *y, size_t nobs, gk_error *err);
void gk_matfact_plan_free(gk_matfact_plan *p);
/* One GD step on L = (1/n) sum_k (W_{i_k j_k} - y_k)^2 + (wd/2)||theta||^2:
 *   theta_next = theta - lr (grad + wd theta),  grad_U = S U, grad_V = -S V, S_ab = sum of dL/dW over the
 * observations of {a, b} (times 2 when a = b). Equals forward -> gk_mse_loss -> backward -> gk_gd_step up to
 * rounding; bitwise identical for any thread count. theta_next must not alias theta.
 * GK_ENONFINITE if a residual is not finite (theta_next then undefined). */
gk_status gk_matfact_mse_gd_step(gk_matfact_plan *p, const double *theta, double *theta_next, double lr, double wd);

#endif
