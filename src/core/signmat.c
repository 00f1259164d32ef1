/* signmat.c: packed +-1 matrix products by nibble table lookup. See signmat.h for the method and the order. */
#include "core/signmat.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX512_PATH 1
#define AVX512 __attribute__((target("avx512f")))
#endif

/* Below this many matrix entries a product runs on one thread: a parallel region costs more than it saves,
 * and on a loaded machine idle threads spin. The results do not depend on it (each output has one order). */
#define PARALLEL_MIN ((size_t)1 << 22)

#define CHUNK_COLS 512 /* columns tabulated together: 128 tables x 16 doubles = 16 KB, half an L1 */
#define ROWBLK 256     /* rows per unit of work of S w (a multiple of 64) */
#define COLBLK 64      /* columns per unit of work of S^T r */

static int simd_enabled = 1;

/* The transpose is stored in blocks of COLBLK columns, so one unit of S^T r reads one contiguous block:
 * byte m of column j at tbits[(j / COLBLK) * (npad / 8) * COLBLK + m * COLBLK + j % COLBLK]. */
static inline const uint8_t *tbits_at(const gk_signmat *S, size_t m, size_t j) {
    return S->tbits + (j / COLBLK) * (S->npad / 8) * COLBLK + m * COLBLK + j % COLBLK;
}

int gk_signmat_use_simd(int on) {
    int was = simd_enabled;
    simd_enabled = on;
    return was;
}

static int have_avx512(void) {
#ifdef HAVE_AVX512_PATH
    return simd_enabled && __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err) {
    memset(S, 0, sizeof *S);
    S->n = n;
    S->d = d;
    S->npad = (n + 7) / 8 * 8;
    S->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    S->row_bytes = S->dpad / 8;
    S->bits = calloc(S->row_bytes * S->npad + 8, 1);
    if (!S->bits) return gk_fail(err, GK_ENOMEM, "cannot allocate a %zu x %zu sign matrix", n, d);
    return GK_OK;
}

void gk_signmat_set_row(gk_signmat *S, size_t i, const uint8_t *packed) {
    for (size_t k = 0; k < (S->d + 7) / 8; k++) S->bits[k * S->npad + i] = packed[k];
}

gk_status gk_signmat_finish(gk_signmat *S, gk_error *err) {
    free(S->tbits);
    const size_t groups = S->npad / 8, dpad = S->dpad, npad = S->npad;
    S->tbits = calloc(groups * dpad + 8, 1);
    if (!S->tbits) return gk_fail(err, GK_ENOMEM, "cannot allocate the transpose of a %zu x %zu sign matrix", S->n, S->d);
#pragma omp parallel for schedule(static)
    for (long m = 0; m < (long)groups; m++) /* rows 8m .. 8m+7 */
        for (size_t k = 0; k < S->row_bytes; k++) {
            const uint8_t *src = S->bits + k * npad + 8 * (size_t)m; /* byte k of the 8 rows */
            for (unsigned l = 0; l < 8; l++) {                      /* column 8k + l */
                unsigned byte = 0;
                for (unsigned q = 0; q < 8; q++) byte |= ((src[q] >> l) & 1u) << q;
                *(uint8_t *)tbits_at(S, (size_t)m, 8 * k + l) = (uint8_t)byte;
            }
        }
    return GK_OK;
}

void gk_signmat_free(gk_signmat *S) {
    free(S->bits);
    free(S->tbits);
    S->bits = S->tbits = NULL;
}

size_t gk_signmat_work_size(const gk_signmat *S) {
    size_t fwd = S->npad * (S->dpad / GK_SEG), bwd = S->npad / 4 * 16 + S->npad;
    return fwd > bwd ? fwd : bwd;
}

/* ---- tables: T[16 t + b] = (x0 + x1) + (x2 + x3), x_l = (bit l of b ? -v[4t+l] : v[4t+l]) ---------------- */

static void tables_portable(const double *v, size_t count, double *T) {
    for (size_t t = 0; t < count; t++, v += 4, T += 16)
        for (unsigned b = 0; b < 16; b++) {
            double x0 = b & 1 ? -v[0] : v[0], x1 = b & 2 ? -v[1] : v[1];
            double x2 = b & 4 ? -v[2] : v[2], x3 = b & 8 ? -v[3] : v[3];
            T[b] = (x0 + x1) + (x2 + x3);
        }
}

