/* diag.h: the two-layer diagonal linear net of Lyu et al. Sec. 3.2.3:
 *   f(theta; x) = <u*u - v*v, x>,  theta = (u, v) in R^{2d},  2-homogeneous.
 * Init (gk_model_init, scale alpha, no randomness): u = v = alpha / sqrt(2d), so alpha is the initial
 * ||theta||_2 (as in the paper's code).
 * Inputs are a gk_design (packed signs, dense or generated rows). */
#ifndef GK_MODEL_DIAG_H
#define GK_MODEL_DIAG_H

#include "data/design.h"
#include "model/model.h"

gk_status gk_diag_model_create(gk_model *m, size_t d, gk_error *err);
/* w = u*u - v*v (d entries), the linear predictor the net computes. */
void gk_diag_effective_w(const gk_model *m, const double *theta, double *w);
/* One GD step with coupled weight decay, theta <- theta - lr (grad L + wd theta), from dL/df of the last
 * forward on X: bitwise the same as gk_model_backward into a zeroed grad followed by gk_gd_step, in one pass. */
void gk_diag_gd_step(gk_model *m, double *theta, const gk_design *X, const double *dldf, double lr, double wd);

#endif
