/* test_trainer.c: the shared trainer. GD on a quadratic follows the closed form; the perpendicular gradient is
 * orthogonal to each tensor; the Grokfast EMA and MA filters match their direct formulas; a checkpoint visit
 * restores a trainer that then takes bitwise the same steps; a checkpoint of another size is refused. Momentum
 * (heavy ball, Nesterov), the lr schedule and decay toward init follow their closed forms; the fixed norm holds
 * to 1e-12; the noise is reproducible by seed with the right variance; the sampler sees each example once per
 * epoch; every feature together survives a checkpoint bit for bit; the losses' gradients match differences. */
#include "check.h"

#include "core/state.h"
#include "data/design.h"
#include "model/diag.h"
#include "model/model.h"
#include "train/trainer.h"

#include <complex.h>
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

enum { P = 6 };

/* L(theta) = 1/2 sum_k c_k theta_k^2: grad = c theta. */
static const double curv[P] = {1, 2, 3, 0.5, 4, 0.25};
static gk_status quad(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    double l = 0;
    for (int k = 0; k < P; k++) grad[k] += curv[k] * theta[k], l += 0.5 * curv[k] * theta[k] * theta[k];
    *loss = l;
    return GK_OK;
}

static void start(gk_trainer *tr, const gk_train_opts *o) {
    gk_error err;
    GK_CHECK(gk_trainer_init(tr, P, o, quad, NULL, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++) tr->theta[k] = 1.0 + 0.1 * k;
    GK_CHECK(gk_trainer_start(tr, &err) == GK_OK);
}

static void test_gd_closed_form(void) {
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.1, .wd = 0.01};
    gk_trainer tr;
    gk_error err;
    start(&tr, &o);
    GK_CHECK(gk_trainer_advance(&tr, 50, NULL, &err) == GK_OK && tr.step == 50);
    for (int k = 0; k < P; k++) /* theta_t = (1 - lr (c + wd))^t theta_0 */
        GK_CHECK_CLOSE(tr.theta[k], pow(1 - 0.1 * (curv[k] + 0.01), 50) * (1.0 + 0.1 * k), 1e-15, 1e-12);
    GK_CHECK_CLOSE(gk_trainer_time(&tr, tr.step), 5.0, 0, 1e-15);
    gk_trainer_free(&tr);
}

static void test_perp(void) {
    gk_param_table table = {0};
    gk_param_table_add(&table, "a", 2, 2); /* 4 + 2 = P values */
    gk_param_table_add(&table, "b", 1, 2);
    GK_ASSERT(table.size == P);
    for (int rescale = 0; rescale < 2; rescale++) {
        gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.1, .perp = 1, .perp_rescale = rescale};
        gk_trainer tr;
        start(&tr, &o);
        tr.table = &table;
        double g0[P];
        for (int k = 0; k < P; k++) tr.grad[k] = g0[k] = sin(3.0 * k + 1);
        gk_trainer_perp(&tr);
        for (int t = 0; t < table.count; t++) {
            const gk_tensor *T = &table.t[t];
            double gw = 0, gg = 0, ww = 0, g0g0 = 0;
            for (size_t k = T->offset; k < T->offset + T->rows * T->cols; k++)
                gw += tr.grad[k] * tr.theta[k], gg += tr.grad[k] * tr.grad[k], ww += tr.theta[k] * tr.theta[k],
                    g0g0 += g0[k] * g0[k];
            if (T->rows * T->cols > 1) GK_CHECK_MSG(fabs(gw) <= 1e-12 * sqrt(gg * ww), "tensor %s: g.w = %g", T->name, gw);
            if (rescale && T->rows * T->cols > 1) GK_CHECK_CLOSE(sqrt(gg), sqrt(g0g0), 0, 1e-12);
        }
        gk_trainer_free(&tr);
    }
}

/* Feeds gradients g_t[k] = sin(t + k) through the filter and compares with the direct formulas. */
static void test_filters(void) {
    const double alpha = 0.9, lambda = 2;
    const long window = 4;
    for (int kind = GK_FILTER_EMA; kind <= GK_FILTER_MA; kind++) {
        gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.1, .filter = (gk_filter_kind)kind, .filter_alpha = alpha,
                           .filter_lambda = lambda, .filter_window = window};
        gk_trainer tr;
        start(&tr, &o);
        for (int t = 1; t <= 12; t++) {
            for (int k = 0; k < P; k++) tr.grad[k] = sin(t + k);
            gk_trainer_filter(&tr);
            for (int k = 0; k < P; k++) {
                double h = 0;
                if (kind == GK_FILTER_EMA) { /* h_t = alpha^(t-1) g_1 + sum_{j=2..t} (1 - alpha) alpha^(t-j) g_j */
                    h = pow(alpha, t - 1) * sin(1 + k);
                    for (int j = 2; j <= t; j++) h += (1 - alpha) * pow(alpha, t - j) * sin(j + k);
                } else if (t >= window) { /* the mean of the last `window` gradients, once there are that many */
                    for (int j = t - (int)window + 1; j <= t; j++) h += sin(j + k) / (double)window;
                }
                GK_CHECK_CLOSE(tr.grad[k], sin(t + k) + lambda * h, 1e-14, 1e-12);
            }
        }
        gk_trainer_free(&tr);
    }
}

