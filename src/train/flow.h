/* flow.h: gradient flow d theta/dt = F(t, theta) by an adaptive embedded Runge-Kutta method with error
 * control (GSL odeiv2 steppers and step-size control; the stepping loop is our own so that every
 * derivative is counted once, the derivative at the end of a step is reused as the first stage of the next,
 * and failures carry a message naming t).
 *
 * Error control (GSL's standard control): a step of size h is accepted when, for every coordinate i,
 * |err_i| <= 1.1 (atol + rtol |theta_i|), err being the difference of the embedded pair; otherwise it is
 * redone with a smaller h. The next h grows by at most 5x and shrinks by at most 5x per step.
 *
 * Output at the requested times: with dense output (the default) the integrator takes its natural steps
 * and the state at a requested time t inside the last step [t0, t1] is the cubic Hermite interpolant of
 * theta and dtheta/dt at both ends (4th order, like scipy's RK45 dense output; exact at step ends). Without
 * it each requested time ends a step exactly (one step or more per request). rk8pd always lands exactly: its
 * steps are long and a cubic interpolant over them would be far less accurate than the steps.
 *
 * Stiff method: GSL's implicit steppers (rk1imp, rk2imp, rk4imp, bsimp, msbdf) all need the Jacobian as
 * a dense dim x dim matrix, factorized at each Newton iteration: O(P^2) memory and O(P^3) time, out of reach
 * for networks (P = 2e3 .. 2e5). The stiff method here is SUNDIALS CVODE's BDF with matrix-free GMRES
 * (flow_bdf.c): Jacobian-vector products by difference quotients, O(P) memory. It lands on each requested
 * time exactly (no dense output). Use it when explicit steps are limited by stability rather than accuracy
 * (many rejected steps, a step size that stays tiny on a smooth stretch); otherwise the explicit pairs need
 * fewer gradient evaluations.
 *
 * Deterministic: the same F gives bitwise-identical states (no threads here; F may use threads if it
 * reduces in a fixed order). GSL's error handler is switched off around the GSL calls and restored.
 */
#ifndef GK_TRAIN_FLOW_H
#define GK_TRAIN_FLOW_H

#include "core/state.h"
#include "groklab.h"

/* dtheta/dt at (t, theta) into dtheta (dim doubles). A status other than GK_OK aborts the integration with
 * that status and message. A non-finite dtheta is caught by the integrator (it retries with a smaller
 * step; if the derivative at an accepted point is non-finite, or the step underflows, GK_ENONFINITE). */
typedef gk_status (*gk_flow_rhs)(void *ud, double t, const double *theta, double *dtheta, gk_error *err);

typedef enum gk_flow_method {
    GK_FLOW_RKF45, /* Runge-Kutta-Fehlberg 4(5): 6 derivatives per accepted step */
    GK_FLOW_RKCK,  /* Cash-Karp 4(5): 6 per step */
    GK_FLOW_RK8PD, /* Prince-Dormand 8(9): 13 per step; best at tight tolerances */
    GK_FLOW_BDF    /* implicit BDF, orders 1-5, matrix-free Newton-Krylov (SUNDIALS CVODE): for stiff flows */
} gk_flow_method;

/* "rkf45|rkck|rk8pd": the names of the methods, in enum order (for a GK_P_ENUM spec). */
#define GK_FLOW_METHODS "rkf45|rkck|rk8pd|bdf"
/* Parses a method name. GK_EINVAL (message naming the choices) if unknown. */
gk_status gk_flow_method_parse(const char *name, gk_flow_method *m, gk_error *err);

typedef struct gk_flow_opts {
    gk_flow_method method;
    double rtol, atol; /* > 0 */
    int dense;         /* 1: Hermite output at requested times (natural steps); 0: land on each time exactly */
    double t_end;      /* never step past this time (INFINITY: no limit) */
    long max_evals;    /* > 0: gk_flow_advance stops with GK_ELIMIT once this many gradient evaluations are done */
} gk_flow_opts;

