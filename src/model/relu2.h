/* relu2.h: the two-layer ReLU net of Xu et al. (ICLR 2024), eq. 2.1:
 *   f(x; W) = sum_{j<m} a_j ReLU(<w_j, x>),  a_j uniform in {+-1/sqrt(m)}, fixed (not trained).
 * Parameters: W only (one tensor "W", m x p, row j = w_j), init N(0, omega^2 I).
 * Inputs are a gk_relu2_input (dense rows). Both products use BLAS dgemm, cut into fixed output blocks spread
 * over the OpenMP threads (bitwise the same for any thread count; see relu2.c):
 *   forward  H = X W^T (n x m), f_i = sum_j a_j max(H_ij, 0)
 *   backward grad_W += G^T X with G_ij = dout_i a_j 1[H_ij > 0]   (ReLU'(0) taken as 0)
 * backward reads only the cache of the last forward, never theta, so grad may alias theta: passing
 * dout = -lr dL/df and grad = theta performs the GD step W <- W - lr grad_W in place. */
#ifndef GK_MODEL_RELU2_H
#define GK_MODEL_RELU2_H

#include "model/model.h"

typedef struct gk_relu2_input {
    size_t n, p;
    const double *X; /* n x p, row-major */
} gk_relu2_input;

gk_status gk_relu2_create(gk_model *m, size_t p, size_t width, gk_error *err);
/* Draws a (from stream `seed`/1) and W ~ N(0, omega^2) (row j from its own stream, gk_rng_normals):
 * thread-independent. */
void gk_relu2_init(gk_model *m, double omega, uint64_t seed, double *theta);
/* The fixed output weights a_j (m values). */
const double *gk_relu2_a(const gk_model *m);
size_t gk_relu2_width(const gk_model *m);
/* f on points of span(e1, e2): x = u e1 + v e2, given the projections P1_j = <w_j, e1>, P2_j = <w_j, e2>. */
double gk_relu2_eval_plane(const gk_model *m, const double *P1, const double *P2, double u, double v);

/* ---- the span form ----------------------------------------------------------------------------------------
 * GD on W moves w_j only along the train inputs x_i (the gradient of w_j is a combination of them), so
 *   w_j(t) = w_j(0) + sum_i A_ji(t) x_i,
 * and for any points Z (rows x p) the pre-activations are Z W^T = Z W(0)^T + (Z X^T) A^T. Given the
 * products G = Z X^T (rows x n) and ZW0 = Z W(0)^T (rows x m), computed once, a forward costs rows n m and
 * a GD step n m, whatever p. At = A^T (n x m, row i = the coefficients of x_i in every neuron). */
typedef struct gk_relu2_span {
    size_t rows, n;
    const double *G;   /* rows x n: <z_r, x_i> */
    const double *ZW0; /* rows x m: <z_r, w_j(0)> */
} gk_relu2_span;

/* GA = G At (rows x m, the pre-activations' change since init), H = ZW0 + GA, out_r = sum_j a_j max(H_rj, 0)
 * (j in increasing order). The product is cut into fixed column blocks (single-threaded dgemm each) spread
 * over the OpenMP threads: bitwise the same for any thread count. */
void gk_relu2_span_forward(const gk_model *m, const gk_relu2_span *S, const double *At, double *GA, double *H,
                           double *out);
/* The GD step in span form: At_ij += dout_i a_j 1[H_ij > 0] with H the train pre-activations of the last
 * span forward on the train points (Z = X) and dout = -lr dL/df: the same update as backward with
 * grad = theta (w_j += sum_i G_ij x_i), written on the coefficients. */
void gk_relu2_span_update(const gk_model *m, size_t n, const double *H, const double *dout, double *At);

#endif
