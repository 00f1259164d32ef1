/* relu2_span.h: the relu2 net (relu2.h) in span form, for one run on fixed train and test points: the
 * products of the set-up, computed once, after which neither the inputs nor W(0) are needed and a forward,
 * a GD step (gk_relu2_span_update), the weight norms and the projections of the w_j on two directions cost
 * nothing in the input dimension p (Xu et al.'s XOR runs at p = 40,000: path=span of src/exp/xor.c).
 *
 * With Z = [X; X_test] (n + nt points) and w_j(t) = w_j(0) + sum_i A_ji(t) x_i (At = A^T, n x m, the state):
 *   pre-activations   Z W^T = Z W(0)^T + (Z X^T) A^T
 *   norms             ||w_j||^2 = ||w_j(0)||^2 + 2 a_j.(X w_j(0)) + a_j^T K a_j,  ||w_j - w_j(0)||^2 = a_j^T K a_j
 *   projections       <w_j, e> = <w_j(0), e> + sum_i A_ji <x_i, e>
 * with K = X X^T and a_j column j of At. */
#ifndef GK_MODEL_RELU2_SPAN_H
#define GK_MODEL_RELU2_SPAN_H

#include "model/relu2.h"

typedef struct gk_relu2_products {
    size_t n, nt, m;
    double *ZX;   /* (n + nt) x n: K = X X^T (first n rows), then X_test X^T */
    double *ZW0;  /* (n + nt) x m: X W(0)^T, then X_test W(0)^T */
    double *Xe;   /* n x 2: <x_i, e1>, <x_i, e2> */
    double *W0e;  /* m x 2: <w_j(0), e1>, <w_j(0), e2> */
    double *w0n2; /* m: ||w_j(0)||^2 */
} gk_relu2_products;

/* The products of Z ((n + nt) x p, the n train rows then the nt test rows) with itself, with W(0) (m x p) and
 * with the directions e1, e2 (p each), in fixed row blocks of Z (each a single-threaded dgemm: the same bits
 * for any thread count). */
gk_status gk_relu2_products_make(gk_relu2_products *S, const double *Z, size_t n, size_t nt, const double *W0,
                                 size_t m, size_t p, const double *e1, const double *e2, gk_error *err);
void gk_relu2_products_free(gk_relu2_products *S);

/* f on the train (test = 0) or the test points into out, through gk_relu2_span_forward; GA and H (rows x m,
 * rows = n or nt) get G At and the pre-activations (H of a train forward is what gk_relu2_span_update takes). */
void gk_relu2_products_forward(const gk_model *mod, const gk_relu2_products *S, int test, const double *At,
                               double *GA, double *H, double *out);

/* ||w_j|| into wnorm (m), ||W|| into *norm and ||W - W(0)|| / ||W(0)|| into *rel, given GA = K At from the last
 * train forward; dn2 is m values of scratch. Sums over i in order. */
void gk_relu2_products_norms(const gk_relu2_products *S, const double *At, const double *GA, double *wnorm,
                             double *dn2, double *norm, double *rel);

/* proj[j] = <w_j, e1>, proj[m + j] = <w_j, e2> (i in order). */
void gk_relu2_products_project(const gk_relu2_products *S, const double *At, double *proj);

/* The same for W itself (the direct form, m x p): ||w_j|| into wnorm, ||W|| and ||W - W(0)|| / ||W(0)||. */
void gk_relu2_dense_norms(const double *W, const double *W0, size_t m, size_t p, double *wnorm, double *norm,
                          double *rel);
/* proj[j] = <w_j, e1>, proj[m + j] = <w_j, e2> from W. */
void gk_relu2_dense_project(const double *W, size_t m, size_t p, const double *e1, const double *e2, double *proj);
/* out[i] = <A_i, x> for the rows of A (rows x p): gk_dot per row, so the result does not depend on threads
 * (a threaded dgemv may split the reduction). */
void gk_rows_dot(const double *A, size_t rows, size_t p, const double *x, double *out);

/* The sign of f on the grid x[ix] e1 + x[iy] e2 (g x g, into z[iy g + ix]) given the projections P1_j = <w_j, e1>,
 * P2_j = <w_j, e2>: <w_j, u e1 + v e2> = u P1_j + v P2_j (gk_relu2_eval_plane). */
void gk_relu2_plane_signs(const gk_model *mod, const double *P1, const double *P2, const double *x, size_t g,
                          double *z);

/* For either form: the mean over the neurons with a_j > 0 (al[0], al[1]) and with a_j < 0 (al[2], al[3]) of
 * |cos(w_j, e_k)| = |<w_j, e_k>| / (||w_j|| ||e||), k = 1, 2, from proj (as gk_relu2_products_project writes it),
 * the norms ||w_j|| and ||e|| = enorm (both directions of that norm); NAN for a group without neurons. */
void gk_relu2_alignment(const gk_model *mod, const double *proj, const double *wnorm, double enorm, double al[4]);

#endif