/* Save at step 7, go on to 20; load the saved state into a fresh trainer and go to 20: the same bits. */
static void test_visit_roundtrip(void) {
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW, .lr = 0.05, .wd = 0.1, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8,
                       .filter = GK_FILTER_EMA, .filter_alpha = 0.8, .filter_lambda = 1};
    gk_trainer a, b;
    gk_error err;
    start(&a, &o);
    start(&b, &o);
    GK_CHECK(gk_trainer_advance(&a, 7, NULL, &err) == GK_OK);
    gk_state save;
    gk_state_init_save(&save);
    gk_trainer_visit(&a, &save);
    GK_CHECK(gk_state_status(&save, &err) == GK_OK);
    GK_CHECK(gk_trainer_advance(&a, 20, NULL, &err) == GK_OK);
    gk_state load;
    gk_state_init_load(&load, save.buf, save.len);
    gk_trainer_visit(&b, &load);
    GK_CHECK(gk_state_status(&load, &err) == GK_OK && b.step == 7);
    GK_CHECK(gk_trainer_advance(&b, 20, NULL, &err) == GK_OK);
    GK_CHECK(!memcmp(a.theta, b.theta, P * sizeof(double)) && !memcmp(a.adam.v, b.adam.v, P * sizeof(double)));
    /* A trainer of another size refuses the state, naming the block. */
    gk_trainer c;
    GK_CHECK(gk_trainer_init(&c, P + 1, &o, quad, NULL, NULL, &err) == GK_OK);
    gk_state_init_load(&load, save.buf, save.len);
    gk_trainer_visit(&c, &load);
    GK_CHECK(gk_state_status(&load, &err) == GK_EINVAL && strstr(err.msg, "trainer.theta"));
    gk_state_free(&save);
    gk_trainer_free(&a), gk_trainer_free(&b), gk_trainer_free(&c);
}

static void test_flow_refuses_transforms(void) {
    gk_train_opts o = {.optim = GK_OPTIM_FLOW, .lr = 0.1, .perp = 1};
    gk_trainer tr;
    gk_error err;
    GK_CHECK(gk_trainer_init(&tr, P, &o, quad, NULL, NULL, &err) == GK_EINVAL && strstr(err.msg, "opt=flow"));
}

/* L = 1/2 theta^T A theta with A = Q diag(ev) Q^T (Q a fixed rotation): the top eigenvalue of A + wd I is known. */
static double Aq[P * P];
static gk_status quad_dense(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    double l = 0;
    for (int i = 0; i < P; i++) {
        double r = 0;
        for (int j = 0; j < P; j++) r += Aq[i * P + j] * theta[j];
        grad[i] += r, l += 0.5 * theta[i] * r;
    }
    *loss = l;
    return GK_OK;
}

/* quad_dense whose reported loss wobbles by +-wobble from call to call (wobble_rel: relative, else absolute). */
static double wobble;
static int wobble_rel;
static gk_status quad_wobble(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    static int calls;
    gk_status s = quad_dense(ud, theta, grad, loss, err);
    double w = (calls++ & 1) ? wobble : -wobble;
    *loss = wobble_rel ? *loss * (1 + w) : *loss + w;
    return s;
}

static void make_a(const double *ev) {
    double Q[P * P]; /* Gram-Schmidt on a fixed random matrix */
    gk_rng r;
    gk_rng_seed(&r, 5, 0);
    for (int i = 0; i < P * P; i++) Q[i] = gk_rng_normal(&r);
    for (int c = 0; c < P; c++) {
        for (int k = 0; k < c; k++) {
            double d = 0;
            for (int i = 0; i < P; i++) d += Q[i * P + c] * Q[i * P + k];
            for (int i = 0; i < P; i++) Q[i * P + c] -= d * Q[i * P + k];
        }
        double n = 0;
        for (int i = 0; i < P; i++) n += Q[i * P + c] * Q[i * P + c];
        for (int i = 0; i < P; i++) Q[i * P + c] /= sqrt(n);
    }
    for (int i = 0; i < P; i++)
        for (int j = 0; j < P; j++) {
            double a = 0;
            for (int k = 0; k < P; k++) a += Q[i * P + k] * ev[k] * Q[j * P + k];
            Aq[i * P + j] = a;
        }
}

