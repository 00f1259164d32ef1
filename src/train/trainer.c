/* trainer.c: the step loop, the optimizers and the training state of every experiment (see trainer.h). */
#include "train/trainer.h"
#include "core/machine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The gradient-flow field: dtheta/dt = -(grad L(theta) + wd theta). */
static gk_status flow_rhs(void *ud, double t, const double *theta, double *dtheta, gk_error *err) {
    gk_trainer *tr = ud;
    double loss = 0;
    memset(dtheta, 0, tr->P * sizeof(double));
    gk_status s = tr->objective(tr->ud, theta, dtheta, &loss, err);
    if (s) return s;
    if (!isfinite(loss)) return gk_fail(err, GK_ENONFINITE, "the train loss became non-finite at t = %.6g", t);
    for (size_t k = 0; k < tr->P; k++) dtheta[k] = -(dtheta[k] + tr->o.wd * theta[k]);
    return GK_OK;
}

/* The combinations of options that have no meaning, refused with the keys named. */
static gk_status check_opts(const gk_train_opts *o, gk_step_fn step_fn, gk_error *err) {
    const int interventions = o->grad_noise > 0 || o->weight_noise > 0 || o->decay_to_init || o->fixed_norm;
    if (o->optim == GK_OPTIM_FLOW && (gk_trainer_transforms_on(o) || interventions || o->momentum > 0))
        return gk_fail(err, GK_EINVAL, "grad=perp, filter=ema|ma, momentum, noise, decay_to_init and fixed_norm apply to "
                                       "GD and AdamW steps, not to opt=flow");
    if (o->momentum > 0 && o->optim != GK_OPTIM_GD)
        return gk_fail(err, GK_EINVAL, "momentum=%g applies to GD (AdamW has beta1)", o->momentum);
    if (o->lr_auto.on && (o->optim != GK_OPTIM_GD || step_fn || o->momentum > 0 || o->warmup > 0 ||
                          o->schedule != GK_SCHEDULE_CONSTANT))
        return gk_fail(err, GK_EINVAL, "lr_auto=1 applies to plain full-batch GD through the trainer's own step (not to "
                                       "AdamW, gradient flow, an experiment's own step, momentum, warmup or a schedule)");
    return GK_OK;
}

gk_status gk_trainer_init(gk_trainer *tr, size_t P, const gk_train_opts *o, gk_objective objective, gk_step_fn step_fn,
                          void *ud, gk_error *err) {
    GK_ASSERT(tr && o && P > 0);
    memset(tr, 0, sizeof *tr);
    gk_status st = check_opts(o, step_fn, err);
    if (st) return st;
    GK_ASSERT(!o->table || o->table->size == P);
    tr->o = *o;
    tr->table = o->table;
    tr->P = P;
    tr->objective = objective;
    tr->step_fn = step_fn;
    tr->ud = ud;
    tr->lr_step = o->lr;
    tr->theta = calloc(P, sizeof(double));
    tr->theta0 = malloc(P * sizeof(double));
    GK_ASSERT(!o->no_grad || (step_fn && !gk_trainer_transforms_on(o) && o->optim == GK_OPTIM_GD));
    tr->grad = o->no_grad ? NULL : malloc(P * sizeof(double));
    if (!tr->theta || !tr->theta0 || (!tr->grad && !o->no_grad)) {
        gk_trainer_free(tr);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu parameters", P);
    }
    if (o->filter != GK_FILTER_NONE) {
        size_t rows = o->filter == GK_FILTER_MA ? (size_t)o->filter_window + 1 : 1;
        double need = (double)rows * (double)P * sizeof(double), mem = gk_machine_bytes();
        if (o->filter == GK_FILTER_MA && mem > 0 && need > mem / 2) { /* calloc would succeed, the ring then fill RAM */
            gk_trainer_free(tr);
            return gk_fail(err, GK_EINVAL, "filter_window=%ld: the moving average keeps %ld past gradients of %zu "
                           "parameters, about %.1f GB, more than half this machine's %.1f GB: lower filter_window "
                           "(or use filter=ema)", o->filter_window, o->filter_window, P, need / 1e9, mem / 1e9);
        }
        tr->filt = calloc(rows * P, sizeof(double));
        if (!tr->filt) {
            gk_trainer_free(tr);
            return gk_fail(err, GK_ENOMEM, "out of memory for the gradient filter (%zu x %zu values)", rows, P);
        }
    }
    if (o->momentum > 0 && !(tr->velocity = calloc(P, sizeof(double)))) {
        gk_trainer_free(tr);
        return gk_fail(err, GK_ENOMEM, "out of memory for the momentum (%zu values)", P);
    }
    if (o->optim == GK_OPTIM_ADAMW) {
        gk_status s = gk_adamw_init(&tr->adam, P, o->lr, o->wd, o->beta1, o->beta2, o->eps, o->warmup, err);
        if (s) {
            gk_trainer_free(tr);
            return s;
        }
    }
    return GK_OK;
}

