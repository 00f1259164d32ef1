/* flow.c: an adaptive Runge-Kutta integrator for gradient flow (see flow.h). GSL provides the steppers
 * (gsl_odeiv2_step_apply: one trial step with its embedded error estimate) and the step-size control
 * (gsl_odeiv2_control_hadjust); the loop over steps, the reuse of the end derivative, the dense output,
 * the counters and the failure messages are here. */
#include "train/flow.h"

#include "train/flow_bdf.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {"rkf45", "rkck", "rk8pd", "bdf"};

struct gk_flow {
    size_t dim;
    gk_flow_rhs rhs;
    void *ud;
    gk_flow_opts o;
    gk_bdf *bdf; /* the stiff method, when chosen; then the GSL members are unused */
    gsl_odeiv2_step *step;
    gsl_odeiv2_control *con;
    gsl_odeiv2_system sys;
    double t, h, tp, t_req; /* current time, next step size, start of the last step, last requested time */
    double *y, *f;          /* state and derivative at t */
    double *yp, *fp;        /* at tp (dense output) */
    double *ytry, *ftry, *yerr;
    int have_f, have_prev, failed;
    long evals, steps, rejected;
    /* what the last derivative call said */
    gk_status cb_status;
    gk_error cb_err;
    int nonfinite;
};

gk_status gk_flow_method_parse(const char *name, gk_flow_method *m, gk_error *err) {
    for (int k = 0; k < (int)(sizeof method_names / sizeof *method_names); k++)
        if (!strcmp(name, method_names[k])) {
            *m = (gk_flow_method)k;
            return GK_OK;
        }
    return gk_fail(err, GK_EINVAL, "flow_method=%s is not allowed: one of %s", name, GK_FLOW_METHODS);
}

gk_status gk_flow_opts_from_config(const gk_config *cfg, double t_end, int *use_flow, gk_flow_opts *o, gk_error *err) {
    *use_flow = !strcmp(gk_config_str(cfg, "opt"), "flow");
    o->rtol = gk_config_real(cfg, "rtol");
    o->atol = gk_config_real(cfg, "atol");
    o->dense = gk_config_bool(cfg, "flow_dense");
    o->t_end = t_end;
    o->max_evals = gk_config_int(cfg, "max_evals");
    return gk_flow_method_parse(gk_config_str(cfg, "flow_method"), &o->method, err);
}

/* The system GSL calls: counts the evaluation, keeps the callback's status, rejects non-finite output. */
static int flow_func(double t, const double y[], double dydt[], void *params) {
    gk_flow *f = params;
    f->evals++;
    gk_status s = f->rhs(f->ud, t, y, dydt, &f->cb_err);
    if (s) {
        f->cb_status = s;
        return GSL_EBADFUNC;
    }
    for (size_t i = 0; i < f->dim; i++)
        if (!isfinite(dydt[i])) {
            f->nonfinite = 1;
            return GSL_EDOM; /* the step fails; the loop retries with a smaller one */
        }
    return GSL_SUCCESS;
}

void gk_flow_free(gk_flow *f) {
    if (!f) return;
    gk_bdf_free(f->bdf);
    if (f->step) gsl_odeiv2_step_free(f->step);
    if (f->con) gsl_odeiv2_control_free(f->con);
    free(f->y), free(f->f), free(f->yp), free(f->fp), free(f->ytry), free(f->ftry), free(f->yerr);
    free(f);
}

