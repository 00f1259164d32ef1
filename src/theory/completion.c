/* completion.c: the two predictors of symmetric matrix completion (Lyu et al. Sec. 3.3.3).
 *
 * An observation (i, j, v) fixes both W_ij and W_ji to v; if an unordered pair is observed more than once the
 * last observation wins.
 *
 * Min nuclear norm: the optimum over all matrices can be taken symmetric (||W^T||_* = ||W||_* and the
 * constraints are symmetric, so (W + W^T)/2 is feasible and no worse). On symmetric matrices the singular values
 * are |eigenvalues| and the proximal map of tau ||.||_* soft-thresholds the eigenvalues (LAPACKE_dsyevd).
 * The solver is ADMM on  min ||W||_*  s.t.  W = Z,  Z in {Z : Z_Omega = M_Omega}:
 *     W <- prox_{tau ||.||_*}(Z - U),   Z <- W + U with Z_Omega = M_Omega,   U <- U + W - Z,
 * where U (the scaled dual, supported on Omega) and tau = 1/rho follow residual balancing (Boyd et al. 2011,
 * Sec. 3.4.1). It stops when both the relative primal residual ||P_Omega(W - M)|| / ||P_Omega M|| (the residual
 * on the observed entries) and the relative dual residual ||Z - Z_prev|| / ||U|| (= rho ||dZ|| / ||rho U||; dZ
 * is the change of the unobserved entries of W) are <= tol: a fixed point of ADMM is a minimiser. Measured:
 * the relative error to the true optimum tracks tol (1e-6 -> ~1e-6, 1e-9 -> ~1e-9), d = 97 with 5% observed
 * takes ~200-300 iterations, each one d x d eigendecomposition.
 */
#include "theory/theory.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_zero_fill(const size_t *rows, const size_t *cols, const double *vals, size_t nobs, size_t d, double *W) {
    GK_ASSERT(W && d > 0 && (nobs == 0 || (rows && cols && vals)));
    memset(W, 0, d * d * sizeof *W);
    for (size_t t = 0; t < nobs; t++) {
        GK_ASSERT(rows[t] < d && cols[t] < d);
        W[rows[t] * d + cols[t]] = vals[t];
        W[cols[t] * d + rows[t]] = vals[t];
    }
}

double gk_nuclear_norm(const double *W, size_t d, gk_error *err) {
    GK_ASSERT(W && d > 0);
    double *A = malloc(d * d * sizeof *A), *s = malloc(d * sizeof *s);
    if (!A || !s) {
        free(A), free(s);
        gk_fail(err, GK_ENOMEM, "nuclear norm: out of memory for a %zu x %zu matrix", d, d);
        return NAN;
    }
    memcpy(A, W, d * d * sizeof *A);
    lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)d, (lapack_int)d, A, (lapack_int)d, s, NULL,
                                     (lapack_int)d, NULL, (lapack_int)d); /* U, V^T not referenced */
    double sum = 0;
    for (size_t i = 0; i < d && info == 0; i++) sum += s[i];
    free(A), free(s);
    if (info != 0) {
        gk_fail(err, GK_EFAILED, "nuclear norm: LAPACKE_dgesdd failed (info = %d)", (int)info);
        return NAN;
    }
    return sum;
}

/* W = prox_{tau ||.||_*}(A) for symmetric A (destroyed). V and T are d x d scratch. Returns the LAPACK info. */
static lapack_int prox_nuclear_sym(double *A, size_t d, double tau, double *ev, double *V, double *T, double *W) {
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, A, (lapack_int)d, ev);
    if (info != 0) return info;
    size_t r = 0; /* kept eigenpairs: V (d x r) eigenvectors, T = V diag(shrunk) */
    for (size_t k = 0; k < d; k++) {
        double l = ev[k], s = l > tau ? l - tau : (l < -tau ? l + tau : 0.0);
        if (s == 0.0) continue;
        for (size_t i = 0; i < d; i++) {
            V[i * d + r] = A[i * d + k];
            T[i * d + r] = A[i * d + k] * s;
        }
        r++;
    }
    if (r == 0) {
        memset(W, 0, d * d * sizeof *W);
        return 0;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)d, (int)d, (int)r, 1.0, T, (int)d, V, (int)d, 0.0, W,
                (int)d);
    for (size_t i = 0; i < d; i++) /* exact symmetry */
        for (size_t j = 0; j < i; j++) W[i * d + j] = W[j * d + i] = 0.5 * (W[i * d + j] + W[j * d + i]);
    return 0;
}

/* The observations lie inside the d x d matrix and are finite. */
static gk_status check_observations(const size_t *rows, const size_t *cols, const double *vals, size_t nobs, size_t d,
                                    gk_error *err) {
    for (size_t t = 0; t < nobs; t++) {
        if (rows[t] >= d || cols[t] >= d)
            return gk_fail(err, GK_EINVAL, "nuclear completion: observation %zu at (%zu, %zu) is outside %zu x %zu", t,
                           rows[t], cols[t], d, d);
        if (!isfinite(vals[t]))
            return gk_fail(err, GK_ENONFINITE, "nuclear completion: observation %zu is not finite", t);
    }
    return GK_OK;
}

