/* gradcheck.h: the finite-difference gradient check of the model tests, through the gk_model interface only
 * (any model: forward, then backward with a given output gradient).
 *
 * Use (see tests/test_modular.c, test_transformer.c for examples):
 *
 *   static double my_loss(const void *ud, const double *f, size_t n, int n_out, double *dldf);  // dldf may be NULL
 *   gk_gradcheck_opts o = {.h = 1e-5, .dirs = 6};     // zero fields take the defaults below
 *   gk_gradcheck_result r;
 *   gk_gradcheck(&model, theta, &input, n, my_loss, &ctx, &o, &r);   // loss NULL: L = <w, f>, w ~ N(0, 1)
 *   GK_CHECK_MSG(r.max_rel < 1e-6, "max relative error %.3g", r.max_rel);
 *
 * L(theta) = loss(f(theta)) with f = gk_model_forward(m, theta, in, n); the gradient under test g is
 * gk_model_backward with dout = dL/df. theta is restored on return. Reported:
 *  - per coordinate, on o.coords coordinates drawn without replacement (0: every coordinate), the central
 *    difference fd_k = (L(theta + h e_k) - L(theta - h e_k)) / 2h against g_k:
 *      max_rel   = max_k |fd_k - g_k| / max(floor + gmax_floor * max|g|, |fd_k|, |g_k|)
 *      norm_rel  = ||fd - g|| / ||g|| over the checked coordinates;
 *      tensor_rel[t], tensor_gnorm[t]: the same and ||g|| per tensor of m->params (every coordinate only)
 *  - along o.dirs random unit directions u (normal entries from (o.seed, stream 0), normalised):
 *      dir_rel   = max_u |(L(theta + h u) - L(theta - h u)) / 2h - g . u| / max(|g . u|, 1e-3 ||g||)
 *  - accumulation: a second forward and backward into the same gradient adds the same amount:
 *      accum_err = max_k |g2_k - 2 g_k|
 *  - gmax = max_k |g_k| (a check whose gradient is 0 checks nothing: assert gmax > 0).
 * The model gets gk_model_reserve(m, n). Test-only: failures of allocation or forward abort (GK_ASSERT).
 * Ready-made losses (train/train.h) for ud: gk_gc_xent / gk_gc_mse_onehot (ud = the int labels),
 * gk_gc_mse (ud = the real targets, n x n_out), gk_gc_logistic (ud = the +-1 labels, n_out = 1). */
#ifndef GK_TESTS_GRADCHECK_H
#define GK_TESTS_GRADCHECK_H

#include "model/model.h"
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef double (*gk_gradcheck_loss)(const void *ud, const double *f, size_t n, int n_out, double *dldf);

static inline double gk_gc_xent(const void *ud, const double *f, size_t n, int n_out, double *dldf) {
    return gk_softmax_xent_loss(f, ud, n, (size_t)n_out, dldf);
}
static inline double gk_gc_mse_onehot(const void *ud, const double *f, size_t n, int n_out, double *dldf) {
    return gk_mse_onehot_loss(f, ud, n, (size_t)n_out, dldf);
}
static inline double gk_gc_mse(const void *ud, const double *f, size_t n, int n_out, double *dldf) {
    return gk_mse_loss(f, ud, n * (size_t)n_out, dldf);
}
static inline double gk_gc_logistic(const void *ud, const double *f, size_t n, int n_out, double *dldf) {
    (void)n_out;
    return gk_logistic_loss(f, ud, n, dldf, NULL);
}

typedef struct gk_gradcheck_opts {
    double h;          /* step (default 1e-5) */
    size_t coords;     /* coordinates to check (0: all) */
    int dirs;          /* random directions (default 0) */
    uint64_t seed;     /* for the coordinate sample, the directions and the default loss weights */
    double floor;      /* absolute floor of max_rel's denominator (default 0) */
    double gmax_floor; /* floor relative to max |g| (default 0) */
} gk_gradcheck_opts;

typedef struct gk_gradcheck_result {
    double max_rel, norm_rel, dir_rel, accum_err, gmax;
    double tensor_rel[GK_MAX_TENSORS], tensor_gnorm[GK_MAX_TENSORS];
} gk_gradcheck_result;

typedef struct gk_gc_ctx {
    gk_model *m;
    const void *in;
    size_t n;
    gk_gradcheck_loss loss;
    const void *ud;
    double *f;
} gk_gc_ctx;

static double gk_gc_linear(const void *ud, const double *f, size_t n, int n_out, double *dldf) {
    const double *w = ud;
    const size_t len = n * (size_t)n_out;
    if (dldf) memcpy(dldf, w, len * sizeof(double));
    return gk_dot(w, f, len);
}

/* L(theta), and dL/df into dldf when not NULL. */
static double gk_gc_eval(gk_gc_ctx *c, const double *theta, double *dldf) {
    gk_error err;
    GK_ASSERT(gk_model_forward(c->m, theta, c->in, c->n, c->f, &err) == GK_OK);
    return c->loss(c->ud, c->f, c->n, c->m->n_out, dldf);
}