static void test_sharpness_quadratic(void) {
    const double ev[2][P] = {{0.5, 3, 7.5, 1, 2, 0.1}, {-9, 1, 2, 3.25, 0.5, 0}}; /* the second: a dominant negative one */
    const double top[2] = {7.5, 3.25};
    for (int c = 0; c < 2; c++) {
        make_a(ev[c]);
        gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.01, .wd = 0.01};
        gk_trainer tr;
        gk_error err;
        GK_CHECK(gk_trainer_init(&tr, P, &o, quad_dense, NULL, NULL, &err) == GK_OK);
        for (int k = 0; k < P; k++) tr.theta[k] = 0.3 * k - 0.7;
        double lam = 0;
        GK_CHECK(gk_trainer_sharpness(&tr, 2000, 0, &lam, &err) == GK_OK);
        GK_CHECK_CLOSE(lam, top[c] + 0.01, 0, 1e-6);
        gk_trainer_free(&tr);
    }
}

/* The diagonal net with the logistic loss: the sharpness equals the top eigenvalue of the Hessian built
 * column by column from central differences of the model's gradients (LAPACKE_dsyev) to 1e-3. */
typedef struct diag_case {
    gk_model m;
    gk_design X;
    double y[10], f[10], r[10];
} diag_case;

static gk_status diag_obj(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    diag_case *c = ud;
    gk_status s = gk_model_forward(&c->m, theta, &c->X, c->X.n, c->f, err);
    if (s) return s;
    *loss = gk_logistic_loss(c->f, c->y, c->X.n, c->r, NULL);
    gk_model_backward(&c->m, theta, &c->X, c->X.n, c->r, grad);
    return GK_OK;
}

static void test_sharpness_model(void) {
    enum { D = 5, N = 10, PP = 2 * D };
    diag_case c;
    gk_error err;
    GK_CHECK(gk_diag_model_create(&c.m, D, &err) == GK_OK && gk_design_init_dense(&c.X, N, D, &err) == GK_OK);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++) c.X.dense[i * D + j] = sin(3.1 * i + 1.3 * j);
        c.y[i] = i % 2 ? 1 : -1;
    }
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.01, .wd = 1e-3};
    gk_trainer tr;
    GK_CHECK(gk_trainer_init(&tr, PP, &o, diag_obj, NULL, &c, &err) == GK_OK);
    for (int k = 0; k < PP; k++) tr.theta[k] = 0.8 + 0.1 * sin(k);
    double H[PP * PP], w[PP], gp[PP], gm[PP], th[PP], loss, h = 1e-5;
    for (int j = 0; j < PP; j++) {
        memcpy(th, tr.theta, sizeof th);
        th[j] += h;
        memset(gp, 0, sizeof gp);
        diag_obj(&c, th, gp, &loss, &err);
        th[j] -= 2 * h;
        memset(gm, 0, sizeof gm);
        diag_obj(&c, th, gm, &loss, &err);
        for (int i = 0; i < PP; i++) H[i * PP + j] = (gp[i] - gm[i]) / (2 * h) + (i == j ? 1e-3 : 0);
    }
    for (int i = 0; i < PP; i++)
        for (int j = 0; j < i; j++) H[i * PP + j] = H[j * PP + i] = 0.5 * (H[i * PP + j] + H[j * PP + i]);
    GK_CHECK(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', PP, H, PP, w) == 0);
    double lam = 0;
    GK_CHECK(gk_trainer_sharpness(&tr, 2000, 0, &lam, &err) == GK_OK);
    GK_CHECK_CLOSE(lam, w[PP - 1], 0, 1e-3);
    gk_trainer_free(&tr);
    gk_design_free(&c.X);
    gk_model_free(&c.m);
}

/* StableMax cross-entropy: its gradient against central differences of the loss; and the Softmax Collapse share:
 * a margin of 40 collapses in double (exp(-40) < 2^-53), a margin of 10 does not. */
