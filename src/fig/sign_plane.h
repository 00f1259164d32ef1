/* sign_plane.h: the decision boundary of a classifier on a plane (Xu et al. 2024, Fig. 2 left: the sign of f
 * on span(mu1, mu2); src/exp/xor.c): the sign of f on a grid u e1 + v e2, |u|, |v| <= 2 mu, with the cluster
 * means +-mu e1, +-mu e2 marked. <base>.png and <base>.svg, as fig/plot.h writes them. */
#ifndef GK_IO_SIGN_PLANE_H
#define GK_IO_SIGN_PLANE_H

#include "groklab.h"

/* Fills z (g x g, row-major) with the sign of f at the grid points of the axis values x (g of them). */
typedef void (*gk_plane_signs_fn)(void *ctx, const double *x, size_t g, double *z);

/* <dir>/boundary_step<step>: the signs from `signs` on `grid` points per axis over [-2 mu, 2 mu]. */
gk_status gk_plot_sign_plane(const char *dir, long step, double mu, int grid, gk_plane_signs_fn signs, void *ctx,
                             gk_error *err);

#endif
