/* diag.c: diagonal linear net, forward and backward side by side.
 *
 * forward:  w = u*u - v*v;  f = X w
 * backward: with g = X^T dout (dL/dw),  dL/du = 2 u * g,  dL/dv = -2 v * g   (chain rule through w)
 */
#include "model/diag.h"

#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct diag_impl {
    size_t d, dpad;
    double *w, *g; /* dpad each; entries >= d stay 0 */
} diag_impl;

/* The elementwise passes are memory-bound: at the paper's d = 1e5 they are a third of the step on one core,
 * so they run in parallel above GK_PARALLEL_MIN / 4 coordinates (each coordinate is one thread's work). */
#define ELEMWISE_PARALLEL_MIN (GK_PARALLEL_MIN / 4)

static void effective_w(const diag_impl *D, const double *theta, double *w) {
    const double *u = theta, *v = theta + D->d;
#pragma omp parallel for schedule(static) if (D->d >= ELEMWISE_PARALLEL_MIN)
    for (size_t j = 0; j < D->d; j++) w[j] = u[j] * u[j] - v[j] * v[j];
}

static gk_status diag_forward(gk_model *m, const double *theta, const void *in, size_t n, double *out, gk_error *err) {
    diag_impl *D = m->impl;
    const gk_design *X = in;
    GK_ASSERT(X->d == D->d && X->n == n && X->dpad == D->dpad);
    effective_w(D, theta, D->w);
    gk_design_mv(X, D->w, out);
    return GK_OK;
}

static void diag_backward(gk_model *m, const double *theta, const void *in, size_t n, const double *dout,
                          double *grad) {
    diag_impl *D = m->impl;
    const gk_design *X = in;
    GK_ASSERT(X->d == D->d && X->n == n);
    gk_design_tmv(X, dout, D->g);
    const double *u = theta, *v = theta + D->d;
    double *gu = grad, *gv = grad + D->d;
#pragma omp parallel for schedule(static) if (D->d >= ELEMWISE_PARALLEL_MIN)
    for (size_t j = 0; j < D->d; j++) {
        gu[j] += 2.0 * u[j] * D->g[j];
        gv[j] -= 2.0 * v[j] * D->g[j];
    }
}

/* Backward and GD update fused: one pass over the coordinates instead of three (zero grad, backward, update),
 * so a third of the memory traffic of a paper-size step. The arithmetic is that of backward into a zeroed
 * grad followed by gk_gd_step, in the same order (tests/test_diag.c checks the bits). */
void gk_diag_gd_step(gk_model *m, double *theta, const gk_design *X, const double *dldf, double lr, double wd) {
    diag_impl *D = m->impl;
    GK_ASSERT(X->d == D->d);
    gk_design_tmv(X, dldf, D->g);
    double *u = theta, *v = theta + D->d;
    const double *g = D->g;
#pragma omp parallel for schedule(static) if (D->d >= ELEMWISE_PARALLEL_MIN)
    for (size_t j = 0; j < D->d; j++) {
        const double gu = 0.0 + 2.0 * u[j] * g[j], gv = 0.0 - 2.0 * v[j] * g[j];
        u[j] -= lr * (gu + wd * u[j]);
        v[j] -= lr * (gv + wd * v[j]);
    }
}

static void diag_destroy(gk_model *m) {
    diag_impl *D = m->impl;
    if (D) {
        free(D->w);
        free(D->g);
        free(D);
    }
    m->impl = NULL;
}

/* u = v = alpha / sqrt(2d): deterministic, the seed is not used. */
static void diag_init(gk_model *m, double alpha, uint64_t seed, double *theta) {
    (void)seed;
    const diag_impl *D = m->impl;
    double c = alpha / sqrt(2.0 * (double)D->d);
    for (size_t j = 0; j < 2 * D->d; j++) theta[j] = c;
}

/* No reserve: the model keeps no per-sample cache (w and g have d entries, allocated at create). */
static const gk_model_ops diag_ops = {"diag", diag_forward, diag_backward, diag_destroy, diag_init, NULL};

gk_status gk_diag_model_create(gk_model *m, size_t d, gk_error *err) {
    memset(m, 0, sizeof *m);
    diag_impl *D = calloc(1, sizeof *D);
    if (!D) return gk_fail(err, GK_ENOMEM, "out of memory");
    D->d = d;
    D->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    D->w = calloc(D->dpad, sizeof(double));
    D->g = calloc(D->dpad, sizeof(double));
    m->ops = &diag_ops;
    m->impl = D;
    m->n_out = 1;
    gk_param_table_add(&m->params, "u", d, 1);
    gk_param_table_add(&m->params, "v", d, 1);
    if (!D->w || !D->g) {
        diag_destroy(m);
        return gk_fail(err, GK_ENOMEM, "out of memory for a diagonal net with d = %zu", d);
    }
    return GK_OK;
}

void gk_diag_effective_w(const gk_model *m, const double *theta, double *w) { effective_w(m->impl, theta, w); }