static void test_stablemax_and_sc(void) {
    enum { N = 5, K = 7 };
    double z[N * K], d[N * K];
    int y[N];
    for (int i = 0; i < N * K; i++) z[i] = 3 * sin(1.3 * i + 0.2);
    for (int i = 0; i < N; i++) y[i] = (3 * i + 1) % K;
    gk_stablemax_xent_loss(z, y, N, K, d);
    double worst = 0;
    for (int i = 0; i < N * K; i++) {
        const double h = 1e-6, z0 = z[i];
        z[i] = z0 + h;
        double lp = gk_stablemax_xent_loss(z, y, N, K, NULL);
        z[i] = z0 - h;
        double lm = gk_stablemax_xent_loss(z, y, N, K, NULL);
        z[i] = z0;
        double fd = (lp - lm) / (2 * h);
        worst = fmax(worst, fabs(fd - d[i]) / fmax(1e-3, fabs(d[i])));
    }
    GK_CHECK_MSG(worst < 1e-6, "stablemax gradient vs central differences: %g", worst);
    double a[2 * K] = {0};
    a[0] = 40;                 /* sample 1: collapsed */
    a[K] = 10;                 /* sample 2: exp(-10) still counts */
    GK_CHECK(gk_softmax_collapse_share(a, 2, K) == 0.5);
}

/* lr_auto on a quadratic with top eigenvalue 7.5 (+ wd 0.01): the step is c / 7.51, the last step before a
 * target time is shortened so that t lands on it exactly, the growth cap holds when the curvature vanishes,
 * and lr_auto refuses AdamW. */
static void test_lr_auto_quadratic(void) {
    const double ev[P] = {0.5, 3, 7.5, 1, 2, 0.1};
    make_a(ev);
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.01, .wd = 0.01,
                       .lr_auto = {.on = 1, .c = 1, .growth = 1.25, .every = 3, .iters = 500}};
    gk_trainer tr;
    gk_error err;
    GK_CHECK(gk_trainer_init(&tr, P, &o, quad_dense, NULL, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++) tr.theta[k] = 0.3 * k - 0.7;
    GK_CHECK(gk_trainer_start(&tr, &err) == GK_OK);
    GK_CHECK(gk_trainer_advance_time(&tr, 1.0, NULL, &err) == GK_OK);
    GK_CHECK(tr.t == 1.0);                     /* landed exactly */
    GK_CHECK_CLOSE(tr.lr_now, 1 / 7.51, 0, 1e-6);
    GK_CHECK(tr.step == 8);                    /* 7.51 steps of 1/7.51: 7 full ones and a shortened one */
    GK_CHECK(tr.lr_measures == 3);             /* at steps 0, 3, 6 */
    GK_CHECK(gk_trainer_advance_time(&tr, 1.0, NULL, &err) == GK_OK && tr.step == 8); /* already there */
    gk_trainer_free(&tr);
    o.optim = GK_OPTIM_ADAMW;
    GK_CHECK(gk_trainer_init(&tr, P, &o, quad_dense, NULL, NULL, &err) == GK_EINVAL);
    /* a loss that wobbles by rounding-sized amounts (1e-9 relative) never halves the step; one that rises every
     * other step (5e-2 absolute) halves it, but never below 1/16 of the measured step */
    o.optim = GK_OPTIM_GD;
    for (int c = 0; c < 2; c++) {
        wobble = c ? 5e-2 : 1e-9, wobble_rel = !c;
        GK_CHECK(gk_trainer_init(&tr, P, &o, quad_wobble, NULL, NULL, &err) == GK_OK);
        for (int k = 0; k < P; k++) tr.theta[k] = 0.3 * k - 0.7;
        GK_CHECK(gk_trainer_start(&tr, &err) == GK_OK && gk_trainer_advance_time(&tr, 3.0, NULL, &err) == GK_OK);
        GK_CHECK(tr.t == 3.0 && (c ? tr.lr_halvings > 0 : tr.lr_halvings == 0));
        GK_CHECK_MSG(tr.lr_now >= tr.lr_measured / 16, "lr %g, measured %g", tr.lr_now, tr.lr_measured);
        gk_trainer_free(&tr);
    }
}

/* ---- momentum, schedules, interventions, minibatches ------------------------------------------------------- */

/* Heavy-ball and Nesterov momentum on the quadratic (wd coupled, c = curv + wd): theta_t is a linear recurrence of
 * order 2 whose characteristic roots r1, r2 solve r^2 - tr r + det = 0 with heavy ball: tr = 1 - lr c + mu,
 * det = mu; Nesterov: tr = 1 - lr c (1 + mu) + mu, det = mu (1 - lr c); theta_1 = (1 - lr c) theta_0 (heavy ball)
 * or (1 - lr c (1 + mu)) theta_0. Then theta_t = A r1^t + B r2^t with A + B = theta_0, A r1 + B r2 = theta_1. */
