/* power_weights.h: the output-layer (unembedding) weights of the Power et al. transformer on their top two
 * principal components (the paper's Fig. 3 shows a t-SNE of them: a circle for modular addition, cosets of a
 * subgroup for S5), at three moments: the start, the first eval at which the train set is fit (train accuracy
 * >= 0.99) and the end of the run.
 *
 * Each element x of the table is the column W_U[:, x] (a D-vector: the direction the last residual must point
 * in to answer x). The N columns are centred and projected on the top two right singular vectors of the
 * N x D matrix (LAPACKE_dgesvd), so the projections have mean zero. How round the cloud is: the coefficient
 * of variation of the projections' radii, std(r) / mean(r) (0 on a circle centred at the origin; about 0.52
 * for a 2-D Gaussian cloud). */
#ifndef GK_EXP_POWER_WEIGHTS_H
#define GK_EXP_POWER_WEIGHTS_H

#include "groklab.h"
#include "core/state.h"

#include <cjson/cJSON.h>

/* xy[2 j], xy[2 j + 1]: column j of the D x N row-major W on the top two principal components of the centred
 * columns (signs fixed: each component's largest-magnitude projection is positive). var2[0..1]: the share of
 * the total variance each component explains (may be NULL). */
gk_status gk_pca2_columns(const double *W, size_t D, size_t N, double *xy, double var2[2], gk_error *err);

/* std(r) / mean(r) of the radii r_j = |xy_j| of n 2-D points (NaN if n = 0 or all radii are 0). */
double gk_radius_cv(const double *xy, size_t n);

/* The unembedding at the start and at the fit (the end is the current weights). */
typedef struct gk_wu_snaps {
    size_t D, N;
    double *start, *fit; /* D x N each */
    long fit_step;       /* -1: the train set is not fit yet */
} gk_wu_snaps;

gk_status gk_wu_snaps_init(gk_wu_snaps *S, size_t D, size_t N, const double *W_U, gk_error *err);
/* Keeps W_U as the fit snapshot the first time it is called with train_acc >= 0.99. */
void gk_wu_snaps_eval(gk_wu_snaps *S, long step, double train_acc, const double *W_U);
void gk_wu_snaps_visit(gk_wu_snaps *S, gk_state *st);
void gk_wu_snaps_free(gk_wu_snaps *S);

/* summary.json: wu_radius_cv_start / _fit / _end, wu_pca_var_end (the two components' variance share). */
gk_status gk_wu_snaps_summarize(const gk_wu_snaps *S, const double *W_U_end, cJSON *summary, gk_error *err);

/* wu_pca.png/.svg in dir: three panels (start, fit, end), each element a point coloured by its value (Z_p)
 * or by its coset group[x] (group != NULL: labels "coset k"). */
gk_status gk_wu_figure(const gk_wu_snaps *S, const double *W_U_end, long end_step, const int *group, int ngroups,
                       const char *group_what, const char *dir, gk_error *err);

#endif
