/* diag_data.c: generators for the sparse and the large-L2-margin datasets (Lyu et al. Sec. 3.2.3). */
#include "data/diag_data.h"

#include "data/userdata.h"

#include "io/samples_csv.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { STREAM_WSTAR = 0, SET_TRAIN = 1, SET_TEST = 2 };

typedef struct row_ctx {
    const gk_diag_data *D;
    int set;
} row_ctx;

static void row_rng(gk_rng *r, const gk_diag_data *D, int set, size_t i) {
    gk_rng_seed(r, D->seed, ((uint64_t)set << 40) | (uint64_t)i);
}

static double sign_label(double v) { return v >= 0 ? 1.0 : -1.0; }

/* sparse: x uniform on {+-1}^d; the label uses only the first s coordinates. */
static double sparse_row(const void *ctx, size_t i, double *row) {
    const row_ctx *c = ctx;
    gk_rng r;
    row_rng(&r, c->D, c->set, i);
    const size_t d = c->D->d;
    uint64_t bits = 0;
    for (size_t j = 0; j < d; j++) {
        if ((j & 63) == 0) bits = gk_rng_u64(&r);
        row[j] = (bits >> (j & 63)) & 1 ? -1.0 : 1.0;
    }
    double t = 0;
    for (size_t k = 0; k < c->D->s; k++) t += c->D->wstar[k] * row[k];
    return sign_label(t);
}

/* The same row as sparse_row, written straight into packed sign bits: the random words are the bits
 * (bit 1 = -1), little-endian, so byte b of word k holds columns 64k + 8b .. 64k + 8b + 7. */
static double sparse_row_bits(const row_ctx *c, size_t i, uint8_t *bytes) {
    gk_rng r;
    row_rng(&r, c->D, c->set, i);
    const size_t d = c->D->d;
    for (size_t k = 0; 64 * k < d; k++) {
        uint64_t word = gk_rng_u64(&r);
        size_t left = d - 64 * k;
        if (left < 64) word &= (UINT64_C(1) << left) - 1; /* padding columns stay +1 */
        for (int b = 0; b < 8 && 8 * (size_t)b < left; b++) bytes[8 * k + (size_t)b] = (uint8_t)(word >> (8 * b));
    }
    double t = 0;
    for (size_t k = 0; k < c->D->s; k++) t += c->D->wstar[k] * ((bytes[k >> 3] >> (k & 7)) & 1 ? -1.0 : 1.0);
    return sign_label(t);
}

/* l2sep: z ~ N(0, I), y = sign(<z, w*>), x = z + y (gamma / 2) w*. */
static double l2sep_row(const void *ctx, size_t i, double *row) {
    const row_ctx *c = ctx;
    const gk_diag_data *D = c->D;
    gk_rng r;
    row_rng(&r, D, c->set, i);
    for (size_t j = 0; j < D->d; j++) row[j] = gk_rng_normal(&r);
    double y = sign_label(gk_dot(row, D->wstar, D->d));
    double shift = y * D->gamma / 2;
    for (size_t j = 0; j < D->d; j++) row[j] += shift * D->wstar[j];
    return y;
}

static void make_wstar(gk_diag_data *D) {
    gk_rng r;
    gk_rng_seed(&r, D->seed, STREAM_WSTAR);
    if (D->kind == GK_DIAG_SPARSE) {
        for (size_t k = 0; k < D->s; k++) D->wstar[k] = gk_rng_u64(&r) & 1 ? -1.0 : 1.0;
        return;
    }
    for (size_t j = 0; j < D->d; j++) D->wstar[j] = gk_rng_normal(&r);
    double nrm = gk_norm2(D->wstar, D->d);
    for (size_t j = 0; j < D->d; j++) D->wstar[j] /= nrm;
}

/* Draws every row of a design and its label, in parallel, each row from its own stream. A stored design
 * (signs or dense) keeps the rows; a generated one only keeps the labels. */
static gk_status draw_rows(gk_design *X, double *y, gk_row_gen gen, const void *ctx, gk_error *err) {
    int nt = omp_get_max_threads();
    if (gen == sparse_row && X->kind == GK_DESIGN_SIGNS) {
        const size_t nbytes = X->signs.row_bytes;
        uint8_t *packed = calloc((size_t)nt * nbytes, 1);
        if (!packed) return gk_fail(err, GK_ENOMEM, "cannot allocate row buffers");
#pragma omp parallel num_threads(nt)
        {
            uint8_t *row = packed + (size_t)omp_get_thread_num() * nbytes;
#pragma omp for schedule(static)
            for (long i = 0; i < (long)X->n; i++) {
                y[i] = sparse_row_bits(ctx, (size_t)i, row);
                gk_signmat_set_row(&X->signs, (size_t)i, row);
            }
        }
        free(packed);
        return GK_OK;
    }
    double *rows = malloc((size_t)nt * X->d * sizeof(double));
    if (!rows) return gk_fail(err, GK_ENOMEM, "cannot allocate row buffers");
#pragma omp parallel num_threads(nt)
    {
        double *row = rows + (size_t)omp_get_thread_num() * X->d;
#pragma omp for schedule(static)
        for (long i = 0; i < (long)X->n; i++) {
            y[i] = gen(ctx, (size_t)i, row);
            if (X->kind == GK_DESIGN_DENSE) memcpy(X->dense + (size_t)i * X->d, row, X->d * sizeof(double));
            else if (X->kind == GK_DESIGN_SIGNS)
                for (size_t j = 0; j < X->d; j++) gk_signmat_set(&X->signs, (size_t)i, j, row[j] < 0 ? -1 : 1);
        }
    }
    free(rows);
    return GK_OK;
}