static void test_momentum_closed_form(void) {
    const double lr = 0.1, mu = 0.6, wd = 0.01;
    const int T = 40;
    for (int nesterov = 0; nesterov < 2; nesterov++) {
        gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = lr, .wd = wd, .momentum = mu, .nesterov = nesterov};
        gk_trainer tr;
        gk_error err;
        start(&tr, &o);
        GK_CHECK(gk_trainer_advance(&tr, T, NULL, &err) == GK_OK);
        for (int k = 0; k < P; k++) {
            const double c = curv[k] + wd, th0 = 1.0 + 0.1 * k;
            const double a = nesterov ? 1 - lr * c * (1 + mu) : 1 - lr * c;
            const double trace = a + mu, det = nesterov ? mu * (1 - lr * c) : mu;
            const double complex disc = csqrt(trace * trace - 4 * det + 0.0 * I);
            const double complex r1 = (trace + disc) / 2, r2 = (trace - disc) / 2;
            const double complex B = (a * th0 - r1 * th0) / (r2 - r1), A = th0 - B;
            const double closed = creal(A * cpow(r1, T) + B * cpow(r2, T));
            GK_CHECK_CLOSE(tr.theta[k], closed, 1e-13, 1e-9);
        }
        GK_CHECK(fabs(tr.theta[0]) > 1e-6); /* still moving: the check compares numbers, not zeros */
        gk_trainer_free(&tr);
    }
    /* momentum is refused for AdamW and gradient flow */
    gk_train_opts bad = {.optim = GK_OPTIM_ADAMW, .lr = 0.1, .momentum = 0.9};
    gk_trainer tr;
    gk_error err;
    GK_CHECK(gk_trainer_init(&tr, P, &bad, quad, NULL, NULL, &err) == GK_EINVAL && strstr(err.msg, "momentum"));
}

/* The schedule's formula: linear warmup to lr, then cosine to lr x min_lr_frac at schedule_steps; and GD under
 * it on the quadratic follows theta_T = prod_t (1 - lr_t (c + wd)) theta_0. */
static void test_schedule(void) {
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.2, .wd = 0.01, .warmup = 10, .schedule = GK_SCHEDULE_COSINE,
                       .min_lr_frac = 0.1, .schedule_steps = 110};
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 1), 0.02, 0, 1e-15);
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 5), 0.1, 0, 1e-15);
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 10), 0.2, 0, 1e-15);
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 60), 0.2 * (0.1 + 0.9 * 0.5), 0, 1e-14); /* half way: cos(pi/2) = 0 */
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 35), 0.2 * (0.1 + 0.9 * 0.5 * (1 + cos(M_PI / 4))), 0, 1e-14);
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 110), 0.02, 0, 1e-14);
    GK_CHECK_CLOSE(gk_train_lr_at(&o, 500), 0.02, 0, 1e-14);
    gk_train_opts flat = {.optim = GK_OPTIM_GD, .lr = 0.2};
    GK_CHECK(gk_train_lr_at(&flat, 1) == 0.2 && gk_train_lr_at(&flat, 1000) == 0.2);
    gk_trainer tr;
    gk_error err;
    start(&tr, &o);
    GK_CHECK(gk_trainer_advance(&tr, 80, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++) {
        double th = 1.0 + 0.1 * k;
        for (long t = 1; t <= 80; t++) th *= 1 - gk_train_lr_at(&o, t) * (curv[k] + 0.01);
        GK_CHECK_CLOSE(tr.theta[k], th, 1e-15, 1e-12);
    }
    gk_trainer_free(&tr);
}

/* fixed_norm: after every step |theta| equals |theta0| (or norm_target) to 1e-12, also with weight noise. */
static void test_fixed_norm(void) {
    for (int c = 0; c < 2; c++) {
        gk_train_opts o = {.optim = c ? GK_OPTIM_ADAMW : GK_OPTIM_GD, .lr = 0.05, .wd = 0.1, .beta1 = 0.9, .beta2 = 0.99,
                           .eps = 1e-8, .fixed_norm = 1, .norm_target = c ? 2.5 : 0, .weight_noise = 0.01, .seed = 3};
        gk_trainer tr;
        gk_error err;
        start(&tr, &o);
        const double target = c ? 2.5 : gk_norm2(tr.theta0, P);
        for (long t = 1; t <= 30; t++) {
            GK_CHECK(gk_trainer_advance(&tr, t, NULL, &err) == GK_OK);
            GK_CHECK_MSG(fabs(gk_trainer_param_norm(&tr) - target) <= 1e-12 * target, "step %ld: |theta| = %.17g, target %.17g",
                         t, gk_trainer_param_norm(&tr), target);
        }
        GK_CHECK(gk_trainer_rel_dist(&tr) > 1e-3); /* the direction moved */
        gk_trainer_free(&tr);
    }
}

/* A zero objective (no gradient): only the decay moves theta. */
static gk_status zero_obj(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    *loss = 0;
    return GK_OK;
}

