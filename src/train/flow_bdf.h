/* flow_bdf.h: the stiff method of gk_flow: SUNDIALS CVODE's variable-order BDF with a matrix-free Newton-
 * Krylov solver (SPGMR, no preconditioner). The Jacobian of the flow (minus the Hessian of the regularized
 * loss) is never formed: CVODE approximates Jacobian-vector products by difference quotients of the
 * derivative, so memory stays O(P) and each product costs one gradient evaluation. Internal to gk_flow. */
#ifndef GK_TRAIN_FLOW_BDF_H
#define GK_TRAIN_FLOW_BDF_H

#include "train/flow.h"

typedef struct gk_bdf gk_bdf;

gk_status gk_bdf_create(gk_bdf **out, size_t dim, gk_flow_rhs rhs, void *ud, double rtol, double atol, double t0,
                        const double *theta0, gk_error *err);
/* Integrates to exactly t1 (CVODE's stop time) and writes the state there; same contract as gk_flow_advance. */
/* max_evals > 0: GK_ELIMIT before a step once that many derivatives (Jacobian products included) were evaluated. */
gk_status gk_bdf_advance(gk_bdf *b, double t1, long max_evals, double *theta, const volatile int *stop, gk_error *err);
void gk_bdf_free(gk_bdf *b);
/* evals counts every derivative evaluation, those of the Jacobian-vector products included. */
void gk_bdf_stats(const gk_bdf *b, long *evals, long *steps, long *rejected, double *h, double *t);

#endif
