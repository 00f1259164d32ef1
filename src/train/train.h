/* train.h: losses, optimizers, eval schedules and phenomenon detection (the training layer). */
#ifndef GK_TRAIN_H
#define GK_TRAIN_H

#include "groklab.h"

/* ---- losses (separate from models) -------------------------------------------------------------------- */
/* Logistic loss, mean over n: L = (1/n) sum softplus(-y_i f_i), labels y in {-1, +1}.
 * If dldf is not NULL it gets dL/df_i = -y_i sigmoid(-y_i f_i) / n. *acc counts a tie f = 0 as 1/2.
 * Returns the loss. */
double gk_logistic_loss(const double *f, const double *y, size_t n, double *dldf, double *acc);
/* Mean squared error (1/n) sum (f_i - y_i)^2; dldf = 2 (f_i - y_i) / n if not NULL. */
double gk_mse_loss(const double *f, const double *y, size_t n, double *dldf);

/* ---- optimizers on the flat parameter buffer --------------------------------------------------------- */
/* GD with coupled weight decay (Lyu et al.): theta <- theta - lr (grad + wd theta). */
void gk_gd_step(double *theta, const double *grad, size_t P, double lr, double wd);

/* ---- eval schedule --------------------------------------------------------------------------------- */
/* Eval points in [0, steps]: n_log log-spaced points from step 0 plus a periodic grid of n_lin points;
 * sorted, unique, always containing 0 and steps. *out is malloc'd. */
gk_status gk_eval_schedule(long steps, int n_log, int n_lin, long **out, size_t *count, gk_error *err);

/* ---- phenomenon detection --------------------------------------------------------------------------- */
/* Index of the first v[i] >= thr, or -1. */
long gk_first_at_least(const double *v, size_t n, double thr);

#endif