/* Decay toward init: GD on the quadratic, theta_t = theta* + (1 - lr (c + wd))^t (theta_0 - theta*) with
 * theta* = wd theta_0 / (c + wd); AdamW with no gradient (Adam's step is 0): theta_t - theta_0 = (1 - lr wd)^t
 * (theta_s - theta_0) from a start theta_s moved away from theta_0. */
static void test_decay_to_init(void) {
    const double lr = 0.1, wd = 0.5;
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = lr, .wd = wd, .decay_to_init = 1};
    gk_trainer tr;
    gk_error err;
    start(&tr, &o);
    GK_CHECK(gk_trainer_advance(&tr, 30, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++) {
        const double c = curv[k], th0 = 1.0 + 0.1 * k, star = wd * th0 / (c + wd);
        GK_CHECK_CLOSE(tr.theta[k], star + pow(1 - lr * (c + wd), 30) * (th0 - star), 1e-15, 1e-12);
    }
    gk_trainer_free(&tr);
    gk_train_opts a = {.optim = GK_OPTIM_ADAMW, .lr = lr, .wd = wd, .beta1 = 0.9, .beta2 = 0.99, .eps = 1e-8, .decay_to_init = 1};
    GK_CHECK(gk_trainer_init(&tr, P, &a, zero_obj, NULL, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++) tr.theta[k] = 1.0 + 0.1 * k;
    GK_CHECK(gk_trainer_start(&tr, &err) == GK_OK);
    for (int k = 0; k < P; k++) tr.theta[k] += 0.5 * sin(k + 1.0);
    GK_CHECK(gk_trainer_advance(&tr, 25, NULL, &err) == GK_OK);
    for (int k = 0; k < P; k++)
        GK_CHECK_CLOSE(tr.theta[k] - tr.theta0[k], pow(1 - lr * wd, 25) * 0.5 * sin(k + 1.0), 1e-15, 1e-12);
    gk_trainer_free(&tr);
}

enum { NP = 4000 };

/* Gradient and weight noise: the same seed gives the same bits, another seed other values; with no gradient
 * and lr 1, theta_T - theta_0 is a sum of T draws of sigma N(0, 1) per coordinate: variance T sigma^2. */
static void test_noise(void) {
    for (int which = 0; which < 2; which++) {
        const double sigma = 0.3;
        const long T = 4;
        double *th[3];
        for (int run = 0; run < 3; run++) {
            gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 1, .seed = run == 2 ? 8 : 7};
            *(which ? &o.weight_noise : &o.grad_noise) = sigma;
            gk_trainer tr;
            gk_error err;
            GK_CHECK(gk_trainer_init(&tr, NP, &o, zero_obj, NULL, NULL, &err) == GK_OK);
            GK_CHECK(gk_trainer_start(&tr, &err) == GK_OK && gk_trainer_advance(&tr, T, NULL, &err) == GK_OK);
            th[run] = malloc(NP * sizeof(double));
            memcpy(th[run], tr.theta, NP * sizeof(double));
            gk_trainer_free(&tr);
        }
        GK_CHECK(!memcmp(th[0], th[1], NP * sizeof(double)) && memcmp(th[0], th[2], NP * sizeof(double)));
        double m = 0, v = 0;
        for (int k = 0; k < NP; k++) m += th[0][k] / NP, v += th[0][k] * th[0][k] / NP;
        GK_CHECK_MSG(fabs(m) < 0.05 && fabs(v / (T * sigma * sigma) - 1) < 0.06, "%s noise: mean %g, variance %g (expected %g)",
                     which ? "weight" : "gradient", m, v, T * sigma * sigma);
        for (int run = 0; run < 3; run++) free(th[run]);
    }
}

/* A least-squares batch objective over N examples: L = mean_i 1/2 (a_i . theta - b_i)^2; records the indices. */
enum { NEX = 10 };
typedef struct lsq {
    double a[NEX][P], b[NEX];
    size_t seen[64 * NEX];
    size_t nseen;
} lsq;

static gk_status lsq_obj(void *ud, const double *theta, const size_t *idx, size_t n, double *grad, double *loss,
                         gk_error *err) {
    lsq *L = ud;
    double l = 0;
    for (size_t i = 0; i < n; i++) {
        const double *a = L->a[idx[i]];
        double r = -L->b[idx[i]];
        for (int k = 0; k < P; k++) r += a[k] * theta[k];
        l += 0.5 * r * r / (double)n;
        for (int k = 0; k < P; k++) grad[k] += r * a[k] / (double)n;
        if (L->nseen < sizeof L->seen / sizeof *L->seen) L->seen[L->nseen++] = idx[i];
    }
    *loss = l;
    return GK_OK;
}

