/* flow_bdf.c: gradient flow by CVODE's BDF with matrix-free GMRES (see flow_bdf.h). */
#include "train/flow_bdf.h"

#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_spgmr.h>

struct gk_bdf {
    size_t dim;
    gk_flow_rhs rhs;
    void *ud;
    SUNContext ctx;
    N_Vector y;
    SUNLinearSolver ls;
    void *mem;
    double t;
    int failed;
    gk_status cb_status; /* what the last derivative call said */
    gk_error cb_err;
    char solver_msg[256]; /* CVODE's last error message (its handler is ours: it never prints) */
};

/* CVODE's right-hand side: 0 ok, > 0 recoverable (a non-finite derivative: CVODE retries with a smaller
 * step), < 0 fatal (the callback failed). */
static int bdf_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data) {
    gk_bdf *b = user_data;
    double *dy = N_VGetArrayPointer(ydot);
    gk_status s = b->rhs(b->ud, t, N_VGetArrayPointer(y), dy, &b->cb_err);
    if (s) {
        b->cb_status = s;
        return -1;
    }
    for (size_t i = 0; i < b->dim; i++)
        if (!isfinite(dy[i])) return 1;
    return 0;
}

static void bdf_error_handler(int code, const char *module, const char *function, char *msg, void *eh_data) {
    gk_bdf *b = eh_data;
    snprintf(b->solver_msg, sizeof b->solver_msg, "%s (%s, code %d)", msg, function, code);
}

void gk_bdf_free(gk_bdf *b) {
    if (!b) return;
    if (b->mem) CVodeFree(&b->mem);
    if (b->ls) SUNLinSolFree(b->ls);
    if (b->y) N_VDestroy(b->y);
    if (b->ctx) SUNContext_Free(&b->ctx);
    free(b);
}

gk_status gk_bdf_create(gk_bdf **out, size_t dim, gk_flow_rhs rhs, void *ud, double rtol, double atol, double t0,
                        const double *theta0, gk_error *err) {
    *out = NULL;
    gk_bdf *b = calloc(1, sizeof *b);
    if (!b) return gk_fail(err, GK_ENOMEM, "out of memory");
    b->dim = dim;
    b->rhs = rhs;
    b->ud = ud;
    b->t = t0;
    int bad = SUNContext_Create(NULL, &b->ctx) != 0;
    if (!bad) bad = !(b->y = N_VNew_Serial((sunindextype)dim, b->ctx));
    if (!bad) {
        memcpy(N_VGetArrayPointer(b->y), theta0, dim * sizeof(double));
        bad = !(b->mem = CVodeCreate(CV_BDF, b->ctx));
    }
    if (!bad) bad = CVodeSetErrHandlerFn(b->mem, bdf_error_handler, b) != CV_SUCCESS;
    if (!bad) bad = CVodeInit(b->mem, bdf_rhs, t0, b->y) != CV_SUCCESS;
    if (!bad) bad = CVodeSStolerances(b->mem, rtol, atol) != CV_SUCCESS;
    if (!bad) bad = CVodeSetUserData(b->mem, b) != CV_SUCCESS;
    if (!bad) bad = CVodeSetMaxNumSteps(b->mem, -1) != CV_SUCCESS; /* our loop takes one step per call */
    if (!bad) bad = !(b->ls = SUNLinSol_SPGMR(b->y, SUN_PREC_NONE, 0, b->ctx));
    if (!bad) bad = CVodeSetLinearSolver(b->mem, b->ls, NULL) != CV_SUCCESS;
    if (bad) {
        gk_fail(err, GK_EFAILED, "cannot set up the BDF integrator (CVODE) of dimension %zu%s%s", dim,
                b->solver_msg[0] ? ": " : "", b->solver_msg);
        gk_bdf_free(b);
        return GK_EFAILED;
    }
    *out = b;
    return GK_OK;
}

static long bdf_evals(const gk_bdf *b) {
    long nfe = 0, nfels = 0;
    CVodeGetNumRhsEvals(b->mem, &nfe);
    CVodeGetNumLinRhsEvals(b->mem, &nfels);
    return nfe + nfels;
}

gk_status gk_bdf_advance(gk_bdf *b, double t1, long max_evals, double *theta, const volatile int *stop, gk_error *err) {
    if (b->failed) return gk_fail(err, GK_EFAILED, "gradient flow (bdf): the integrator failed earlier");
    CVodeSetStopTime(b->mem, t1);
    while (b->t < t1) {
        if (stop && *stop) return gk_fail(err, GK_EINTERRUPTED, "interrupted at t = %g", b->t);
        if (max_evals > 0 && bdf_evals(b) >= max_evals)
            return gk_fail(err, GK_ELIMIT,
                           "gradient flow (bdf) stopped at t = %g of %g: max_evals=%ld gradient evaluations used up "
                           "(raise max_evals, or lower lr or steps)", b->t, t1, max_evals);
        sunrealtype t = b->t;
        int flag = CVode(b->mem, t1, b->y, &t, CV_ONE_STEP);
        if (flag < 0) {
            b->failed = 1;
            if (b->cb_status) return gk_fail(err, b->cb_status, "gradient flow at t = %g: %s", b->t, b->cb_err.msg);
            gk_status s = flag == CV_REPTD_RHSFUNC_ERR || flag == CV_FIRST_RHSFUNC_ERR ? GK_ENONFINITE : GK_EFAILED;
            return gk_fail(err, s, "gradient flow (bdf) at t = %g: %s", b->t,
                           b->solver_msg[0] ? b->solver_msg : CVodeGetReturnFlagName(flag));
        }
        b->t = t;
        if (flag == CV_TSTOP_RETURN) break;
    }
    memcpy(theta, N_VGetArrayPointer(b->y), b->dim * sizeof(double));
    return GK_OK;
}

void gk_bdf_stats(const gk_bdf *b, long *evals, long *steps, long *rejected, double *h, double *t) {
    long nfe = 0, nfels = 0, nst = 0, netf = 0, ncfn = 0;
    sunrealtype hcur = 0;
    CVodeGetNumRhsEvals(b->mem, &nfe);
    CVodeGetNumLinRhsEvals(b->mem, &nfels);
    CVodeGetNumSteps(b->mem, &nst);
    CVodeGetNumErrTestFails(b->mem, &netf);
    CVodeGetNumNonlinSolvConvFails(b->mem, &ncfn);
    CVodeGetCurrentStep(b->mem, &hcur);
    *evals = nfe + nfels;
    *steps = nst;
    *rejected = netf + ncfn;
    *h = hcur;
    *t = b->t;
}
