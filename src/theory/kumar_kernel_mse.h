/* kumar_kernel_mse.h: the kernel reference of the Kumar et al. (ICLR 2024) runs (src/exp/kumar.c) by its test
 * and train MSE: kernel regression with the initial NTK (kumar_refs.h). */
#ifndef GK_THEORY_KUMAR_KERNEL_MSE_H
#define GK_THEORY_KUMAR_KERNEL_MSE_H

#include "theory/kumar_refs.h"

/* The MSE of the kernel predictor on the test points (labels yt) and the train points (labels y). f0, f0t: the
 * initial outputs on the train and test points of an uncentred model (the kernel then fits the residual y - f0
 * and adds f0 back), or NULL for a centred one. */
gk_status gk_kumar_kernel_mse(gk_model *m, const double *theta0, const gk_kumar_input *train,
                              const gk_kumar_input *test, const double *y, const double *yt, const double *f0,
                              const double *f0t, double *test_mse, double *train_mse, gk_error *err);

#endif
