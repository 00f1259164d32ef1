/* design.c: storage-independent products over an input matrix. */
#include "data/design.h"

#include "core/parallel.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

static gk_status alloc_work(gk_design *X, size_t count, gk_error *err) {
    X->work = calloc(count ? count : 1, sizeof(double));
    return X->work ? GK_OK : gk_fail(err, GK_ENOMEM, "cannot allocate %zu doubles of scratch", count);
}

gk_status gk_design_init_signs(gk_design *X, size_t n, size_t d, gk_error *err) {
    memset(X, 0, sizeof *X);
    X->kind = GK_DESIGN_SIGNS;
    X->n = n;
    X->d = d;
    gk_status s = gk_signmat_alloc(&X->signs, n, d, err);
    if (s) return s;
    X->dpad = X->signs.dpad;
    return alloc_work(X, gk_signmat_work_size(&X->signs), err);
}

gk_status gk_design_init_dense(gk_design *X, size_t n, size_t d, gk_error *err) {
    memset(X, 0, sizeof *X);
    X->kind = GK_DESIGN_DENSE;
    X->n = n;
    X->d = d;
    X->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    X->dense = calloc(n * d, sizeof(double));
    if (!X->dense) return gk_fail(err, GK_ENOMEM, "cannot allocate a %zu x %zu input matrix (%.1f GB)", n, d, n * d * 8e-9);
    return GK_OK;
}

gk_status gk_design_init_generated(gk_design *X, size_t n, size_t d, gk_row_gen gen, const void *ctx, gk_error *err) {
    memset(X, 0, sizeof *X);
    X->kind = GK_DESIGN_GENERATED;
    X->n = n;
    X->d = d;
    X->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    X->gen = gen;
    X->gen_ctx = ctx;
    return alloc_work(X, (size_t)omp_get_max_threads() * d, err);
}

gk_status gk_design_finish(gk_design *X, gk_error *err) {
    return X->kind == GK_DESIGN_SIGNS ? gk_signmat_finish(&X->signs, err) : GK_OK;
}

void gk_design_free(gk_design *X) {
    if (X->kind == GK_DESIGN_SIGNS) gk_signmat_free(&X->signs);
    free(X->dense);
    free(X->work);
    memset(X, 0, sizeof *X);
}

void gk_design_mv(const gk_design *X, const double *w, double *out) {
    switch (X->kind) {
    case GK_DESIGN_SIGNS: gk_signmat_mv(&X->signs, w, out, X->work); return;
    case GK_DESIGN_DENSE:
#pragma omp parallel for schedule(static) if (X->n * X->d >= GK_PARALLEL_MIN)
        for (long i = 0; i < (long)X->n; i++) out[i] = gk_dot(X->dense + (size_t)i * X->d, w, X->d);
        return;
    case GK_DESIGN_GENERATED: {
        int nt = omp_get_max_threads();
#pragma omp parallel num_threads(nt)
        {
            double *row = X->work + (size_t)omp_get_thread_num() * X->d;
#pragma omp for schedule(static)
            for (long i = 0; i < (long)X->n; i++) {
                X->gen(X->gen_ctx, (size_t)i, row);
                out[i] = gk_dot(row, w, X->d);
            }
        }
        return;
    }
    }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

/* g[j0..j1) = sum_i x_ij r_i with rows in ascending order for every column (vectorised across j). */
GK_CLONES static void dense_tmv_block(const double *x, size_t n, size_t d, const double *r, size_t j0, size_t j1,
                                      double *g) {
    for (size_t j = j0; j < j1; j++) g[j] = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x_i = x + i * d;
        double r_i = r[i];
        for (size_t j = j0; j < j1; j++) g[j] += x_i[j] * r_i;
    }
}

void gk_design_tmv(const gk_design *X, const double *r, double *g) {
    GK_ASSERT(X->kind != GK_DESIGN_GENERATED);
    if (X->kind == GK_DESIGN_SIGNS) {
        gk_signmat_tmv(&X->signs, r, g, X->work);
        return;
    }
    const size_t d = X->d, nblk = X->dpad / GK_SEG;
#pragma omp parallel for schedule(static) if (X->n * X->d >= GK_PARALLEL_MIN)
    for (long b = 0; b < (long)nblk; b++) {
        size_t j0 = (size_t)b * GK_SEG, j1 = j0 + GK_SEG < d ? j0 + GK_SEG : d;
        for (size_t j = j1; j < j0 + GK_SEG; j++) g[j] = 0;
        dense_tmv_block(X->dense, X->n, d, r, j0, j1, g);
    }
}

void gk_design_row(const gk_design *X, size_t i, double *row) {
    GK_ASSERT(i < X->n);
    switch (X->kind) {
    case GK_DESIGN_SIGNS:
        for (size_t j = 0; j < X->d; j++) row[j] = gk_signmat_get(&X->signs, i, j);
        return;
    case GK_DESIGN_DENSE: memcpy(row, X->dense + i * X->d, X->d * sizeof(double)); return;
    case GK_DESIGN_GENERATED: X->gen(X->gen_ctx, i, row); return;
    }
}
