/* signmat.h: an n x d matrix of +-1 entries packed one bit per entry (bit 1 means -1), and its two
 * products, y = S w and g = S^T r. They are the whole cost of a diagonal-net step (Lyu et al. Sec. 3.2.3).
 *
 * Summation order is part of the contract, so that results are bitwise identical for any thread count
 * and for both code paths (AVX-512 and portable C):
 *   - S w: columns are cut into segments of GK_SEG columns. Within a segment, 8 lanes (column mod 8)
 *     accumulate in ascending column order; the lanes are reduced by the fixed tree
 *     ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)); the segment partials are added in ascending segment order.
 *   - S^T r: each column sums its rows in ascending row order.
 * Adding a sign-flipped value is exact in its sign, so a masked XOR of the sign bit plus one addition
 * reproduces the portable  acc += bit ? -w : w  bit for bit. No FMA is involved.
 */
#ifndef GK_SIGNMAT_H
#define GK_SIGNMAT_H

#include "groklab.h"

#define GK_SEG 512 /* columns per segment: 64 bytes per row, one cache line */

typedef struct gk_signmat {
    size_t n, d;       /* logical shape */
    size_t dpad;       /* d rounded up to a multiple of GK_SEG; padding bits are 0 (+1) */
    size_t row_bytes;  /* dpad / 8 */
    uint8_t *bits;     /* n * row_bytes, row-major */
} gk_signmat;

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err);
void gk_signmat_free(gk_signmat *S);
static inline int gk_signmat_get(const gk_signmat *S, size_t i, size_t j) { /* +1 or -1 */
    return (S->bits[i * S->row_bytes + (j >> 3)] >> (j & 7)) & 1 ? -1 : 1;
}
static inline void gk_signmat_set(gk_signmat *S, size_t i, size_t j, int sign) {
    uint8_t *b = &S->bits[i * S->row_bytes + (j >> 3)];
    uint8_t m = (uint8_t)(1u << (j & 7));
    *b = sign < 0 ? (uint8_t)(*b | m) : (uint8_t)(*b & ~m);
}

/* out[i] = sum_j S_ij w[j], i < n. w has dpad entries (entries >= d must be 0). work: n * nseg doubles. */
void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work);
/* g[j] = sum_i S_ij r[i], j < dpad. */
void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g);
/* Doubles of work that gk_signmat_mv needs. */
size_t gk_signmat_work_size(const gk_signmat *S);

/* Selects the code path: 1 = AVX-512 when the CPU has it (the default), 0 = portable C. Returns the path
 * in use. Both give identical bits; tests compare them. */
int gk_signmat_use_simd(int on);

#endif