gk_status gk_flow_create(gk_flow **out, size_t dim, gk_flow_rhs rhs, void *ud, const gk_flow_opts *o, double t0,
                         const double *theta0, gk_error *err) {
    GK_ASSERT(out && rhs && o && theta0 && dim > 0);
    *out = NULL;
    if (!(o->rtol > 0) || !isfinite(o->rtol))
        return gk_fail(err, GK_EINVAL, "rtol=%g is out of range: rtol must be a finite number > 0", o->rtol);
    if (!(o->atol > 0) || !isfinite(o->atol))
        return gk_fail(err, GK_EINVAL, "atol=%g is out of range: atol must be a finite number > 0", o->atol);
    if ((int)o->method < 0 || (int)o->method > GK_FLOW_BDF)
        return gk_fail(err, GK_EINVAL, "unknown flow method %d", (int)o->method);
    if (o->max_evals < 0) return gk_fail(err, GK_EINVAL, "max_evals=%ld is out of range: max_evals >= 1", o->max_evals);
    if (!isfinite(t0)) return gk_fail(err, GK_EINVAL, "the start time t0=%g is not finite", t0);
    gk_flow *f = calloc(1, sizeof *f);
    if (!f) return gk_fail(err, GK_ENOMEM, "out of memory");
    if (o->method == GK_FLOW_BDF) {
        f->dim = dim;
        f->o = *o;
        gk_status s = gk_bdf_create(&f->bdf, dim, rhs, ud, o->rtol, o->atol, t0, theta0, err);
        if (s) {
            free(f);
            return s;
        }
        *out = f;
        return GK_OK;
    }
    f->dim = dim;
    f->rhs = rhs;
    f->ud = ud;
    f->o = *o;
    if (o->method == GK_FLOW_RK8PD) f->o.dense = 0; /* a cubic interpolant would spoil its 8th order */
    f->t = f->tp = f->t_req = t0;
    size_t bytes = dim * sizeof(double);
    f->y = malloc(bytes), f->f = malloc(bytes), f->yp = malloc(bytes), f->fp = malloc(bytes);
    f->ytry = malloc(bytes), f->ftry = malloc(bytes), f->yerr = malloc(bytes);
    const gsl_odeiv2_step_type *T = o->method == GK_FLOW_RK8PD  ? gsl_odeiv2_step_rk8pd
                                    : o->method == GK_FLOW_RKCK ? gsl_odeiv2_step_rkck
                                                                : gsl_odeiv2_step_rkf45;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    f->step = gsl_odeiv2_step_alloc(T, dim);
    f->con = gsl_odeiv2_control_y_new(o->atol, o->rtol);
    gsl_set_error_handler(old);
    if (!f->y || !f->f || !f->yp || !f->fp || !f->ytry || !f->ftry || !f->yerr || !f->step || !f->con) {
        gk_flow_free(f);
        return gk_fail(err, GK_ENOMEM, "out of memory for a gradient-flow integrator of dimension %zu", dim);
    }
    memcpy(f->y, theta0, bytes);
    f->sys = (gsl_odeiv2_system){flow_func, NULL, dim, f};
    *out = f;
    return GK_OK;
}

/* The derivative at the current point (once). */
static gk_status ensure_f(gk_flow *f, gk_error *err) {
    if (f->have_f) return GK_OK;
    f->nonfinite = 0;
    int st = flow_func(f->t, f->y, f->f, f);
    if (st == GSL_EBADFUNC) {
        f->failed = 1;
        return gk_fail(err, f->cb_status, "gradient flow at t = %.6g: %s", f->t, f->cb_err.msg);
    }
    if (st != GSL_SUCCESS) {
        f->failed = 1;
        return gk_fail(err, GK_ENONFINITE, "gradient flow at t = %.6g: the derivative (gradient) is not finite", f->t);
    }
    f->have_f = 1;
    if (f->h == 0) { /* first step: 1% of the time for the state to change by its own size (in tolerance units) */
        double d0 = 0, d1 = 0;
        for (size_t i = 0; i < f->dim; i++) {
            double sc = f->o.atol + f->o.rtol * fabs(f->y[i]);
            d0 = fmax(d0, fabs(f->y[i]) / sc);
            d1 = fmax(d1, fabs(f->f[i]) / sc);
        }
        f->h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
    }
    return GK_OK;
}

