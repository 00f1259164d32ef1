/* relu2_span.c: the relu2 net in span form on fixed points (relu2_span.h). */
#include "model/relu2_span.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fixed row blocks of the set-up products (each a single-threaded dgemm; the cut depends on the shapes only). */
#define SETUP_BLOCKS 4

/* ZX and ZW0 by blocks of rows of Z; then <x_i, e>, <w_j(0), e> and ||w_j(0)||^2 by gk_dot, one per thread. */
static void products(gk_relu2_products *S, const double *Z, const double *W0, size_t p, const double *e1,
                     const double *e2) {
    const size_t n = S->n, m = S->m, rows = n + S->nt;
#pragma omp parallel for schedule(dynamic, 1)
    for (int b = 0; b < SETUP_BLOCKS; b++) {
        size_t r0 = rows * (size_t)b / SETUP_BLOCKS, r1 = rows * (size_t)(b + 1) / SETUP_BLOCKS;
        if (r1 == r0) continue;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)n, (int)p, 1.0, Z + r0 * p,
                    (int)p, Z, (int)p, 0.0, S->ZX + r0 * n, (int)n);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(r1 - r0), (int)m, (int)p, 1.0, Z + r0 * p,
                    (int)p, W0, (int)p, 0.0, S->ZW0 + r0 * m, (int)m);
    }
    const long nn = (long)n, mm = (long)m;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        S->Xe[2 * i] = gk_dot(Z + (size_t)i * p, e1, p);
        S->Xe[2 * i + 1] = gk_dot(Z + (size_t)i * p, e2, p);
    }
#pragma omp parallel for schedule(static)
    for (long j = 0; j < mm; j++) {
        const double *w = W0 + (size_t)j * p;
        S->W0e[2 * j] = gk_dot(w, e1, p);
        S->W0e[2 * j + 1] = gk_dot(w, e2, p);
        S->w0n2[j] = gk_dot(w, w, p);
    }
}

gk_status gk_relu2_products_make(gk_relu2_products *S, const double *Z, size_t n, size_t nt, const double *W0,
                                 size_t m, size_t p, const double *e1, const double *e2, gk_error *err) {
    const size_t rows = n + nt;
    *S = (gk_relu2_products){n, nt, m, malloc(rows * n * sizeof(double)), malloc(rows * m * sizeof(double)),
                             malloc(2 * n * sizeof(double)), malloc(2 * m * sizeof(double)), malloc(m * sizeof(double))};
    if (!(S->ZX && S->ZW0 && S->Xe && S->W0e && S->w0n2))
        return gk_fail(err, GK_ENOMEM, "out of memory for the span products (n = %zu, n_test = %zu, m = %zu)", n, nt, m);
    products(S, Z, W0, p, e1, e2);
    return GK_OK;
}

void gk_relu2_products_free(gk_relu2_products *S) {
    free(S->ZX);
    free(S->ZW0);
    free(S->Xe);
    free(S->W0e);
    free(S->w0n2);
    memset(S, 0, sizeof *S);
}

void gk_relu2_products_forward(const gk_model *mod, const gk_relu2_products *S, int test, const double *At,
                               double *GA, double *H, double *out) {
    const size_t n = S->n;
    gk_relu2_span Z = {test ? S->nt : n, n, test ? S->ZX + n * n : S->ZX, test ? S->ZW0 + n * S->m : S->ZW0};
    gk_relu2_span_forward(mod, &Z, At, GA, H, out);
}

void gk_relu2_products_norms(const gk_relu2_products *S, const double *At, const double *GA, double *wnorm,
                             double *dn2, double *norm, double *rel) {
    const size_t n = S->n, m = S->m;
    double *wn2 = wnorm;
    memset(wn2, 0, m * sizeof(double));
    memset(dn2, 0, m * sizeof(double));
    for (size_t i = 0; i < n; i++) { /* i in order */
        const double *a = At + i * m, *xw = S->ZW0 + i * m, *ga = GA + i * m;
        for (size_t j = 0; j < m; j++) wn2[j] += a[j] * xw[j], dn2[j] += a[j] * ga[j];
    }
    double s = 0, s0 = 0, sd = 0;
    for (size_t j = 0; j < m; j++) {
        wn2[j] = S->w0n2[j] + 2.0 * wn2[j] + dn2[j];
        s += wn2[j], s0 += S->w0n2[j], sd += dn2[j];
        wn2[j] = sqrt(fmax(wn2[j], 0.0));
    }
    *norm = sqrt(s);
    *rel = s0 > 0 ? sqrt(sd) / sqrt(s0) : NAN;
}

void gk_relu2_products_project(const gk_relu2_products *S, const double *At, double *proj) {
    const size_t m = S->m;
    for (size_t j = 0; j < m; j++) proj[j] = S->W0e[2 * j], proj[m + j] = S->W0e[2 * j + 1];
    for (size_t i = 0; i < S->n; i++) {
        const double *a = At + i * m, u = S->Xe[2 * i], v = S->Xe[2 * i + 1];
        for (size_t j = 0; j < m; j++) proj[j] += a[j] * u, proj[m + j] += a[j] * v;
    }
}

void gk_relu2_alignment(const gk_model *mod, const double *proj, const double *wnorm, double enorm, double al[4]) {
    const size_t m = gk_relu2_width(mod);
    const double *a = gk_relu2_a(mod);
    double cnt[2] = {0, 0};
    for (int k = 0; k < 4; k++) al[k] = 0;
    for (size_t j = 0; j < m; j++) {
        int g = a[j] > 0 ? 0 : 1;
        double d = wnorm[j] * enorm;
        al[2 * g] += d > 0 ? fabs(proj[j]) / d : 0.0;
        al[2 * g + 1] += d > 0 ? fabs(proj[m + j]) / d : 0.0;
        cnt[g] += 1;
    }
    for (int k = 0; k < 4; k++) al[k] = cnt[k / 2] > 0 ? al[k] / cnt[k / 2] : NAN;
}

void gk_rows_dot(const double *A, size_t rows, size_t p, const double *x, double *out) {
    const long r = (long)rows;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < r; i++) out[i] = gk_dot(A + (size_t)i * p, x, p);
}

void gk_relu2_dense_norms(const double *W, const double *W0, size_t m, size_t p, double *wnorm, double *norm,
                          double *rel) {
    *norm = gk_norm2(W, m * p);
    double n0 = gk_norm2(W0, m * p);
    *rel = n0 > 0 ? gk_dist2(W, W0, m * p) / n0 : NAN;
    const long mm = (long)m;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < mm; j++) wnorm[j] = gk_norm2(W + (size_t)j * p, p);
}

void gk_relu2_dense_project(const double *W, size_t m, size_t p, const double *e1, const double *e2, double *proj) {
    gk_rows_dot(W, m, p, e1, proj);
    gk_rows_dot(W, m, p, e2, proj + m);
}

void gk_relu2_plane_signs(const gk_model *mod, const double *P1, const double *P2, const double *x, size_t g,
                          double *z) {
    const long gg = (long)g;
#pragma omp parallel for schedule(static)
    for (long iy = 0; iy < gg; iy++)
        for (size_t ix = 0; ix < g; ix++) {
            double f = gk_relu2_eval_plane(mod, P1, P2, x[ix], x[iy]);
            z[(size_t)iy * g + ix] = (f > 0) - (f < 0);
        }
}
