/* test_trainer.c: the shared trainer. GD on a quadratic follows the closed form; the perpendicular gradient is
 * orthogonal to each tensor; the Grokfast EMA and MA filters match their direct formulas; a checkpoint visit
 * restores a trainer that then takes bitwise the same steps; a checkpoint of another size is refused. */
#include "check.h"

#include "core/state.h"
#include "data/design.h"
#include "model/diag.h"
#include "model/model.h"
#include "train/trainer.h"

#include <lapacke.h>
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
    return gk_test_summary();
}