static int all_finite(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* One accepted step, not past t_limit. A step below hmin (relative to the time scale t1) counts as an
 * underflow: it cannot move t in any useful way. */
static gk_status take_step(gk_flow *f, double t_limit, double t1, gk_error *err) {
    const double hmin = 1e-14 * fmax(fabs(f->t), fabs(t1));
    for (;;) {
        if (f->o.max_evals > 0 && f->evals >= f->o.max_evals)
            return gk_fail(err, GK_ELIMIT,
                           "gradient flow stopped at t = %.6g of %.6g: max_evals=%ld gradient evaluations used up (raise "
                           "max_evals, or lower lr or steps)", f->t, t1, f->o.max_evals);
        double remaining = t_limit - f->t;
        double ha = f->h < remaining ? f->h : remaining;
        int last = ha >= remaining;
        memcpy(f->ytry, f->y, f->dim * sizeof(double));
        f->nonfinite = 0;
        int st = gsl_odeiv2_step_apply(f->step, f->t, ha, f->ytry, f->yerr, f->f, f->ftry, &f->sys);
        if (st == GSL_EBADFUNC) {
            f->failed = 1;
            return gk_fail(err, f->cb_status, "gradient flow at t = %.6g: %s", f->t, f->cb_err.msg);
        }
        if (st == GSL_SUCCESS && !all_finite(f->ytry, f->dim)) st = GSL_EDOM, f->nonfinite = 1;
        if (st != GSL_SUCCESS) { /* a non-finite derivative inside the step: halve it */
            f->rejected++;
            f->h = 0.5 * ha;
            if (f->h < hmin || f->t + f->h == f->t) {
                f->failed = 1;
                return gk_fail(err, GK_ENONFINITE,
                               "gradient flow at t = %.6g: the derivative is not finite for any step (step size "
                               "underflow at h = %.3g)", f->t, f->h);
            }
            continue;
        }
        double hn = ha;
        int adj = gsl_odeiv2_control_hadjust(f->con, f->step, f->ytry, f->yerr, f->ftry, &hn);
        if (adj == GSL_ODEIV_HADJ_DEC) {
            f->rejected++;
            if (!(hn < ha) || hn < hmin || f->t + hn == f->t) {
                f->failed = 1;
                return gk_fail(err, GK_EFAILED,
                               "gradient flow at t = %.6g: step size underflow (h = %.3g) cannot meet rtol=%g, "
                               "atol=%g", f->t, hn, f->o.rtol, f->o.atol);
            }
            f->h = hn;
            continue;
        }
        /* accepted: rotate the buffers (y, f) -> (yp, fp), (ytry, ftry) -> (y, f) */
        double *oy = f->yp, *of = f->fp;
        f->yp = f->y, f->fp = f->f;
        f->y = f->ytry, f->f = f->ftry;
        f->ytry = oy, f->ftry = of;
        f->tp = f->t;
        f->t = last ? t_limit : f->t + ha;
        f->have_prev = 1;
        f->steps++;
        /* a step cut short to land on t_limit says little about the natural step: keep the larger one */
        f->h = ha < f->h ? fmax(f->h, hn) : hn;
        return GK_OK;
    }
}

gk_status gk_flow_advance(gk_flow *f, double t1, double *theta, const volatile int *stop, gk_error *err) {
    if (f->bdf) return gk_bdf_advance(f->bdf, t1, f->o.max_evals, theta, stop, err);
    GK_ASSERT(f && theta);
    if (f->failed) return gk_fail(err, GK_EFAILED, "gradient flow: the integrator failed earlier (at t = %.6g)", f->t);
    if (!(t1 >= f->t_req) || !isfinite(t1))
        return gk_fail(err, GK_EINVAL, "gradient flow: requested t = %g is before the last requested t = %g", t1,
                       f->t_req);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gk_status s = GK_OK;
    double t_limit = f->o.dense && isfinite(f->o.t_end) ? fmax(f->o.t_end, t1) : f->o.dense ? INFINITY : t1;
    while (f->t < t1 && !s) {
        if (stop && *stop) s = GK_EINTERRUPTED;
        else if (!(s = ensure_f(f, err))) s = take_step(f, t_limit, t1, err);
    }
    if (s == GK_EINTERRUPTED) gk_fail(err, s, "gradient flow interrupted at t = %.6g", f->t);
    gsl_set_error_handler(old);
    if (s) return s;
    if (t1 == f->t || !f->have_prev) {
        memcpy(theta, f->y, f->dim * sizeof(double));
    } else { /* tp < t1 < t: cubic Hermite on the last step */
        double h = f->t - f->tp, u = (t1 - f->tp) / h, v = 1 - u;
        double h00 = (1 + 2 * u) * v * v, h10 = u * v * v * h, h01 = u * u * (3 - 2 * u), h11 = -u * u * v * h;
        for (size_t i = 0; i < f->dim; i++)
            theta[i] = h00 * f->yp[i] + h10 * f->fp[i] + h01 * f->y[i] + h11 * f->f[i];
    }
    f->t_req = t1;
    return GK_OK;
}

/* The counters of the BDF backend, read into the RK ones so that the getters below serve both. */
static const gk_flow *synced(const gk_flow *f) {
    if (f->bdf) {
        gk_flow *m = (gk_flow *)f; /* the counters are a cache of the backend's own */
        gk_bdf_stats(f->bdf, &m->evals, &m->steps, &m->rejected, &m->h, &m->t);
    }
    return f;
}

long gk_flow_evals(const gk_flow *f) { return synced(f)->evals; }
long gk_flow_steps(const gk_flow *f) { return synced(f)->steps; }
long gk_flow_rejected(const gk_flow *f) { return synced(f)->rejected; }
double gk_flow_step_size(const gk_flow *f) { return synced(f)->h; }
double gk_flow_time(const gk_flow *f) { return synced(f)->t; }

void gk_flow_visit(gk_flow *f, gk_state *s) {
    if (f->bdf) {
        gk_state_fail(s, GK_EUNAVAILABLE, "flow_method=bdf cannot be checkpointed (CVODE keeps its history inside)");
        return;
    }
    double times[4] = {f->t, f->h, f->tp, f->t_req};
    long counts[6] = {f->have_f, f->have_prev, f->failed, f->evals, f->steps, f->rejected};
    gk_state_block(s, "flow.times", times, sizeof times);
    gk_state_block(s, "flow.counts", counts, sizeof counts);
    gk_state_doubles(s, "flow.y", f->y, f->dim);
    gk_state_doubles(s, "flow.f", f->f, f->dim);
    gk_state_doubles(s, "flow.yp", f->yp, f->dim);
    gk_state_doubles(s, "flow.fp", f->fp, f->dim);
    if (!s->loading) return;
    f->t = times[0], f->h = times[1], f->tp = times[2], f->t_req = times[3];
    f->have_f = (int)counts[0], f->have_prev = (int)counts[1], f->failed = (int)counts[2];
    f->evals = counts[3], f->steps = counts[4], f->rejected = counts[5];
}