/* The full-batch objective of a minibatch experiment: its batch objective on every example, in order. */
static gk_status full_batch_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    gk_trainer *tr = ud;
    return tr->batch_objective(tr->batch_ud, theta, tr->all_idx, tr->n_train, grad, loss, err);
}

gk_status gk_trainer_set_batch_objective(gk_trainer *tr, gk_batch_objective f, size_t n_train, gk_error *err) {
    GK_ASSERT(f && n_train > 0 && !tr->objective && !tr->step_fn);
    tr->minibatch = tr->o.batch > 0 && (size_t)tr->o.batch < n_train;
    if (tr->minibatch && tr->o.lr_auto.on)
        return gk_fail(err, GK_EINVAL, "lr_auto=1 needs full-batch GD (batch=0), not batch=%ld", tr->o.batch);
    tr->batch_objective = f, tr->batch_ud = tr->ud, tr->n_train = n_train;
    tr->objective = full_batch_objective, tr->ud = tr;
    if (!(tr->all_idx = malloc(n_train * sizeof(size_t))))
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu example indices", n_train);
    for (size_t i = 0; i < n_train; i++) tr->all_idx[i] = i;
    if (!tr->minibatch) return GK_OK;
    return gk_batch_cycle_init_opts(&tr->sampler, n_train, (size_t)tr->o.batch, tr->o.batch_replace, tr->o.seed, err);
}

/* Parameters stored as float32: every update (done in double) rounded to the nearest float, and the AdamW
 * moments with it, as a float32 optimizer state would be. */
static void round_f32(gk_trainer *tr) {
    for (size_t k = 0; k < tr->P; k++) tr->theta[k] = (float)tr->theta[k];
    if (tr->o.optim != GK_OPTIM_ADAMW) return;
    for (size_t k = 0; k < tr->P; k++) tr->adam.m[k] = (float)tr->adam.m[k], tr->adam.v[k] = (float)tr->adam.v[k];
}

gk_status gk_trainer_start(gk_trainer *tr, gk_error *err) {
    if (tr->o.f32_params) round_f32(tr); /* float32 parameters from the start */
    GK_ASSERT(tr->objective || tr->step_fn);
    memcpy(tr->theta0, tr->theta, tr->P * sizeof(double));
    tr->norm_held = tr->o.norm_target > 0 ? tr->o.norm_target : gk_norm2(tr->theta0, tr->P);
    if (tr->o.optim != GK_OPTIM_FLOW) return GK_OK;
    GK_ASSERT(tr->objective);
    return gk_flow_create(&tr->flow, tr->P, flow_rhs, tr, &tr->o.flow, 0.0, tr->theta, err);
}

gk_status gk_trainer_check_loss(const gk_trainer *tr, double loss, gk_error *err) {
    return isfinite(loss) ? GK_OK : gk_fail(err, GK_ENONFINITE, "the train loss became non-finite at step %ld", tr->step);
}

/* g <- g - (g.w / w.w) w for each tensor w, optionally rescaled to |g| (Prieto et al. 2025, Sec. 5; their
 * code rescales). A tensor at w = 0 keeps its gradient. */
