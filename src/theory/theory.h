/* theory.h: the predictors that theory says the network follows (Lyu et al. 2024, Thm 3.4, 3.5, 3.9,
 * 3.10, Cor. 3.11). Each reference is a predictor that scores any input; the trainer reports the
 * network's agreement with it (classification) or its distance to it (regression).
 *
 * Matrices are row-major doubles. No function here prints or exits; each returns a status and fills err.
 */
#ifndef GK_THEORY_H
#define GK_THEORY_H

#include "groklab.h"

/* ---- predicted times (Lyu et al., Thm 3.4/3.5: t* = ln(alpha)/lambda) ------------------------------ */
double gk_predicted_time(double alpha, double lambda);                 /* continuous time t*; INFINITY if lambda = 0 */
double gk_predicted_step(double alpha, double lambda, double lr);      /* t* / lr, in GD steps */
void gk_predicted_window(double alpha, double lambda, double c, double *lo, double *hi); /* (1-c)t*, (1+c)t* */

/* ---- linear max-margin classifiers through the origin (no bias) ----------------------------------- */
/* L2: w maximises min_i y_i <w, x_i> subject to ||w||_2 = 1 (hard-margin SVM, libsvm, linear kernel).
 * L1: w maximises min_i y_i <w, x_i> subject to ||w||_1 = 1 (a linear program, GLPK).
 * X is n x d, y in {-1, +1}. On success w (d) has unit norm and *margin > 0 (= min_i y_i <w, x_i>, recomputed).
 * GK_EUNAVAILABLE (with the reason in err) if the data are not linearly separable through the origin; "not
 * separable" means a margin below 3.2e-4 max_i ||x_i||_2 (L2, see gk_kernel_svm) or 1e-9 max |x_ik| (L1).
 * GK_EINVAL for a label other than +-1, GK_ENONFINITE for a non-finite X. */
gk_status gk_l2_margin(const double *X, const double *y, size_t n, size_t d, double *w, double *margin,
                       gk_error *err);
gk_status gk_l1_margin(const double *X, const double *y, size_t n, size_t d, double *w, double *margin,
                       gk_error *err);

/* ---- kernel predictors on a precomputed kernel ---------------------------------------------------- */
/* Hard-margin kernel SVM without bias on the n x n train kernel K. Fills coef (n) so that the score of
 * an input with kernel row k (k_i = K(x, x_i)) is sum_i coef_i k_i, scaled to unit RKHS norm (coef^T K coef = 1):
 * scores are geometric margins, min_i y_i score_i is the margin, and with a linear kernel the scores equal
 * <w, x> of gk_l2_margin. GK_EUNAVAILABLE if not separable, i.e. a margin below 3.2e-4 max_i sqrt(K_ii).
 * n <= 5000 (libsvm holds the symmetrised 2n x 2n kernel as svm_nodes). */
gk_status gk_kernel_svm(const double *K, const double *y, size_t n, double *coef, gk_error *err);
/* Min-norm kernel interpolant (ridge >= 0 adds ridge*I): coef = (K + ridge I)^+ y. */
gk_status gk_kernel_regression(const double *K, const double *y, size_t n, double ridge, double *coef,
                               gk_error *err);
/* scores[m] = Kx[m x n] coef. */
void gk_kernel_predict(const double *Kx, size_t m, size_t n, const double *coef, double *scores);
/* Centred kernel-target alignment (the ntk_alignment column of the kumar experiment) of the symmetric n x n kernel K with the centred
 * labels y: y^T Kc y / (||Kc||_F ||y||^2), Kc = H K H, H = I - 11^T/n. NAN if Kc or y is zero (or no memory). */
double gk_kernel_alignment(const double *K, const double *y, size_t n);

/* ---- matrix completion (Lyu et al. Sec. 3.3.3) ----------------------------------------------------- */
/* Kernel-phase predictor (Cor. 3.11): observed entries (and their mirrors) fitted, every other entry 0.
 * rows/cols/vals: nobs observed entries of a symmetric d x d matrix (a pair observed twice: the last wins).
 * Writes W (d x d). */
void gk_zero_fill(const size_t *rows, const size_t *cols, const double *vals, size_t nobs, size_t d, double *W);
/* Min-nuclear-norm symmetric completion that matches the observed entries to tol (relative), by a
 * proximal method with LAPACKE SVDs. Writes W (d x d) and the achieved relative residual
 * ||P_Omega(W - M)|| / ||P_Omega M||. ADMM with eigendecompositions (completion.c); it also requires the relative
 * dual residual <= tol, and the error to the true minimiser is then ~tol. If max_iter is reached first:
 * GK_EFAILED, with W and *residual still written (the last iterate). */
gk_status gk_min_nuclear_completion(const size_t *rows, const size_t *cols, const double *vals, size_t nobs,
                                    size_t d, double tol, int max_iter, double *W, double *residual,
                                    gk_error *err);
double gk_nuclear_norm(const double *W, size_t d, gk_error *err); /* sum of singular values; NAN on failure */

/* ---- empirical NTK -------------------------------------------------------------------------------- */
struct gk_model;
/* Gram matrix of per-sample gradients at theta: K[i*nb + j] = <grad f(x_a_i), grad f(x_b_j)>, with
 * na inputs `a` and nb inputs `b` (same input type; b may equal a). Scalar-output models only (GK_EINVAL
 * otherwise). Cost: one backward per sample (each over the whole batch); memory: at most 256 MB of gradient
 * rows per operand, beyond which b is differentiated again per chunk of a. */
gk_status gk_ntk_gram(struct gk_model *m, const double *theta, const void *a, size_t na, const void *b,
                      size_t nb, double *K, gk_error *err);

#endif