static gk_status make_set(gk_diag_data *D, int set, size_t n, size_t dense_limit, gk_error *err) {
    gk_design *X = set == SET_TRAIN ? &D->train : &D->test;
    double **y = set == SET_TRAIN ? &D->y_train : &D->y_test;
    row_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx) return gk_fail(err, GK_ENOMEM, "out of memory");
    ctx->D = D;
    ctx->set = set;
    D->gen_ctx[set - 1] = ctx;
    gk_row_gen gen = D->kind == GK_DIAG_SPARSE ? sparse_row : l2sep_row;
    *y = malloc(n * sizeof(double));
    if (!*y) return gk_fail(err, GK_ENOMEM, "out of memory for %zu labels", n);
    gk_status s;
    if (D->kind == GK_DIAG_SPARSE) s = gk_design_init_signs(X, n, D->d, err);
    else if ((double)n * (double)D->d * 8.0 <= (double)dense_limit || set == SET_TRAIN)
        s = gk_design_init_dense(X, n, D->d, err);
    else {
        s = gk_design_init_generated(X, n, D->d, gen, ctx, err);
        return s ? s : draw_rows(X, *y, gen, ctx, err);
    }
    if (!s) s = draw_rows(X, *y, gen, ctx, err);
    /* Only the train set is multiplied by S^T (in the backward pass). */
    return s || set != SET_TRAIN ? s : gk_design_finish(X, err);
}

gk_status gk_diag_data_make(gk_diag_data *D, gk_diag_kind kind, size_t n, size_t n_test, size_t d, size_t s,
                            double gamma, uint64_t seed, size_t dense_limit, gk_error *err) {
    memset(D, 0, sizeof *D);
    D->kind = kind;
    D->d = d;
    D->s = s;
    D->gamma = gamma;
    D->seed = seed;
    D->wstar = calloc(d, sizeof(double));
    if (!D->wstar) return gk_fail(err, GK_ENOMEM, "out of memory");
    make_wstar(D);
    gk_status st = make_set(D, SET_TRAIN, n, dense_limit, err);
    if (!st) st = make_set(D, SET_TEST, n_test, dense_limit, err);
    if (st) gk_diag_data_free(D);
    return st;
}

void gk_diag_data_free(gk_diag_data *D) {
    gk_design_free(&D->train);
    gk_design_free(&D->test);
    free(D->wstar);
    free(D->y_train);
    free(D->y_test);
    free(D->gen_ctx[0]);
    free(D->gen_ctx[1]);
    memset(D, 0, sizeof *D);
}

static void design_row(const void *ctx, size_t i, double *row) { gk_design_row(ctx, i, row); }

gk_status gk_diag_data_save_csv(const gk_diag_data *D, const char *dir, gk_error *err) {
    static const char *const names[] = {"label"};
    const double *ytr[] = {D->y_train}, *yte[] = {D->y_test};
    gk_status s = gk_write_samples_csv(dir, "train.csv", D->train.n, D->d, design_row, &D->train, ytr, names, 1, err);
    return s ? s : gk_write_samples_csv(dir, "test.csv", D->test.n, D->d, design_row, &D->test, yte, names, 1, err);
}

/* ---- a user's own data -------------------------------------------------------------------------------- */

static int all_signs(const double *x, size_t n) {
    for (size_t k = 0; k < n; k++)
        if (x[k] != 1.0 && x[k] != -1.0) return 0;
    return 1;
}

static gk_status user_set(gk_design *X, double **y, const gk_userdata *u, const char *name, int finish, gk_error *err) {
    for (size_t i = 0; i < u->n; i++)
        if (u->y[i] != 1.0 && u->y[i] != -1.0)
            return gk_fail(err, GK_EINVAL, "%s: the label of sample %zu is %g; the diagonal net takes labels -1 or +1",
                           name, i + 1, u->y[i]);
    *y = malloc((u->n ? u->n : 1) * sizeof(double));
    if (!*y) return gk_fail(err, GK_ENOMEM, "out of memory for %zu labels", u->n);
    memcpy(*y, u->y, u->n * sizeof(double));
    int signs = all_signs(u->X, u->n * u->d);
    gk_status s = signs ? gk_design_init_signs(X, u->n, u->d, err) : gk_design_init_dense(X, u->n, u->d, err);
    if (s) return s;
    for (size_t i = 0; i < u->n; i++)
        for (size_t j = 0; j < u->d; j++) {
            double v = u->X[i * u->d + j];
            if (signs) gk_signmat_set(&X->signs, i, j, v < 0 ? -1 : 1);
            else X->dense[i * u->d + j] = v;
        }
    return finish ? gk_design_finish(X, err) : GK_OK;
}

gk_status gk_diag_data_from_user(gk_diag_data *D, const gk_userdata *train, const gk_userdata *test,
                                 const char *train_name, const char *test_name, gk_error *err) {
    memset(D, 0, sizeof *D);
    if (train->d != test->d)
        return gk_fail(err, GK_EINVAL, "%s has %zu features per sample but %s has %zu: both sets need the same d",
                       train_name, train->d, test_name, test->d);
    D->kind = GK_DIAG_FILE;
    D->d = train->d;
    D->wstar = calloc(D->d, sizeof(double));
    gk_status s = D->wstar ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s) s = user_set(&D->train, &D->y_train, train, train_name, 1, err);
    if (!s) s = user_set(&D->test, &D->y_test, test, test_name, 0, err);
    if (s) gk_diag_data_free(D);
    return s;
}