typedef struct gk_flow gk_flow;

/* The keys of an experiment that can train by gradient flow (place inside its spec table). With opt=flow,
 * "steps" still counts units of lr in time (t = lr * step), so the eval schedule is that of GD. */
#define GK_FLOW_PARAMS                                                                                          \
    {"opt", GK_P_ENUM, "gd", 0, 0, 0, 0, "gd|flow",                                                            \
     "optimizer: GD steps of size lr, or gradient flow by an adaptive Runge-Kutta method (t = lr * step)"},    \
    {"rtol", GK_P_REAL, "1e-6", 0, INFINITY, 1, 0, NULL, "opt=flow: relative error tolerance per step"},      \
    {"atol", GK_P_REAL, "1e-9", 0, INFINITY, 1, 0, NULL, "opt=flow: absolute error tolerance per step"},      \
    {"flow_method", GK_P_ENUM, "rkck", 0, 0, 0, 0, GK_FLOW_METHODS,                                           \
     "opt=flow: explicit embedded Runge-Kutta pair (GSL), or bdf: implicit, matrix-free (CVODE), for stiff flows"}, \
    {"flow_dense", GK_P_BOOL, "1", 0, 1, 0, 0, NULL,                                                           \
     "opt=flow: 1 = natural steps and Hermite output at eval points; 0 = every eval point ends a step"},       \
    {"max_evals", GK_P_INT, "1000000", 1, 1e15, 0, 0, NULL,                                                    \
     "opt=flow: at most this many gradient evaluations; the run stops (status limit) when they are used up"}

/* Reads opt, rtol, atol, flow_method, flow_dense, max_evals from cfg. *use_flow = 1 for opt=flow. */
gk_status gk_flow_opts_from_config(const gk_config *cfg, double t_end, int *use_flow, gk_flow_opts *o, gk_error *err);

/* An integrator for dim unknowns starting at (t0, theta0) (copied). GK_EINVAL for rtol/atol <= 0 or not
 * finite, GK_ENOMEM. */
gk_status gk_flow_create(gk_flow **out, size_t dim, gk_flow_rhs rhs, void *ud, const gk_flow_opts *o, double t0,
                         const double *theta0, gk_error *err);
void gk_flow_free(gk_flow *f);

/* Integrates to time t1 (>= the last requested time) and writes the state at t1 into theta (dim doubles).
 * Checks *stop (if not NULL) between steps: then returns GK_EINTERRUPTED and leaves theta untouched. With
 * o->max_evals > 0, returns GK_ELIMIT (theta untouched, a message naming max_evals and t) before a step once
 * that many derivatives were evaluated: at most one step's worth (13 for rk8pd) more are done.
 * On failure (GK_ENONFINITE, GK_EFAILED or the callback's status) theta is untouched and the message names
 * t and the reason; the integrator cannot go on after a failure. */
gk_status gk_flow_advance(gk_flow *f, double t1, double *theta, const volatile int *stop, gk_error *err);

long gk_flow_evals(const gk_flow *f);      /* derivative (gradient) evaluations so far */
long gk_flow_steps(const gk_flow *f);      /* accepted steps */
long gk_flow_rejected(const gk_flow *f);   /* rejected step attempts */
double gk_flow_step_size(const gk_flow *f); /* the step size the next step will try */
double gk_flow_time(const gk_flow *f);      /* the time the integrator has reached (>= the last request) */

/* Lists the integrator's mutable state for a checkpoint (between steps: the state, the derivative and the
 * previous point of the dense output, the step size, the times and the counters). GSL's steppers and step
 * control keep nothing between steps, so a restored integrator takes the same steps. The BDF method cannot
 * be checkpointed (CVODE keeps its history inside): the visit fails with GK_EUNAVAILABLE. */
void gk_flow_visit(gk_flow *f, gk_state *s);

#endif
