/* kumar_data.h: the polynomial-regression data of Kumar, Bordelon, Gershman, Pehlevan (ICLR 2024), Sec. 5.
 *   inputs x ~ N(0, I/D) (train P rows, test ntest rows), teachers beta_1..beta_r ~ N(0, I_D);
 *   targets: quad     y = 1/2 (beta_1.x)^2                        (eq. 3, Fig. 1; r = 1)
 *            multi    y = sum_{m=1..r} 1/2 (beta_m.x)^2 = 1/2 x^T B x,  B = sum_m beta_m beta_m^T
 *                                                                 (App. 15.1, Fig. 14: multi-index targets)
 *            hermite  y = He_k(z), z = sqrt(D) beta_1.x / |beta_1| (App. 15.2, z ~ N(0, 1) exactly; r = 1)
 *            eigen    set afterwards by gk_kumar_eigen_labels from the initial NTK (Fig. 5)
 * Multi-index: App. 15.1 writes the double-index target as "(beta_1.x + beta_2.x)" and the triple-index one as
 * "(beta_1.x + beta_2.x + beta_3.x)", without the power of eq. 3 (taken literally that is a single-index linear
 * function of (beta_1 + beta_2).x, in the top (linear) eigenspace of the initial NTK: nothing to grok). We read it as
 * the sum of r single-index quadratic targets of eq. 3, a rank-r quadratic form. The network can represent it
 * exactly (alpha eps M = B), and the eq. 6 decomposition holds with beta beta^T replaced by B.
 * beta_1 is the same vector for every target (multi with r = 1 is quad, bit for bit).
 * Every row comes from its own random stream (seed, set, row), so the data do not depend on threads. */
#ifndef GK_KUMAR_DATA_H
#define GK_KUMAR_DATA_H

#include "groklab.h"

typedef enum gk_kumar_target {
    GK_KUMAR_TARGET_QUAD = 0,
    GK_KUMAR_TARGET_HERMITE,
    GK_KUMAR_TARGET_EIGEN,
    GK_KUMAR_TARGET_MULTI
} gk_kumar_target;

typedef struct gk_kumar_data {
    size_t D, P, ntest;
    size_t r;        /* number of teacher directions (1 unless target = multi) */
    double *X, *y;   /* P x D row-major, P */
    double *Xt, *yt; /* ntest x D, ntest */
    double *beta;    /* r x D, row m = beta_{m+1} */
} gk_kumar_data;

/* Draws X, Xt and beta from `seed` and fills the targets (k is the Hermite order, used by hermite only; r the
 * number of directions, used by multi only (r >= 1), the other targets use r = 1; eigen leaves y = yt = 0 for
 * gk_kumar_eigen_labels). */
gk_status gk_kumar_data_make(gk_kumar_data *d, size_t D, size_t P, size_t ntest, gk_kumar_target target, int k,
                             size_t r, uint64_t seed, gk_error *err);
void gk_kumar_data_free(gk_kumar_data *d);

/* Probabilists' Hermite polynomial He_k(z), k in 0..4 (He_2 = z^2 - 1, He_3 = z^3 - 3z, He_4 = z^4 - 6z^2 + 3). */
double gk_hermite(int k, double z);

/* Eigenvector labels (Kumar Fig. 5; the authors' notebook `generate_label_vector`): K is the n x n initial NTK
 * on the pooled train + test inputs; the labels are the j-th eigenvector (j = 1: the largest eigenvalue) of
 * K - mean(K) (the grand mean subtracted, as in the notebook), unit norm, its largest-magnitude entry made
 * positive so the sign is fixed. Writes y (n) and *lambda (the eigenvalue). j in [1, n]. */
gk_status gk_kumar_eigen_labels(const double *K, size_t n, size_t j, double *y, double *lambda, gk_error *err);

/* Writes train.csv and test.csv (x0..x{D-1},y) and beta.csv (r rows) into dir, atomically. */
gk_status gk_kumar_data_save_csv(const gk_kumar_data *d, const char *dir, gk_error *err);

#endif
