/* xor_refs.h: the reference of Xu et al. (ICLR 2024) Thm 3.3 for the XOR experiment (src/exp/xor.c): after one
 * GD step from a tiny init the two-layer ReLU net behaves like the linear classifier sign(<v, x>) with
 * v = sum_i y_i x_i, which is at chance on XOR. Its scores on the train and the test points, from the inputs or
 * from the span products (model/relu2_span.h). */
#ifndef GK_THEORY_XOR_REFS_H
#define GK_THEORY_XOR_REFS_H

#include "model/relu2_span.h"

/* From the inputs: X (n x p) with labels y; the scores of X into lin_train (n), of Xt (nt x p) into lin_test. */
gk_status gk_linear_ref_scores(const double *X, const double *y, size_t n, size_t p, const double *Xt, size_t nt,
                               double *lin_train, double *lin_test, gk_error *err);

/* From the products: <v, z> = sum_l y_l <x_l, z>, from the rows of Z X^T (l in order). */
void gk_linear_ref_scores_span(const gk_relu2_products *S, const double *y, double *lin_train, double *lin_test);

/* The accuracy of scores against labels y in {-1, +1} (a tie, score 0, counts 1/2) over the points i < n, or with
 * a mask only over those with (mask[i] != 0) == want; NAN if there is none. */
double gk_sign_accuracy(const double *y, const double *score, const unsigned char *mask, int want, size_t n);

#endif