#ifdef HAVE_AVX512_PATH
#define SIGN UINT64_C(0x8000000000000000)
/* lane b of mask l has the sign bit iff bit l of b is set (lanes 0..7; bit 3 is the upper half) */
static const uint64_t lane_sign[3][8] = {{0, SIGN, 0, SIGN, 0, SIGN, 0, SIGN},
                                         {0, 0, SIGN, SIGN, 0, 0, SIGN, SIGN},
                                         {0, 0, 0, 0, SIGN, SIGN, SIGN, SIGN}};

AVX512 static inline __m512d flip(double v, __m512i mask) {
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(_mm512_set1_pd(v)), mask));
}

/* The same entries as tables_portable: flipping the sign bit is exact negation. */
AVX512 static void tables_avx512(const double *v, size_t count, double *T) {
    const __m512i m0 = _mm512_loadu_si512(lane_sign[0]), m1 = _mm512_loadu_si512(lane_sign[1]);
    const __m512i m2 = _mm512_loadu_si512(lane_sign[2]);
    for (size_t t = 0; t < count; t++, v += 4, T += 16) {
        __m512d x01 = _mm512_add_pd(flip(v[0], m0), flip(v[1], m1)), x2 = flip(v[2], m2);
        _mm512_storeu_pd(T, _mm512_add_pd(x01, _mm512_add_pd(x2, _mm512_set1_pd(v[3]))));
        _mm512_storeu_pd(T + 8, _mm512_add_pd(x01, _mm512_add_pd(x2, _mm512_set1_pd(-v[3]))));
    }
}

/* acc + T[low nibble] + T'[high nibble] for 8 lanes; T, T' are the 32 doubles at tab. */
#define LOOKUP2(acc, idx, tab)                                                                                   \
    do {                                                                                                         \
        acc = _mm512_add_pd(acc, _mm512_permutex2var_pd(_mm512_loadu_pd(tab), idx, _mm512_loadu_pd((tab) + 8))); \
        acc = _mm512_add_pd(acc, _mm512_permutex2var_pd(_mm512_loadu_pd((tab) + 16), _mm512_srli_epi64(idx, 4),  \
                                                        _mm512_loadu_pd((tab) + 24)));                           \
    } while (0)

static inline __m512i AVX512 bytes8(const uint8_t *p) { /* 8 bytes -> 8 lanes (vpermt2pd reads bits 0-3) */
    return _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)p));
}

/* part[i] (i in [i0, i1)) += the lookups of byte groups [k0, k0 + nk), whose tables are T. */
AVX512 static void rows_avx512(const gk_signmat *S, const double *T, size_t k0, size_t nk, size_t i0, size_t i1,
                               double *part) {
    const size_t np = S->npad;
    size_t i = i0;
    for (; i + 64 <= i1; i += 64) { /* eight accumulators: independent chains hide the add latency */
        __m512d a[8];
        for (int q = 0; q < 8; q++) a[q] = _mm512_loadu_pd(part + i + 8 * q);
        for (size_t k = 0; k < nk; k++) {
            const uint8_t *b = S->bits + (k0 + k) * np + i;
            const double *tab = T + 32 * k;
            for (int q = 0; q < 8; q++) {
                __m512i idx = bytes8(b + 8 * q);
                LOOKUP2(a[q], idx, tab);
            }
        }
        for (int q = 0; q < 8; q++) _mm512_storeu_pd(part + i + 8 * q, a[q]);
    }
    for (; i < i1; i += 8) {
        __m512d a = _mm512_loadu_pd(part + i);
        for (size_t k = 0; k < nk; k++) {
            __m512i idx = bytes8(S->bits + (k0 + k) * np + i);
            LOOKUP2(a, idx, T + 32 * k);
        }
        _mm512_storeu_pd(part + i, a);
    }
}

/* g[j0 .. j0 + COLBLK) from the row tables R. */
AVX512 static void cols_avx512(const gk_signmat *S, const double *R, size_t j0, double *g) {
    __m512d a[COLBLK / 8];
    for (int q = 0; q < COLBLK / 8; q++) a[q] = _mm512_setzero_pd();
    for (size_t m = 0; m < S->npad / 8; m++) {
        const uint8_t *c = tbits_at(S, m, j0);
        const double *tab = R + 32 * m;
        for (int q = 0; q < COLBLK / 8; q++) {
            __m512i idx = bytes8(c + 8 * q);
            LOOKUP2(a[q], idx, tab);
        }
    }
    for (int q = 0; q < COLBLK / 8; q++) _mm512_storeu_pd(g + j0 + 8 * q, a[q]);
}
#endif