static gk_status lsq_full(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    static const size_t all[NEX] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    return lsq_obj(ud, theta, all, NEX, grad, loss, err);
}

static void lsq_fill(lsq *L) {
    memset(L, 0, sizeof *L);
    for (int i = 0; i < NEX; i++) {
        for (int k = 0; k < P; k++) L->a[i][k] = sin(1.7 * i + 0.9 * k);
        L->b[i] = cos(0.3 * i);
    }
}

static void start_batch(gk_trainer *tr, const gk_train_opts *o, lsq *L) {
    gk_error err;
    GK_CHECK(gk_trainer_init(tr, P, o, NULL, NULL, L, &err) == GK_OK);
    GK_CHECK(gk_trainer_set_batch_objective(tr, lsq_obj, NEX, &err) == GK_OK);
    for (int k = 0; k < P; k++) tr->theta[k] = 0.2 * k - 0.4;
    GK_CHECK(gk_trainer_start(tr, &err) == GK_OK);
}

/* Epoch shuffles see each example once per epoch (batch 4 of 10: 4, 4, 2); with replacement every draw is in
 * range and, over many draws, each example turns up; batch = 0 is the plain full-batch objective, bit for bit. */
static void test_sampler(void) {
    static lsq L;
    gk_error err;
    gk_trainer tr, full;
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = 0.05, .batch = 4, .seed = 5};
    lsq_fill(&L);
    start_batch(&tr, &o, &L);
    GK_CHECK(gk_trainer_advance(&tr, 9, NULL, &err) == GK_OK && L.nseen == 3 * NEX);
    for (int epoch = 0; epoch < 3; epoch++) {
        int count[NEX] = {0};
        for (int i = 0; i < NEX; i++) count[L.seen[epoch * NEX + i]]++;
        for (int i = 0; i < NEX; i++) GK_CHECK_MSG(count[i] == 1, "epoch %d: example %d seen %d times", epoch, i, count[i]);
    }
    GK_CHECK(memcmp(L.seen, L.seen + NEX, NEX * sizeof(size_t))); /* a new permutation each epoch */
    gk_trainer_free(&tr);
    o.batch_replace = 1;
    lsq_fill(&L);
    start_batch(&tr, &o, &L);
    GK_CHECK(gk_trainer_advance(&tr, 100, NULL, &err) == GK_OK && L.nseen == 400);
    int count[NEX] = {0}, repeats = 0;
    for (size_t i = 0; i < L.nseen; i++) {
        GK_CHECK(L.seen[i] < NEX);
        count[L.seen[i] % NEX]++;
    }
    for (size_t b = 0; b < 100; b++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < i; j++) repeats += L.seen[4 * b + i] == L.seen[4 * b + j];
    for (int i = 0; i < NEX; i++) GK_CHECK(count[i] > 10);
    GK_CHECK(repeats > 0); /* with replacement: some batch holds an example twice */
    gk_trainer_free(&tr);
    gk_train_opts f = {.optim = GK_OPTIM_GD, .lr = 0.05, .batch = 0, .momentum = 0.5};
    lsq_fill(&L);
    start_batch(&tr, &f, &L);
    GK_CHECK(gk_trainer_init(&full, P, &f, lsq_full, NULL, &L, &err) == GK_OK);
    memcpy(full.theta, tr.theta, sizeof(double) * P);
    GK_CHECK(gk_trainer_start(&full, &err) == GK_OK);
    GK_CHECK(gk_trainer_advance(&tr, 25, NULL, &err) == GK_OK && gk_trainer_advance(&full, 25, NULL, &err) == GK_OK);
    GK_CHECK(!memcmp(tr.theta, full.theta, P * sizeof(double)));
    gk_trainer_free(&tr), gk_trainer_free(&full);
}

/* Every feature on (minibatches by epoch or with replacement, momentum, Nesterov, gradient and weight noise,
 * decay toward init, the fixed norm, warmup and cosine, the EMA filter; and AdamW with decay toward init, noise
 * and the schedule): save at step 7 and go on to 23; load into a fresh trainer and go to 23: the same bits. */
