/* kumar_refs.h: what the initial empirical NTK of Kumar et al.'s committee machine (model/kumar) predicts and
 * sets: the kernel-regression reference (the linearised, lazy model at convergence, the `kernel_test_loss`
 * line of src/exp/kumar.c) and the eigenvector labels of target=eigen (Fig. 5). */
#ifndef GK_THEORY_KUMAR_REFS_H
#define GK_THEORY_KUMAR_REFS_H

#include "data/kumar_data.h"
#include "model/kumar.h"

/* Kernel regression with the NTK at theta0 on the train inputs, fitted to the P targets r (y, or the residual
 * y - f0 of an uncentred model): its predictions on the test inputs (pred_test, test->n) and on the train inputs
 * (pred_train, P). */
gk_status gk_kumar_kernel_regression(gk_model *m, const double *theta0, const gk_kumar_input *train,
                                     const gk_kumar_input *test, const double *r, double *pred_test,
                                     double *pred_train, gk_error *err);

/* target=eigen: d's train and test labels become the j-th eigenvector (1 = largest eigenvalue, into *lambda) of
 * the NTK at theta0 on the pooled train + test inputs (the notebook's X_total), by gk_kumar_eigen_labels. */
gk_status gk_kumar_eigen_targets(gk_model *m, const double *theta0, gk_kumar_data *d, size_t j, double *lambda,
                                 gk_error *err);

#endif
