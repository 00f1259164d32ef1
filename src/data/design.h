/* design.h: the input matrix of a linear-in-x model, in one of three storages:
 *   SIGNS     +-1 entries packed in bits (sparse-parity style data, Lyu Sec. 3.2.3)
 *   DENSE     n x d doubles, row-major
 *   GENERATED rows regenerated on demand from (seed, row) — for test sets too large to hold
 * Products have a fixed summation order (see core/signmat.h and gk_dot), independent of threads. */
#ifndef GK_DESIGN_H
#define GK_DESIGN_H

#include "core/signmat.h"
#include "groklab.h"

typedef enum gk_design_kind { GK_DESIGN_SIGNS, GK_DESIGN_DENSE, GK_DESIGN_GENERATED } gk_design_kind;

/* Writes row i (d values) and returns its label. */
typedef double (*gk_row_gen)(const void *ctx, size_t i, double *row);

typedef struct gk_design {
    gk_design_kind kind;
    size_t n, d;
    size_t dpad;          /* length of the w and g vectors the products take */
    gk_signmat signs;     /* SIGNS */
    double *dense;        /* DENSE: n x d */
    gk_row_gen gen;       /* GENERATED */
    const void *gen_ctx;
    double *work;         /* scratch for the products */
} gk_design;

gk_status gk_design_init_signs(gk_design *X, size_t n, size_t d, gk_error *err);
gk_status gk_design_init_dense(gk_design *X, size_t n, size_t d, gk_error *err);
gk_status gk_design_init_generated(gk_design *X, size_t n, size_t d, gk_row_gen gen, const void *ctx, gk_error *err);
void gk_design_free(gk_design *X);

/* For a SIGNS design: builds what gk_design_tmv reads, once the bits are filled. */
gk_status gk_design_finish(gk_design *X, gk_error *err);
/* out[i] = <x_i, w>, i < n; w has dpad entries (zero beyond d). */
void gk_design_mv(const gk_design *X, const double *w, double *out);
/* g[j] = sum_i x_ij r_i for j < dpad. Not for GENERATED designs. */
void gk_design_tmv(const gk_design *X, const double *r, double *g);
/* Copies row i into row (d doubles). */
void gk_design_row(const gk_design *X, size_t i, double *row);

#endif
