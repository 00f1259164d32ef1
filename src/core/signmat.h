/* signmat.h: an n x d matrix of +-1 entries packed one bit per entry (bit 1 means -1), and its two
 * products, y = S w and g = S^T r. They are the whole cost of a diagonal-net step (Lyu et al. Sec. 3.2.3).
 *
 * Method ("four Russians"): 8 columns of S hold one byte per row, and a byte takes 256 values. For each
 * group of 8 columns we tabulate all 256 signed sums T[b] = sum_l (bit l of b ? -w_l : +w_l) once, and
 * each row then costs one table lookup per 8 columns instead of 8 multiply-adds. S^T r does the same over
 * groups of 8 rows, reading a transposed copy of the bits.
 *
 * Summation order is part of the contract, so that results are bitwise identical for any thread count:
 *   - a table is built as T[0] = ((v0+v1)+(v2+v3))+((v4+v5)+(v6+v7)), then for l = 0..7 and b < 2^l,
 *     T[b + 2^l] = T[b] - 2 v_l;
 *   - S w: f_i = sum over segments of GK_SEG columns, in ascending order, of the ascending sum of the
 *     row's lookups within the segment;
 *   - S^T r: g_j = ascending sum over the groups of 8 rows of the column's lookups.
 */
#ifndef GK_SIGNMAT_H
#define GK_SIGNMAT_H

#include "groklab.h"

#define GK_SEG 1024 /* columns per segment (the unit of work of S w) */

typedef struct gk_signmat {
    size_t n, d;       /* logical shape */
    size_t dpad;       /* d rounded up to a multiple of GK_SEG; padding bits are 0 (+1) */
    size_t row_bytes;  /* dpad / 8 */
    uint8_t *bits;     /* n x row_bytes, row-major */
    size_t col_bytes;  /* ceil(n / 8) */
    uint8_t *tbits;    /* dpad x col_bytes, the transpose (for S^T r); NULL until gk_signmat_finish */
} gk_signmat;

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err);
/* Builds the transposed copy that gk_signmat_tmv reads; call once the bits are filled. */
gk_status gk_signmat_finish(gk_signmat *S, gk_error *err);
void gk_signmat_free(gk_signmat *S);
static inline int gk_signmat_get(const gk_signmat *S, size_t i, size_t j) { /* +1 or -1 */
    return (S->bits[i * S->row_bytes + (j >> 3)] >> (j & 7)) & 1 ? -1 : 1;
}
static inline void gk_signmat_set(gk_signmat *S, size_t i, size_t j, int sign) {
    uint8_t *b = &S->bits[i * S->row_bytes + (j >> 3)];
    uint8_t m = (uint8_t)(1u << (j & 7));
    *b = sign < 0 ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
}

/* Doubles of scratch that the products need. */
size_t gk_signmat_work_size(const gk_signmat *S);
/* out[i] = sum_j S_ij w[j], i < n. w has dpad entries (entries >= d must be 0). */
void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work);
/* g[j] = sum_i S_ij r[i], j < dpad. Needs gk_signmat_finish. */
void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g, double *work);

#endif