/* (L(theta + h u) - L(theta - h u)) / 2h with u = e_k (u NULL) or a direction; th is scratch. */
static double gk_gc_central(gk_gc_ctx *c, const double *theta, double *th, size_t k, const double *u, double h) {
    const size_t P = c->m->params.size;
    for (size_t j = 0; j < P; j++) th[j] = u ? theta[j] + h * u[j] : theta[j];
    if (!u) th[k] = theta[k] + h;
    const double lp = gk_gc_eval(c, th, NULL);
    for (size_t j = 0; j < P; j++) th[j] = u ? theta[j] - h * u[j] : theta[j];
    if (!u) th[k] = theta[k] - h;
    return (lp - gk_gc_eval(c, th, NULL)) / (2 * h);
}

/* The per-coordinate errors on the coordinates idx[0..cnt-1] (fd into fd[idx]). */
static void gk_gc_coords(gk_gc_ctx *c, const double *theta, const double *g, const size_t *idx, size_t cnt,
                         const gk_gradcheck_opts *o, double h, double *fd, double *th, gk_gradcheck_result *r) {
    const double fl = o->floor + o->gmax_floor * r->gmax;
    double num = 0, den = 0;
    for (size_t q = 0; q < cnt; q++) {
        const size_t k = idx[q];
        fd[k] = gk_gc_central(c, theta, th, k, NULL, h);
        const double e = fabs(fd[k] - g[k]) / fmax(fl, fmax(fabs(fd[k]), fabs(g[k])));
        r->max_rel = fmax(r->max_rel, e);
        num += (fd[k] - g[k]) * (fd[k] - g[k]), den += g[k] * g[k];
    }
    r->norm_rel = sqrt(num) / sqrt(den);
    for (int t = 0; cnt == c->m->params.size && t < c->m->params.count; t++) {
        const gk_tensor *T = &c->m->params.t[t];
        const size_t len = T->rows * T->cols;
        r->tensor_gnorm[t] = gk_norm2(g + T->offset, len);
        r->tensor_rel[t] = gk_dist2(fd + T->offset, g + T->offset, len) / r->tensor_gnorm[t];
    }
}

/* The directional errors along o->dirs random unit directions. */
static void gk_gc_dirs(gk_gc_ctx *c, const double *theta, const double *g, const gk_gradcheck_opts *o, double h,
                       double *u, double *th, gk_gradcheck_result *r) {
    const size_t P = c->m->params.size;
    const double gn = gk_norm2(g, P);
    gk_rng rng;
    gk_rng_seed(&rng, o->seed, 0);
    for (int d = 0; d < o->dirs; d++) {
        for (size_t k = 0; k < P; k++) u[k] = gk_rng_normal(&rng);
        const double un = gk_norm2(u, P);
        for (size_t k = 0; k < P; k++) u[k] /= un;
        const double fdd = gk_gc_central(c, theta, th, 0, u, h), an = gk_dot(g, u, P);
        r->dir_rel = fmax(r->dir_rel, fabs(fdd - an) / fmax(fabs(an), 1e-3 * gn));
    }
}

static void gk_gradcheck(gk_model *m, const double *theta, const void *in, size_t n, gk_gradcheck_loss loss, const void *ud,
                         const gk_gradcheck_opts *o, gk_gradcheck_result *r) {
    gk_error err;
    GK_ASSERT(gk_model_reserve(m, n, &err) == GK_OK);
    const size_t P = m->params.size, nf = n * (size_t)m->n_out;
    const double h = o->h > 0 ? o->h : 1e-5;
    double *f = malloc(nf * sizeof(double)), *dl = malloc(nf * sizeof(double)), *w = malloc(nf * sizeof(double));
    double *g = calloc(P, sizeof(double)), *g2 = malloc(P * sizeof(double)), *fd = calloc(P, sizeof(double));
    double *th = malloc(P * sizeof(double)), *u = malloc(P * sizeof(double));
    size_t *idx = malloc(P * sizeof(size_t));
    GK_ASSERT(f && dl && w && g && g2 && fd && th && u && idx);
    gk_rng rng;
    gk_rng_seed(&rng, o->seed, 1);
    for (size_t k = 0; k < nf; k++) w[k] = gk_rng_normal(&rng);
    gk_gc_ctx c = {m, in, n, loss ? loss : gk_gc_linear, loss ? ud : w, f};
    memset(r, 0, sizeof *r);
    gk_gc_eval(&c, theta, dl);
    gk_model_backward(m, theta, in, n, dl, g);
    gk_gc_eval(&c, theta, dl);
    memcpy(g2, g, P * sizeof(double));
    gk_model_backward(m, theta, in, n, dl, g2);
    for (size_t k = 0; k < P; k++) r->accum_err = fmax(r->accum_err, fabs(g2[k] - 2 * g[k])), r->gmax = fmax(r->gmax, fabs(g[k]));
    for (size_t k = 0; k < P; k++) idx[k] = k;
    const size_t cnt = o->coords && o->coords < P ? o->coords : P;
    if (cnt < P) gk_rng_shuffle(&rng, idx, P);
    gk_gc_coords(&c, theta, g, idx, cnt, o, h, fd, th, r);
    gk_gc_dirs(&c, theta, g, o, h, u, th, r);
    free(f), free(dl), free(w), free(g), free(g2), free(fd), free(th), free(u), free(idx);
}

#endif
