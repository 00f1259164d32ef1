/* signmat.c: packed +-1 matrix products by table lookup. See signmat.h for the method and the order. */
#include "core/signmat.h"

#include <stdlib.h>
#include <string.h>

/* Wider vector units build the tables faster; every entry is the same operations in the same order, so the
 * clones give the same bits as the baseline build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

/* Below this many matrix entries a product runs on one thread: a parallel region costs more than it saves,
 * and on a loaded machine idle threads spin. The results do not depend on it (each output has one order). */
#define PARALLEL_MIN ((size_t)1 << 22)

#define CHUNK 16   /* byte-groups tabulated together: 16 x 256 doubles = 32 KB, one L1 */
#define ROWBLK 256 /* rows per unit of work of S w */

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err) {
    memset(S, 0, sizeof *S);
    S->n = n;
    S->d = d;
    S->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    S->row_bytes = S->dpad / 8;
    S->col_bytes = (n + 7) / 8;
    S->bits = calloc(n * S->row_bytes + 1, 1);
    if (!S->bits) return gk_fail(err, GK_ENOMEM, "cannot allocate a %zu x %zu sign matrix", n, d);
    return GK_OK;
}

gk_status gk_signmat_finish(gk_signmat *S, gk_error *err) {
    free(S->tbits);
    S->tbits = calloc(S->dpad * S->col_bytes + 1, 1);
    if (!S->tbits) return gk_fail(err, GK_ENOMEM, "cannot allocate the transpose of a %zu x %zu sign matrix", S->n, S->d);
#pragma omp parallel for schedule(static)
    for (long jb = 0; jb < (long)S->row_bytes; jb++) /* 8 columns at a time */
        for (size_t i = 0; i < S->n; i++) {
            unsigned byte = S->bits[i * S->row_bytes + (size_t)jb];
            for (unsigned l = 0; l < 8; l++)
                if ((byte >> l) & 1u) S->tbits[((size_t)jb * 8 + l) * S->col_bytes + i / 8] |= (uint8_t)(1u << (i % 8));
        }
    return GK_OK;
}

void gk_signmat_free(gk_signmat *S) {
    free(S->bits);
    free(S->tbits);
    S->bits = S->tbits = NULL;
}

size_t gk_signmat_work_size(const gk_signmat *S) {
    size_t fwd = S->n * (S->dpad / GK_SEG), bwd = S->col_bytes * 264; /* 256 table + 8 padded r */
    return fwd > bwd ? fwd : bwd;
}

/* T[b] = sum_l (bit l of b ? -v_l : v_l) for the 8 values v (see signmat.h for the order). */
static void build_table(const double *v, double *T) {
    T[0] = ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
    for (int l = 0; l < 8; l++) {
        const double c = 2.0 * v[l];
        const int h = 1 << l;
        for (int b = 0; b < h; b++) T[b + h] = T[b] - c;
    }
}

/* Rows [i0, i1) of segment seg: part[i] = ascending sum of the lookups of row i in the segment. */
GK_CLONES static void seg_mv(const gk_signmat *S, const double *w, size_t seg, size_t i0, size_t i1, double *part) {
    double T[CHUNK][256], acc[ROWBLK];
    const size_t g_first = seg * (GK_SEG / 8), rb = S->row_bytes, rows = i1 - i0;
    for (size_t i = 0; i < rows; i++) acc[i] = 0;
    for (size_t g0 = g_first; g0 < g_first + GK_SEG / 8; g0 += CHUNK) {
        for (int k = 0; k < CHUNK; k++) build_table(w + 8 * (g0 + (size_t)k), T[k]);
        size_t i = 0;
        for (; i + 8 <= rows; i += 8) { /* eight independent chains keep both adders busy */
            const uint8_t *b0 = S->bits + (i0 + i) * rb + g0;
            double a[8];
            for (int q = 0; q < 8; q++) a[q] = acc[i + (size_t)q];
            for (int k = 0; k < CHUNK; k++)
                for (int q = 0; q < 8; q++) a[q] += T[k][b0[(size_t)q * rb + (size_t)k]];
            for (int q = 0; q < 8; q++) acc[i + (size_t)q] = a[q];
        }
        for (; i < rows; i++) {
            const uint8_t *b = S->bits + (i0 + i) * rb + g0;
            double a = acc[i];
            for (int k = 0; k < CHUNK; k++) a += T[k][b[k]];
            acc[i] = a;
        }
    }
    memcpy(part + i0, acc, rows * sizeof(double));
}

void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work) {
    const size_t nseg = S->dpad / GK_SEG, n = S->n, nrb = (n + ROWBLK - 1) / ROWBLK;
    const long units = (long)(nrb * nseg);
    /* Each (row block, segment) unit writes its own partials, laid out [seg][row]. */
#pragma omp parallel for schedule(static) if (n * S->dpad >= PARALLEL_MIN)
    for (long u = 0; u < units; u++) {
        size_t rbk = (size_t)u / nseg, seg = (size_t)u % nseg;
        size_t i0 = rbk * ROWBLK, i1 = i0 + ROWBLK < n ? i0 + ROWBLK : n;
        seg_mv(S, w, seg, i0, i1, work + seg * n);
    }
#pragma omp parallel for schedule(static) if (n >= 1024)
    for (long i = 0; i < (long)n; i++) {
        double s = 0;
        for (size_t seg = 0; seg < nseg; seg++) s += work[seg * n + (size_t)i];
        out[i] = s;
    }
}

/* g[j0 .. j0+64) from the row tables R (eight columns at a time, eight independent chains). */
GK_CLONES static void block_tmv(const gk_signmat *S, const double *R, size_t j0, double *g) {
    const size_t cb = S->col_bytes;
    for (size_t j = j0; j < j0 + 64; j += 8) {
        const uint8_t *c0 = S->tbits + j * cb;
        double a[8] = {0};
        for (size_t m = 0; m < cb; m++) {
            const double *Rm = R + 256 * m;
            for (int q = 0; q < 8; q++) a[q] += Rm[c0[(size_t)q * cb + m]];
        }
        memcpy(g + j, a, sizeof a);
    }
}

void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g, double *work) {
    GK_ASSERT(S->tbits);
    const size_t cb = S->col_bytes;
    double *rpad = work + cb * 256, *R = work; /* R[m][256]: the table of rows 8m .. 8m+7 */
    memset(rpad, 0, 8 * sizeof(double));
    for (size_t m = 0; m < cb; m++) {
        const double *v = r + 8 * m;
        if (8 * m + 8 > S->n) { /* the last group: missing rows count as 0 */
            memcpy(rpad, v, (S->n - 8 * m) * sizeof(double));
            v = rpad;
        }
        build_table(v, R + 256 * m);
    }
    const long blocks = (long)(S->dpad / 64);
#pragma omp parallel for schedule(static) if (S->n * S->dpad >= PARALLEL_MIN)
    for (long blk = 0; blk < blocks; blk++) block_tmv(S, R, (size_t)blk * 64, g);
}