static void perp_block(double *g, const double *w, size_t n, int rescale) {
    double gw = 0, ww = 0, gg = 0;
    for (size_t k = 0; k < n; k++) gw += g[k] * w[k], ww += w[k] * w[k], gg += g[k] * g[k];
    if (!(ww > 0)) return;
    double c = gw / ww, pp = 0;
    for (size_t k = 0; k < n; k++) g[k] -= c * w[k], pp += g[k] * g[k];
    if (rescale && pp > 0) {
        double r = sqrt(gg / pp);
        for (size_t k = 0; k < n; k++) g[k] *= r;
    }
}

void gk_trainer_perp(gk_trainer *tr) {
    if (!tr->table) {
        perp_block(tr->grad, tr->theta, tr->P, tr->o.perp_rescale);
        return;
    }
    for (int t = 0; t < tr->table->count; t++) {
        const gk_tensor *T = &tr->table->t[t];
        perp_block(tr->grad + T->offset, tr->theta + T->offset, T->rows * T->cols, tr->o.perp_rescale);
    }
}

/* Grokfast (Lee et al. 2024): g <- g + lambda h, with h the EMA of past gradients (h = alpha h + (1 - alpha) g,
 * h starting at the first gradient, as their grokfast_ema) or their mean over the last `window` steps (added
 * only once the window is full, as their grokfast_ma; the sum is kept in the last row of the buffer). */
void gk_trainer_filter(gk_trainer *tr) {
    const size_t P = tr->P;
    double *h = tr->filt, *g = tr->grad;
    const double lambda = tr->o.filter_lambda;
    if (tr->o.filter == GK_FILTER_EMA) {
        const double a = tr->o.filter_alpha;
        for (size_t k = 0; k < P; k++) {
            h[k] = tr->filt_count == 0 ? g[k] : a * h[k] + (1 - a) * g[k];
            g[k] += lambda * h[k];
        }
    } else if (tr->o.filter == GK_FILTER_MA) {
        const long w = tr->o.filter_window;
        double *slot = h + (size_t)(tr->filt_count % w) * P, *sum = h + (size_t)w * P;
        for (size_t k = 0; k < P; k++) { /* the sum is recomputed per coordinate in a fixed order: no drift */
            slot[k] = g[k];
            double s = 0;
            for (long j = 0; j < w; j++) s += h[(size_t)j * P + k];
            sum[k] = s;
            if (tr->filt_count + 1 >= w) g[k] += lambda * s / (double)w;
        }
    }
    tr->filt_count++;
}

void gk_trainer_update(gk_trainer *tr) {
    if (tr->o.grad_noise > 0) gk_trainer_grad_noise(tr);
    if (tr->o.perp) gk_trainer_perp(tr);
    if (tr->o.filter != GK_FILTER_NONE) gk_trainer_filter(tr);
    if (tr->o.optim == GK_OPTIM_ADAMW) gk_trainer_adamw_step(tr);
    else gk_trainer_gd_step(tr);
    if (tr->o.weight_noise > 0) gk_trainer_weight_noise(tr);
    if (tr->o.fixed_norm) gk_trainer_project_norm(tr);
    if (tr->o.f32_params) round_f32(tr);
}

/* The loss and gradient of this step: on the sampler's next minibatch, or the full-batch objective. */
static gk_status step_gradient(gk_trainer *tr, double *loss, gk_error *err) {
    memset(tr->grad, 0, tr->P * sizeof(double));
    if (!tr->minibatch) return tr->objective(tr->ud, tr->theta, tr->grad, loss, err);
    const size_t *idx;
    const size_t b = gk_batch_cycle_next(&tr->sampler, &idx);
    return tr->batch_objective(tr->batch_ud, tr->theta, idx, b, tr->grad, loss, err);
}

static gk_status one_step(gk_trainer *tr, gk_error *err) {
    if (!tr->o.lr_auto.on) tr->lr_step = gk_train_lr_at(&tr->o, tr->step + 1);
    if (tr->step_fn) return tr->step_fn(tr->ud, tr, err);
    double loss = 0;
    gk_status s = step_gradient(tr, &loss, err);
    if (!s) s = gk_trainer_check_loss(tr, loss, err);
    if (!s && tr->o.lr_auto.on) tr->lr_objective = loss + 0.5 * tr->o.wd * gk_dot(tr->theta, tr->theta, tr->P);
    if (!s) gk_trainer_update(tr);
    return s;
}