static void tables(const double *v, size_t count, double *T) {
#ifdef HAVE_AVX512_PATH
    if (have_avx512()) {
        tables_avx512(v, count, T);
        return;
    }
#endif
    tables_portable(v, count, T);
}

static void rows_portable(const gk_signmat *S, const double *T, size_t k0, size_t nk, size_t i0, size_t i1,
                          double *part) {
    const size_t np = S->npad;
    for (size_t i = i0; i < i1; i += 8) { /* the same order as rows_avx512, row by row */
        double a[8];
        memcpy(a, part + i, sizeof a);
        for (size_t k = 0; k < nk; k++) {
            const uint8_t *b = S->bits + (k0 + k) * np + i;
            const double *tab = T + 32 * k;
            for (int q = 0; q < 8; q++) {
                a[q] += tab[b[q] & 15];
                a[q] += tab[16 + (b[q] >> 4)];
            }
        }
        memcpy(part + i, a, sizeof a);
    }
}

static void cols_portable(const gk_signmat *S, const double *R, size_t j0, double *g) {
    double a[COLBLK] = {0};
    for (size_t m = 0; m < S->npad / 8; m++) { /* the same order as cols_avx512, column by column */
        const uint8_t *c = tbits_at(S, m, j0);
        for (size_t q = 0; q < COLBLK; q++) {
            a[q] += R[32 * m + (c[q] & 15)];
            a[q] += R[32 * m + 16 + (c[q] >> 4)];
        }
    }
    memcpy(g + j0, a, sizeof a);
}

/* Rows [i0, i1) of segment seg: part[i] = the row's partial sum over the segment's columns. */
static void seg_mv(const gk_signmat *S, const double *w, size_t seg, size_t i0, size_t i1, double *part) {
    double T[CHUNK_COLS / 4 * 16];
    memset(part + i0, 0, (i1 - i0) * sizeof(double));
    for (size_t c0 = seg * GK_SEG; c0 < (seg + 1) * GK_SEG; c0 += CHUNK_COLS) {
        tables(w + c0, CHUNK_COLS / 4, T);
#ifdef HAVE_AVX512_PATH
        if (have_avx512()) {
            rows_avx512(S, T, c0 / 8, CHUNK_COLS / 8, i0, i1, part);
            continue;
        }
#endif
        rows_portable(S, T, c0 / 8, CHUNK_COLS / 8, i0, i1, part);
    }
}

void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work) {
    const size_t nseg = S->dpad / GK_SEG, n = S->n, np = S->npad, nrb = (np + ROWBLK - 1) / ROWBLK;
    const long units = (long)(nrb * nseg);
    /* Each (row block, segment) unit writes its own partials, laid out [seg][row]. */
#pragma omp parallel for schedule(static) if (n * S->dpad >= PARALLEL_MIN)
    for (long u = 0; u < units; u++) {
        size_t rbk = (size_t)u / nseg, seg = (size_t)u % nseg;
        size_t i0 = rbk * ROWBLK, i1 = i0 + ROWBLK < np ? i0 + ROWBLK : np;
        seg_mv(S, w, seg, i0, i1, work + seg * np);
    }
#pragma omp parallel for schedule(static) if (n >= 1024)
    for (long i = 0; i < (long)n; i++) {
        double s = 0;
        for (size_t seg = 0; seg < nseg; seg++) s += work[seg * np + (size_t)i];
        out[i] = s;
    }
}

void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g, double *work) {
    GK_ASSERT(S->tbits);
    double *R = work, *rpad = work + S->npad / 4 * 16; /* R: the tables of rows 4t .. 4t+3 */
    memcpy(rpad, r, S->n * sizeof(double));
    memset(rpad + S->n, 0, (S->npad - S->n) * sizeof(double)); /* missing rows count as +0 */
    tables(rpad, S->npad / 4, R);
    const long blocks = (long)(S->dpad / COLBLK);
    const int simd = have_avx512();
#pragma omp parallel for schedule(static) if (S->n * S->dpad >= PARALLEL_MIN)
    for (long blk = 0; blk < blocks; blk++) {
#ifdef HAVE_AVX512_PATH
        if (simd) {
            cols_avx512(S, R, (size_t)blk * COLBLK, g);
            continue;
        }
#endif
        cols_portable(S, R, (size_t)blk * COLBLK, g);
    }
    (void)simd;
}
