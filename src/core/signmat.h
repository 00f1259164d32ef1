/* signmat.h: an n x d matrix of +-1 entries packed one bit per entry (bit 1 means -1), and its two
 * products, y = S w and g = S^T r. They are the whole cost of a diagonal-net step (Lyu et al. Sec. 3.2.3).
 *
 * Method ("four Russians" on nibbles): 4 columns of a row take one of 16 sign patterns. For each group of 4
 * columns we tabulate all 16 signed sums T[b] = sum_l (bit l of b ? -w_l : +w_l), and a row then costs one
 * table lookup per 4 columns instead of 4 multiply-adds. A 16-entry table of doubles is two AVX-512
 * registers, so one two-table permute (vpermt2pd) does the lookups of 8 rows at once. S^T r does the same
 * over groups of 4 rows, vectorised over 8 columns.
 *
 * Storage: byte k of row i (columns 8k .. 8k+7, bit l = column 8k+l) lives at bits[k * npad + i], so the
 * bytes of 8 consecutive rows are one 64-bit load; the transpose (for S^T r) keeps byte m of column j
 * (rows 8m .. 8m+7) next to the same byte of the neighbouring columns, in blocks of 64 columns.
 *
 * Summation order is part of the contract: results are bitwise identical for any thread count, and the
 * AVX-512 and the portable paths give the same bits.
 *   - a table is T[b] = (x0 + x1) + (x2 + x3), x_l = (bit l of b ? -v_l : v_l);
 *   - S w: f_i = sum over segments of GK_SEG columns, in ascending order, of the segment's partial sum, which
 *     starts at 0 and adds the row's lookups nibble by nibble in ascending column order;
 *   - S^T r: g_j starts at 0 and adds the column's lookups nibble by nibble in ascending row order.
 */
#ifndef GK_SIGNMAT_H
#define GK_SIGNMAT_H

#include "groklab.h"

#define GK_SEG 1024 /* columns per segment (the unit of work of S w); d is padded to a multiple of it */

typedef struct gk_signmat {
    size_t n, d;       /* logical shape */
    size_t npad;       /* n rounded up to a multiple of 8; padding rows are 0 (+1) */
    size_t dpad;       /* d rounded up to a multiple of GK_SEG; padding bits are 0 (+1) */
    size_t row_bytes;  /* dpad / 8 */
    uint8_t *bits;     /* row_bytes x npad: byte k of row i at bits[k * npad + i] */
    uint8_t *tbits;    /* the transpose (for S^T r), npad / 8 x dpad bytes; NULL until gk_signmat_finish */
} gk_signmat;

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err);
/* Builds the transposed copy that gk_signmat_tmv reads; call once the bits are filled. */
gk_status gk_signmat_finish(gk_signmat *S, gk_error *err);
void gk_signmat_free(gk_signmat *S);
static inline int gk_signmat_get(const gk_signmat *S, size_t i, size_t j) { /* +1 or -1 */
    return (S->bits[(j >> 3) * S->npad + i] >> (j & 7)) & 1 ? -1 : 1;
}
static inline void gk_signmat_set(gk_signmat *S, size_t i, size_t j, int sign) {
    uint8_t *b = &S->bits[(j >> 3) * S->npad + i];
    uint8_t m = (uint8_t)(1u << (j & 7));
    *b = sign < 0 ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
}
/* Row i from its packed form: ceil(d / 8) bytes, bit l of byte k = column 8k + l. Bits past d must be 0. */
void gk_signmat_set_row(gk_signmat *S, size_t i, const uint8_t *packed);

/* Doubles of scratch that the products need. */
size_t gk_signmat_work_size(const gk_signmat *S);
/* out[i] = sum_j S_ij w[j], i < n. w has dpad entries (entries >= d must be 0). */
void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work);
/* g[j] = sum_i S_ij r[i], j < dpad. Needs gk_signmat_finish. */
void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g, double *work);

/* Turns the AVX-512 kernels off (0) or back on (1, the default where the CPU has them), for tests and
 * benchmarks; returns the previous setting. The results are the same bits either way. */
int gk_signmat_use_simd(int on);

#endif
