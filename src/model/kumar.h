/* kumar.h: the committee machine of Kumar, Bordelon, Gershman, Pehlevan (ICLR 2024), Sec. 5, eq. 3-5:
 *   f(x) = (alpha/N) sum_i v_i phi(w_i . x),   phi(h) = h + (eps/2) h^2           (act = quad, hermite_k = 0)
 *                                              phi(h) = h + (eps/2) He_k(h)        (hermite_k in {2, 3, 4})
 * with readouts v_i = 1 fixed (the paper's main model) or trained (App. 11/12, Fig. 11). The output includes
 * alpha; the experiment trains the centred predictor f - f0 (Kumar Sec. 8.1; the authors' notebook).
 *
 * Parameters: "W" (N x D, row i = w_i), then "v" (N) if the readouts are trained. Init: W ~ N(0, 1), v = 1.
 * Inputs: a gk_kumar_input (dense rows). Two implementations of forward/backward, which must agree:
 *   stats  (quad activation, fixed readouts): f depends on W only through w_bar = mean_i w_i and
 *          M = W^T W / N (eq. 5):  f = alpha w_bar.x + (alpha eps / 2) x^T M x,  O(N D^2 + n D^2);
 *          grad_W = (alpha/N) [1 u^T + eps W G],  u = X^T g,  G = X^T diag(g) X   (O(n D^2 + N D^2)).
 *   direct (any case): H = X W^T (n x N, dgemm), O(n N D).
 * backward reads theta (W) in the stats path: grad must not alias theta. */
#ifndef GK_MODEL_KUMAR_H
#define GK_MODEL_KUMAR_H

#include "model/model.h"

typedef struct gk_kumar_input {
    size_t n, D;
    const double *X; /* n x D, row-major */
} gk_kumar_input;

typedef enum gk_kumar_path { GK_KUMAR_PATH_AUTO = 0, GK_KUMAR_PATH_STATS, GK_KUMAR_PATH_DIRECT } gk_kumar_path;

typedef struct gk_kumar_spec {
    size_t D, N;
    double alpha, eps;
    int hermite_k;      /* 0: phi = h + eps/2 h^2; 2..4: phi = h + eps/2 He_k(h) (direct path only) */
    int readouts;       /* 1: trained readouts v (direct path only) */
    gk_kumar_path path; /* AUTO: stats when possible */
} gk_kumar_spec;

gk_status gk_kumar_create(gk_model *m, const gk_kumar_spec *spec, gk_error *err);
/* W ~ N(0, 1) (row i from its own stream: thread-independent), v = 1. */
void gk_kumar_init(const gk_model *m, uint64_t seed, double *theta);
/* The path actually used (STATS or DIRECT). */
gk_kumar_path gk_kumar_path_of(const gk_model *m);

/* Summary statistics (eq. 5), readout-weighted if readouts are trained: wbar = (1/N) sum_i v_i w_i (D),
 * M = (1/N) sum_i v_i w_i w_i^T (D x D). For the quad activation f = alpha wbar.x + (alpha eps/2) x^T M x. */
void gk_kumar_stats(const gk_model *m, const double *theta, double *wbar, double *M);

/* Empirical NTK K[i*nb + j] = <grad_theta f(a_i), grad_theta f(b_j)>. Closed form for the stats path:
 *   K = (alpha^2/N) (x.x') [1 + eps wbar.(x + x') + eps^2 x^T M x']   (O(na nb D + (na + nb) D^2));
 * otherwise (alpha/N)^2 [ (Phi'_a V^2 Phi'_b^T) o (Xa Xb^T) + (readouts) Phi_a Phi_b^T ]  (O(na nb N)). */
gk_status gk_kumar_ntk(gk_model *m, const double *theta, const gk_kumar_input *a, const gk_kumar_input *b, double *K,
                       gk_error *err);

/* Kumar eq. 6: the population loss E_x[(g(x) - y(x))^2], x ~ N(0, I/D), of the quadratic predictor
 * g(x) = alpha wbar.x + (alpha eps/2) x^T M x against y = 1/2 x^T B x, B = sum_{m<r} beta_m beta_m^T (r = 1: the
 * single-index target 1/2 (beta.x)^2 of eq. 3; r > 1: the multi-index sums of App. 15.1), splits into
 *   t[0] = 1/4 (Tr B/D - (alpha eps/D) Tr M)^2                  ("variance")
 *   t[1] = 1/(2 D^2) |alpha eps M - B|_F^2                       ("misalignment")
 *   t[2] = (alpha^2/D) |wbar|^2                                  ("power in linear modes")
 * (with A = alpha eps M - B: E (x^T A x/2)^2 = (Tr A/D)^2/4 + |A|_F^2/(2 D^2), and the odd cross term vanishes).
 * beta is r x D (row m = beta_{m+1}). Returns t[0] + t[1] + t[2]. Pass the centred statistics (wbar - wbar0,
 * M - M0) for the centred predictor. */
double gk_kumar_decomp(size_t D, double alpha, double eps, const double *wbar, const double *M, const double *beta,
                       size_t r, double t[3]);

#endif