static void test_all_features_roundtrip(void) {
    static lsq L1, L2;
    for (int c = 0; c < 3; c++) {
        gk_train_opts o = {.optim = c == 2 ? GK_OPTIM_ADAMW : GK_OPTIM_GD, .lr = 0.05, .wd = 0.1, .beta1 = 0.9,
                           .beta2 = 0.99, .eps = 1e-8, .batch = 3, .batch_replace = c == 1, .seed = 11,
                           .momentum = c == 2 ? 0 : 0.8, .nesterov = c == 1, .grad_noise = 0.01, .weight_noise = 0.001,
                           .decay_to_init = 1, .fixed_norm = c != 2, .warmup = 4, .schedule = GK_SCHEDULE_COSINE,
                           .min_lr_frac = 0.1, .schedule_steps = 30, .filter = GK_FILTER_EMA, .filter_alpha = 0.8,
                           .filter_lambda = 0.5};
        gk_trainer a, b;
        gk_error err;
        lsq_fill(&L1), lsq_fill(&L2);
        start_batch(&a, &o, &L1);
        start_batch(&b, &o, &L2);
        GK_CHECK(gk_trainer_advance(&a, 7, NULL, &err) == GK_OK);
        gk_state save, load;
        gk_state_init_save(&save);
        gk_trainer_visit(&a, &save);
        GK_CHECK(gk_state_status(&save, &err) == GK_OK);
        GK_CHECK(gk_trainer_advance(&a, 23, NULL, &err) == GK_OK);
        gk_state_init_load(&load, save.buf, save.len);
        gk_trainer_visit(&b, &load);
        GK_CHECK(gk_state_status(&load, &err) == GK_OK && b.step == 7);
        GK_CHECK(gk_trainer_advance(&b, 23, NULL, &err) == GK_OK);
        GK_CHECK_MSG(!memcmp(a.theta, b.theta, P * sizeof(double)), "case %d: resumed theta differs", c);
        /* the resumed trainer drew the examples the first drew after step 7 */
        GK_CHECK(L2.nseen >= 16 && !memcmp(L1.seen + L1.nseen - L2.nseen, L2.seen, L2.nseen * sizeof(size_t)));
        GK_CHECK(gk_trainer_rel_dist(&a) > 1e-3);
        gk_state_free(&save);
        gk_trainer_free(&a), gk_trainer_free(&b);
    }
}

/* The losses' gradients against central differences of the loss (margins away from the hinge's kink). */
static void test_loss_gradients(void) {
    enum { N = 7, K = 4 };
    double f[N * K], y[N], d[N * K];
    int lab[N];
    for (int i = 0; i < N; i++) y[i] = i % 3 ? 1 : -1, lab[i] = (2 * i + 1) % K;
    for (int i = 0; i < N * K; i++) f[i] = 1.7 * sin(2.3 * i + 0.4);
    for (int which = 0; which < 5; which++) {
        const int n = which < 3 ? N : N * K; /* binary losses on N outputs, k-class ones on N x K */
        double worst = 0, gmax = 0;
#define LOSS(g) (which == 0 ? gk_hinge_loss(f, y, N, g, NULL) : which == 1 ? gk_logistic_loss(f, y, N, g, NULL) \
                 : which == 2 ? gk_mse_loss(f, y, N, g) : which == 3 ? gk_softmax_xent_loss(f, lab, N, K, g)    \
                 : gk_mse_onehot_loss(f, lab, N, K, g))
        LOSS(d);
        for (int i = 0; i < n; i++) {
            const double h = 1e-6, f0 = f[i];
            f[i] = f0 + h;
            const double lp = LOSS(NULL);
            f[i] = f0 - h;
            const double lm = LOSS(NULL);
            f[i] = f0;
            worst = fmax(worst, fabs((lp - lm) / (2 * h) - d[i]));
            gmax = fmax(gmax, fabs(d[i]));
        }
#undef LOSS
        GK_CHECK_MSG(worst < 1e-8 && gmax > 1e-3, "loss %d: gradient vs central differences %g (max |g| %g)", which, worst, gmax);
    }
    double acc, g2[2];
    const double f2[2] = {2, -0.5}, y2[2] = {1, 1};
    GK_CHECK_CLOSE(gk_hinge_loss(f2, y2, 2, g2, &acc), 0.75, 0, 1e-15); /* (0 + 1.5) / 2 */
    GK_CHECK(acc == 0.5 && g2[0] == 0 && g2[1] == -0.5);
}

int main(void) {
    GK_RUN(test_stablemax_and_sc);
    GK_RUN(test_sharpness_quadratic);
    GK_RUN(test_sharpness_model);
    GK_RUN(test_lr_auto_quadratic);
    GK_RUN(test_gd_closed_form);
    GK_RUN(test_perp);
    GK_RUN(test_filters);
    GK_RUN(test_visit_roundtrip);
    GK_RUN(test_flow_refuses_transforms);
    GK_RUN(test_momentum_closed_form);
    GK_RUN(test_schedule);
    GK_RUN(test_fixed_norm);
    GK_RUN(test_decay_to_init);
    GK_RUN(test_noise);
    GK_RUN(test_sampler);
    GK_RUN(test_all_features_roundtrip);
    GK_RUN(test_loss_gradients);
    return gk_test_summary();
}
