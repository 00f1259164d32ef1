/* train.h: losses, optimizers, eval schedules and phenomenon detection (the training layer). */
#ifndef GK_TRAIN_H
#define GK_TRAIN_H

#include "groklab.h"

/* ---- losses (separate from models; loss.c) --------------------------------------------------------------- */
/* Logistic loss, mean over n: L = (1/n) sum softplus(-y_i f_i), labels y in {-1, +1}.
 * If dldf is not NULL it gets dL/df_i = -y_i sigmoid(-y_i f_i) / n. *acc counts a tie f = 0 as 1/2.
 * Returns the loss. */
double gk_logistic_loss(const double *f, const double *y, size_t n, double *dldf, double *acc);
/* Hinge loss, mean over n: L = (1/n) sum max(0, 1 - y_i f_i), labels y in {-1, +1} (Barak et al. 2022's sparse
 * parity). dL/df_i = -y_i / n where the margin y_i f_i < 1, else 0 (at the kink y f = 1: 0). *acc as for the
 * logistic loss. Returns the loss. */
double gk_hinge_loss(const double *f, const double *y, size_t n, double *dldf, double *acc);
/* Mean squared error (1/n) sum (f_i - y_i)^2; dldf = 2 (f_i - y_i) / n if not NULL. */
double gk_mse_loss(const double *f, const double *y, size_t n, double *dldf);

/* ---- optimizers on the flat parameter buffer --------------------------------------------------------- */
/* GD with coupled weight decay (Lyu et al.): theta <- theta - lr (grad + wd theta). */
void gk_gd_step(double *theta, const double *grad, size_t P, double lr, double wd);

/* ---- eval schedule --------------------------------------------------------------------------------- */
/* Eval points in [0, steps]: n_log log-spaced points from step 0 plus a periodic grid of n_lin points;
 * sorted, unique, always containing 0 and steps. *out is malloc'd. */
gk_status gk_eval_schedule(long steps, int n_log, int n_lin, long **out, size_t *count, gk_error *err);

/* ---- phenomenon thresholds (declared once; summaries name the rule they used) ------------------------- */
#define GK_FIT_ACC 0.99  /* the train set is fit: train_acc >= 0.99 */
#define GK_GROK_ACC 0.95 /* the test accuracy jumped: test_acc >= 0.95 */

/* ---- classification over k classes (loss.c) -------------------------------------------------------- */
/* Softmax cross-entropy, mean over n samples of k logits each (row-major n x k), labels in [0, k), computed
 * with log-sum-exp in double. If dldf is not NULL it gets (softmax - onehot) / n. Returns the loss. */
double gk_softmax_xent_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf);
/* StableMax cross-entropy (Prieto et al. 2025): s(x) = x + 1 (x >= 0), 1 / (1 - x) (x < 0) in place of exp;
 * mean over n samples; dldf as for the softmax. */
double gk_stablemax_xent_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf);
/* The share of samples whose softmax sum of exp(z - max z) is exactly 1 in double (Softmax Collapse). */
double gk_softmax_collapse_share(const double *logits, size_t n, size_t k);
/* The same three with each sample's arithmetic in float32 (softmax_precision=f32; the logits read as float, the
 * gradient float values, the mean over samples summed in double; SC: the float sum equals 1.0f). */
double gk_softmax_xent_loss_f32(const double *logits, const int *labels, size_t n, size_t k, double *dldf);
double gk_stablemax_xent_loss_f32(const double *logits, const int *labels, size_t n, size_t k, double *dldf);
double gk_softmax_collapse_share_f32(const double *logits, size_t n, size_t k);
/* MSE on one-hot targets, mean over all n k entries (PyTorch's MSELoss(reduction='mean')):
 * L = (1/(n k)) sum_ik (f_ik - [k == y_i])^2; dldf = 2 (f - onehot) / (n k) if not NULL. */
double gk_mse_onehot_loss(const double *f, const int *labels, size_t n, size_t k, double *dldf);
/* Accuracy by argmax, a tie for the top counting as wrong (correct iff the correct logit is strictly the
 * largest, i.e. the margin is > 0), and the minimum margin: correct logit minus the largest wrong logit,
 * min over the n samples. Either output may be NULL. */
void gk_class_stats(const double *logits, const int *labels, size_t n, size_t k, double *acc, double *min_margin);

/* ---- AdamW with decoupled weight decay and linear warmup (adamw.c) ------------------------------- */
/* PyTorch's documented AdamW, per coordinate at step t = 1, 2, ...:
 *   lr_t = lr * min(t / warmup, 1)  (lr_t = lr when warmup = 0)
 *   theta *= 1 - lr_t wd;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   theta -= lr_t (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 * (Nanda's LambdaLR min(step/10, 1) lags this warmup by one step: its first update has lr 0.) */
typedef struct gk_adamw {
    size_t P;
    double lr, wd, beta1, beta2, eps;
    long warmup, t; /* t = steps taken */
    double *m, *v;
} gk_adamw;
gk_status gk_adamw_init(gk_adamw *o, size_t P, double lr, double wd, double beta1, double beta2, double eps,
                        long warmup, gk_error *err);
/* The learning rate used at step t (1-based). */
double gk_adamw_lr_at(const gk_adamw *o, long t);
void gk_adamw_step(gk_adamw *o, double *theta, const double *grad);
void gk_adamw_free(gk_adamw *o);

#endif