/* Gradient flow to t = lr * target; theta gets the state there. A stop leaves theta and step as they were. */
static gk_status flow_advance(gk_trainer *tr, long target, const volatile int *stop, gk_error *err) {
    gk_status s = gk_flow_advance(tr->flow, gk_trainer_time(tr, target), tr->theta, stop, err);
    if (s == GK_EINTERRUPTED) return GK_OK;
    if (!s) tr->step = target;
    return s;
}

gk_status gk_trainer_advance(gk_trainer *tr, long target, const volatile int *stop, gk_error *err) {
    if (tr->flow) return flow_advance(tr, target, stop, err);
    gk_status s = GK_OK;
    while (tr->step < target && !(stop && *stop)) {
        if ((s = one_step(tr, err))) return s;
        tr->step++;
    }
    return GK_OK;
}

/* The default difference step of the Hessian-vector products: 1e-5 x max(1, |theta|_rms). */
static double default_fd_step(const gk_trainer *tr) {
    const double rms = gk_norm2(tr->theta, tr->P) / sqrt((double)tr->P);
    return 1e-5 * (rms > 1 ? rms : 1);
}

/* The length lr |g + wd theta| of a GD step from theta at the current step size (o.lr before the first
 * measurement). lr_auto measures the curvature over this distance: the ReLU kinks make the gradient jump, and
 * a difference quotient over a tiny distance that straddles a kink reads a huge, spurious curvature, while GD
 * only feels the change of the gradient across its own step. */
static gk_status gd_step_length(gk_trainer *tr, double *len, gk_error *err) {
    double loss = 0, g2 = 0;
    memset(tr->grad, 0, tr->P * sizeof(double));
    gk_status s = tr->objective(tr->ud, tr->theta, tr->grad, &loss, err);
    if (!s) s = gk_trainer_check_loss(tr, loss, err);
    for (size_t k = 0; k < tr->P && !s; k++) {
        double g = tr->grad[k] + tr->o.wd * tr->theta[k];
        g2 += g * g;
    }
    *len = (tr->lr_measures ? tr->lr_now : tr->o.lr) * sqrt(g2);
    return s;
}

/* The relative rise of the objective across one step that lr_auto reads as instability. GD on a ReLU net wobbles
 * up by smaller amounts at lr x sharpness ~ 1 without leaving the flow's path: with 1e-6 the rule kept lr at 1/16
 * of the measured step through modadd-lyu-fast's transition (28,901 steps to t = 3,800 instead of 5,200, the same
 * accuracies); with 1e-3 it never fires there and still stops modadd-gromov's quadratic net from diverging. */
#define GK_LR_AUTO_RISE 1e-3

/* lr_auto: lr = c / sharpness, at most `growth` times the last measured one (the first measurement sets it
 * freely). A sharpness <= 0 (no curvature to bound the step) lets lr grow by `growth`. */
static gk_status measure_lr(gk_trainer *tr, gk_error *err) {
    const gk_lr_auto_opts *a = &tr->o.lr_auto;
    double lam = NAN, step_len = 0;
    gk_status s = gd_step_length(tr, &step_len, err);
    if (!s) s = gk_trainer_sharpness(tr, a->iters, fmax(step_len, 1e-3 * gk_norm2(tr->theta, tr->P)), &lam, err);
    if (s) return s;
    double lr = lam > 0 ? a->c / lam : INFINITY;
    if (tr->lr_measures > 0) lr = fmin(lr, a->growth * tr->lr_measured); /* halvings since do not compound */
    if (!isfinite(lr)) return gk_fail(err, GK_EFAILED, "lr_auto: the first sharpness measurement is %g: no step size follows", lam);
    tr->lr_now = tr->lr_measured = lr;
    tr->lr_min = tr->lr_measures ? fmin(tr->lr_min, lr) : lr;
    tr->lr_max = tr->lr_measures ? fmax(tr->lr_max, lr) : lr;
    tr->lr_measures++;
    tr->lr_next_measure = tr->step + a->every;
    return GK_OK;
}