/* The ADMM's Z and scaled-dual U updates after the W (prox) step: on Omega, Z = M and U += W - M; off Omega,
 * Z = W + U (U stays 0 there). *r = the observed residual ||P_Omega(W - M)|| / nb, *s = the dual residual
 * rho ||dZ|| relative to the dual rho ||U||. */
static void admm_z_u_update(const double *W, const double *M, const unsigned char *om, size_t dd, double nb, double *Z,
                            double *U, double *r, double *s) {
    double rr = 0, dz = 0, nu = 0;
    for (size_t k = 0; k < dd; k++) {
        double znew;
        if (om[k]) {
            double e = W[k] - M[k];
            rr += e * e;
            U[k] += e;
            znew = M[k];
        } else {
            znew = W[k] + U[k]; /* U is 0 off Omega */
        }
        dz += (znew - Z[k]) * (znew - Z[k]);
        nu += U[k] * U[k];
        Z[k] = znew;
    }
    *r = sqrt(rr) / nb;
    *s = sqrt(dz) / fmax(sqrt(nu), 1e-300);
}

gk_status gk_min_nuclear_completion(const size_t *rows, const size_t *cols, const double *vals, size_t nobs,
                                    size_t d, double tol, int max_iter, double *W, double *residual,
                                    gk_error *err) {
    GK_ASSERT(W && residual && d > 0 && (nobs == 0 || (rows && cols && vals)));
    if (!(tol > 0) || !(tol < 1))
        return gk_fail(err, GK_EINVAL, "nuclear completion: tol = %g must be in (0, 1)", tol);
    if (max_iter < 1) return gk_fail(err, GK_EINVAL, "nuclear completion: max_iter = %d must be >= 1", max_iter);
    gk_status st = check_observations(rows, cols, vals, nobs, d, err);
    if (st != GK_OK) return st;
    size_t dd = d * d;
    double *M = malloc(dd * sizeof *M), *Z = malloc(dd * sizeof *Z), *U = calloc(dd, sizeof *U);
    double *A = malloc(dd * sizeof *A), *V = malloc(dd * sizeof *V), *T = malloc(dd * sizeof *T);
    double *ev = malloc(d * sizeof *ev);
    unsigned char *om = calloc(dd, 1);
    if (!M || !Z || !U || !A || !V || !T || !ev || !om) {
        st = gk_fail(err, GK_ENOMEM, "nuclear completion: out of memory for %zu x %zu matrices", d, d);
        goto done;
    }
    gk_zero_fill(rows, cols, vals, nobs, d, M);
    for (size_t t = 0; t < nobs; t++) om[rows[t] * d + cols[t]] = om[cols[t] * d + rows[t]] = 1;
    double nb = gk_norm2(M, dd); /* = ||P_Omega M|| */
    if (nb == 0) {               /* nothing (or only zeros) observed: W = 0 is the minimiser */
        memset(W, 0, dd * sizeof *W);
        *residual = 0;
        goto done;
    }
    memcpy(Z, M, dd * sizeof *Z);
    /* Initial threshold: a fraction of the spectral scale of the zero-filled matrix (Frobenius / sqrt(d) is a
     * cheap lower estimate); residual balancing adapts it. */
    double tau = 0.1 * nb / sqrt((double)d);
    const int every = 5;   /* iterations between adaptations of tau */
    const double mu = 5.0; /* adapt when one relative residual exceeds mu times the other */
    double r = INFINITY, s = INFINITY;
    int it;
    for (it = 1; it <= max_iter; it++) {
        for (size_t k = 0; k < dd; k++) A[k] = Z[k] - U[k];
        lapack_int info = prox_nuclear_sym(A, d, tau, ev, V, T, W);
        if (info != 0) {
            st = gk_fail(err, GK_EFAILED, "nuclear completion: LAPACKE_dsyevd failed (info = %d) at iteration %d",
                         (int)info, it);
            goto done;
        }
        admm_z_u_update(W, M, om, dd, nb, Z, U, &r, &s);
        if (!isfinite(r) || !isfinite(s)) {
            st = gk_fail(err, GK_ENONFINITE, "nuclear completion: non-finite iterate at iteration %d", it);
            goto done;
        }
        if (r <= tol && s <= tol) break;
        if (it % every == 0) { /* residual balancing: tau = 1/rho; the scaled dual U = Y/rho scales with tau */
            double f = 0;
            if (r > mu * s) f = 0.5;
            else if (s > mu * r) f = 2.0;
            if (f != 0) {
                tau *= f;
                for (size_t k = 0; k < dd; k++) U[k] *= f;
            }
        }
    }
    *residual = r;
    if (it > max_iter)
        st = gk_fail(err, GK_EFAILED,
                     "nuclear completion: not converged in %d iterations (observed residual %.3g, dual residual %.3g, tol %g)",
                     max_iter, r, s, tol);
done:
    free(M), free(Z), free(U), free(A), free(V), free(T), free(ev), free(om);
    return st;
}