gk_status gk_trainer_advance_time(gk_trainer *tr, double t_target, const volatile int *stop, gk_error *err) {
    GK_ASSERT(tr->o.lr_auto.on);
    while (tr->t < t_target && !(stop && *stop)) {
        gk_status s = tr->step >= tr->lr_next_measure ? measure_lr(tr, err) : GK_OK;
        if (s) return s;
        int last = t_target - tr->t <= tr->lr_now; /* shorten the step to land on t_target */
        tr->lr_step = last ? t_target - tr->t : tr->lr_now;
        const double before = tr->lr_objective;
        if ((s = one_step(tr, err))) return s;
        /* The objective (with its wd term) rose across the last step by more than GK_LR_AUTO_RISE: the curvature
         * grew past c / lr since the last measurement (GD at lr x sharpness < 2 descends on a smooth loss). Halve
         * the step, down to 1/16 of the measured one, until the next measurement. (Without a tolerance and the
         * floor, rounding noise in the objective halved lr to 3e-7 on modadd-lyu near t = 4,200.) */
        if (tr->step > 0 && tr->lr_objective - before > GK_LR_AUTO_RISE * fabs(before) && tr->lr_now > tr->lr_measured / 16)
            tr->lr_now *= 0.5, tr->lr_halvings++;
        tr->step++;
        tr->t = last ? t_target : tr->t + tr->lr_step;
    }
    return GK_OK;
}

double gk_trainer_grad_weight_cos(gk_trainer *tr, gk_error *err) {
    double loss = 0;
    memset(tr->grad, 0, tr->P * sizeof(double));
    if (!tr->objective || tr->objective(tr->ud, tr->theta, tr->grad, &loss, err)) return NAN;
    double gn = gk_norm2(tr->grad, tr->P), tn = gk_norm2(tr->theta, tr->P);
    return gn > 0 && tn > 0 ? gk_dot(tr->grad, tr->theta, tr->P) / (gn * tn) : NAN;
}

double gk_trainer_param_norm(const gk_trainer *tr) { return gk_norm2(tr->theta, tr->P); }

double gk_trainer_rel_dist(const gk_trainer *tr) {
    double n0 = gk_norm2(tr->theta0, tr->P);
    return n0 > 0 ? gk_dist2(tr->theta, tr->theta0, tr->P) / n0 : NAN;
}

void gk_trainer_visit(gk_trainer *tr, gk_state *s) {
    gk_state_long(s, "trainer.step", &tr->step);
    gk_state_doubles(s, "trainer.theta", tr->theta, tr->P);
    if (tr->o.optim == GK_OPTIM_ADAMW) {
        gk_state_long(s, "adamw.t", &tr->adam.t);
        gk_state_doubles(s, "adamw.m", tr->adam.m, tr->P);
        gk_state_doubles(s, "adamw.v", tr->adam.v, tr->P);
    }
    if (tr->flow) gk_flow_visit(tr->flow, s);
    if (tr->o.lr_auto.on) {
        gk_state_double(s, "lr_auto.t", &tr->t);
        gk_state_double(s, "lr_auto.lr", &tr->lr_now);
        gk_state_double(s, "lr_auto.lr_measured", &tr->lr_measured);
        gk_state_double(s, "lr_auto.lr_min", &tr->lr_min);
        gk_state_double(s, "lr_auto.lr_max", &tr->lr_max);
        gk_state_long(s, "lr_auto.next", &tr->lr_next_measure);
        gk_state_long(s, "lr_auto.measures", &tr->lr_measures);
        gk_state_long(s, "lr_auto.halvings", &tr->lr_halvings);
        gk_state_double(s, "lr_auto.objective", &tr->lr_objective);
    }
    if (tr->minibatch) gk_batch_cycle_visit(&tr->sampler, s);
    if (tr->velocity) gk_state_doubles(s, "sgd.velocity", tr->velocity, tr->P);
    if (tr->filt) {
        size_t rows = tr->o.filter == GK_FILTER_MA ? (size_t)tr->o.filter_window + 1 : 1;
        gk_state_long(s, "filter.count", &tr->filt_count);
        gk_state_doubles(s, "filter.state", tr->filt, rows * tr->P);
    }
}

void gk_trainer_free(gk_trainer *tr) {
    if (!tr) return;
    free(tr->theta);
    free(tr->theta0);
    free(tr->grad);
    free(tr->filt);
    free(tr->velocity);
    free(tr->all_idx);
    gk_batch_cycle_free(&tr->sampler);
    gk_adamw_free(&tr->adam);
    gk_flow_free(tr->flow);
    memset(tr, 0, sizeof *tr);
}


/* ---- sharpness -------------------------------------------------------------------------------------- */

typedef struct hvp_ws {
    double *v, *w, *tp, *gp, *gm;
} hvp_ws;

/* w = (H - shift I) v, H the Hessian of the objective (+ wd I for GD), by central differences of gradients
 * a distance e apart. */
static gk_status hvp(gk_trainer *tr, hvp_ws *ws, double shift, double e, gk_error *err) {
    const size_t P = tr->P;
    const double decay = tr->o.optim == GK_OPTIM_GD ? tr->o.wd : 0;
    double loss = 0;
    for (int side = 0; side < 2; side++) {
        double *g = side ? ws->gm : ws->gp, sgn = side ? -1.0 : 1.0;
        for (size_t k = 0; k < P; k++) ws->tp[k] = tr->theta[k] + sgn * e * ws->v[k];
        memset(g, 0, P * sizeof(double));
        gk_status s = tr->objective(tr->ud, ws->tp, g, &loss, err);
        if (!s && !isfinite(loss)) s = gk_fail(err, GK_ENONFINITE, "the loss is not finite near theta (sharpness)");
        if (s) return s;
    }
    for (size_t k = 0; k < P; k++) ws->w[k] = (ws->gp[k] - ws->gm[k]) / (2 * e) + (decay - shift) * ws->v[k];
    return GK_OK;
}

/* Power iteration for the eigenvalue of largest magnitude of H - shift I (Rayleigh quotient). */
static gk_status power_iteration(gk_trainer *tr, hvp_ws *ws, double shift, double e, int iters, double *lambda,
                                 gk_error *err) {
    gk_rng r;
    gk_rng_seed(&r, 1, UINT64_C(0x7368617270)); /* "sharp" */
    for (size_t k = 0; k < tr->P; k++) ws->v[k] = gk_rng_normal(&r);
    double n = gk_norm2(ws->v, tr->P), lam = 0, prev = NAN;
    for (size_t k = 0; k < tr->P; k++) ws->v[k] /= n;
    for (int it = 0; it < iters; it++) {
        gk_status s = hvp(tr, ws, shift, e, err);
        if (s) return s;
        lam = gk_dot(ws->v, ws->w, tr->P);
        n = gk_norm2(ws->w, tr->P);
        if (!(n > 0)) break;
        for (size_t k = 0; k < tr->P; k++) ws->v[k] = ws->w[k] / n;
        if (fabs(lam - prev) <= 1e-12 * fabs(lam)) break;
        prev = lam;
    }
    *lambda = lam;
    return GK_OK;
}

gk_status gk_trainer_sharpness(gk_trainer *tr, int iters, double fd_step, double *lambda, gk_error *err) {
    if (!tr->objective) return gk_fail(err, GK_EINVAL, "sharpness needs the full-batch objective, which this experiment does not give");
    const size_t P = tr->P;
    double *buf = malloc(5 * P * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory for the sharpness");
    hvp_ws ws = {buf, buf + P, buf + 2 * P, buf + 3 * P, buf + 4 * P};
    double lam = NAN, low = NAN, e = fd_step > 0 ? fd_step : default_fd_step(tr);
    gk_status s = power_iteration(tr, &ws, 0, e, iters, &lam, err);
    if (!s && lam < 0) { /* the most negative eigenvalue dominates: the top one is lam + (top of H - lam I) */
        s = power_iteration(tr, &ws, lam, e, iters, &low, err);
        if (!s) lam = low + lam;
    }
    free(buf);
    *lambda = lam;
    return s;
}
