/* signmat.c: packed +-1 matrix products for the diagonal net. See signmat.h for the summation order. */
#include "core/signmat.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define GK_HAVE_AVX512_BUILD 1
#endif

gk_status gk_signmat_alloc(gk_signmat *S, size_t n, size_t d, gk_error *err) {
    memset(S, 0, sizeof *S);
    S->n = n;
    S->d = d;
    S->dpad = (d + GK_SEG - 1) / GK_SEG * GK_SEG;
    S->row_bytes = S->dpad / 8;
    S->bits = calloc(n * S->row_bytes + 64, 1); /* +64: the 4-byte loads of the last row stay inside */
    if (!S->bits) return gk_fail(err, GK_ENOMEM, "cannot allocate a %zu x %zu sign matrix", n, d);
    return GK_OK;
}

void gk_signmat_free(gk_signmat *S) {
    free(S->bits);
    S->bits = NULL;
}

size_t gk_signmat_work_size(const gk_signmat *S) { return S->n * (S->dpad / GK_SEG); }

static inline double reduce8(const double *a) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

static inline double flip(double x, unsigned bit) { /* bit ? -x : x, exactly */
    uint64_t u;
    memcpy(&u, &x, 8);
    u ^= (uint64_t)bit << 63;
    memcpy(&x, &u, 8);
    return x;
}

/* ---- portable path ---------------------------------------------------------------------------------- */

/* part[i] = segment seg's contribution to row i, for rows [i0, i1). */
static void seg_mv_portable(const gk_signmat *S, const double *w, size_t seg, size_t i0, size_t i1, double *part) {
    const double *w_s = w + seg * GK_SEG;
    for (size_t i = i0; i < i1; i++) {
        const uint8_t *row = S->bits + i * S->row_bytes + seg * (GK_SEG / 8);
        double acc[8] = {0};
        for (size_t b = 0; b < GK_SEG / 8; b++)
            for (unsigned l = 0; l < 8; l++) acc[l] += flip(w_s[8 * b + l], (row[b] >> l) & 1u);
        part[i] = reduce8(acc);
    }
}

/* g over the columns of segment seg. */
static void seg_tmv_portable(const gk_signmat *S, const double *r, size_t seg, double *g) {
    double *g_s = g + seg * GK_SEG;
    for (size_t b = 0; b < GK_SEG / 8; b++) {
        double acc[8] = {0};
        for (size_t i = 0; i < S->n; i++) {
            unsigned byte = S->bits[i * S->row_bytes + seg * (GK_SEG / 8) + b];
            for (unsigned l = 0; l < 8; l++) acc[l] += flip(r[i], (byte >> l) & 1u);
        }
        memcpy(g_s + 8 * b, acc, sizeof acc);
    }
}

/* ---- AVX-512 path: the same sums, 8 lanes per instruction --------------------------------------------- */
#ifdef GK_HAVE_AVX512_BUILD
__attribute__((target("avx512f"))) static inline __m512d flip8(__m512d x, __mmask8 m) {
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ULL);
    return _mm512_castsi512_pd(_mm512_mask_xor_epi64(_mm512_castpd_si512(x), m, _mm512_castpd_si512(x), sign));
}

__attribute__((target("avx512f"))) static inline double reduce8_avx(__m512d v) {
    double a[8];
    _mm512_storeu_pd(a, v);
    return reduce8(a);
}

__attribute__((target("avx512f"))) static void seg_mv_avx512(const gk_signmat *S, const double *w, size_t seg,
                                                             size_t i0, size_t i1, double *part) {
    const double *w_s = w + seg * GK_SEG;
    const size_t rb = S->row_bytes, off = seg * (GK_SEG / 8);
    size_t i = i0;
    for (; i + 4 <= i1; i += 4) { /* four rows share each load of w */
        const uint8_t *r0 = S->bits + i * rb + off;
        __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t b = 0; b < GK_SEG / 8; b++) {
            __m512d wv = _mm512_loadu_pd(w_s + 8 * b);
            a0 = _mm512_add_pd(a0, flip8(wv, r0[b]));
            a1 = _mm512_add_pd(a1, flip8(wv, r0[rb + b]));
            a2 = _mm512_add_pd(a2, flip8(wv, r0[2 * rb + b]));
            a3 = _mm512_add_pd(a3, flip8(wv, r0[3 * rb + b]));
        }
        part[i] = reduce8_avx(a0);
        part[i + 1] = reduce8_avx(a1);
        part[i + 2] = reduce8_avx(a2);
        part[i + 3] = reduce8_avx(a3);
    }
    for (; i < i1; i++) {
        const uint8_t *row = S->bits + i * rb + off;
        __m512d a = _mm512_setzero_pd();
        for (size_t b = 0; b < GK_SEG / 8; b++) a = _mm512_add_pd(a, flip8(_mm512_loadu_pd(w_s + 8 * b), row[b]));
        part[i] = reduce8_avx(a);
    }
}

__attribute__((target("avx512f"))) static void seg_tmv_avx512(const gk_signmat *S, const double *r, size_t seg,
                                                              double *g) {
    double *g_s = g + seg * GK_SEG;
    const size_t rb = S->row_bytes, off = seg * (GK_SEG / 8);
    for (size_t b = 0; b < GK_SEG / 8; b += 4) { /* four byte-columns (32 matrix columns) at a time */
        __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
        const uint8_t *p = S->bits + off + b;
        for (size_t i = 0; i < S->n; i++, p += rb) {
            __m512d rv = _mm512_set1_pd(r[i]);
            a0 = _mm512_add_pd(a0, flip8(rv, p[0]));
            a1 = _mm512_add_pd(a1, flip8(rv, p[1]));
            a2 = _mm512_add_pd(a2, flip8(rv, p[2]));
            a3 = _mm512_add_pd(a3, flip8(rv, p[3]));
        }
        _mm512_storeu_pd(g_s + 8 * b, a0);
        _mm512_storeu_pd(g_s + 8 * b + 8, a1);
        _mm512_storeu_pd(g_s + 8 * b + 16, a2);
        _mm512_storeu_pd(g_s + 8 * b + 24, a3);
    }
}
#endif

/* ---- dispatch ------------------------------------------------------------------------------------------ */

static int simd_state = -1; /* -1: not decided yet; written once, before any parallel region */

int gk_signmat_use_simd(int on) {
#ifdef GK_HAVE_AVX512_BUILD
    __builtin_cpu_init();
    simd_state = on && __builtin_cpu_supports("avx512f");
#else
    simd_state = 0;
#endif
    return simd_state;
}

static int simd_on(void) {
    if (simd_state < 0) {
        const char *e = getenv("GK_NO_SIMD");
        gk_signmat_use_simd(!(e && e[0] == '1'));
    }
    return simd_state;
}

void gk_signmat_mv(const gk_signmat *S, const double *w, double *out, double *work) {
    const size_t nseg = S->dpad / GK_SEG, n = S->n;
    const int simd = simd_on();
    /* Work units are (row block, segment) pairs; each writes its own partials, so any thread count gives
     * the same numbers. Partials are laid out [seg][row]. */
    const size_t RB = 256, nrb = (n + RB - 1) / RB;
    const long units = (long)(nrb * nseg);
#pragma omp parallel for schedule(static)
    for (long u = 0; u < units; u++) {
        size_t rbk = (size_t)u / nseg, seg = (size_t)u % nseg;
        size_t i0 = rbk * RB, i1 = i0 + RB < n ? i0 + RB : n;
#ifdef GK_HAVE_AVX512_BUILD
        if (simd) seg_mv_avx512(S, w, seg, i0, i1, work + seg * n);
        else
#endif
            seg_mv_portable(S, w, seg, i0, i1, work + seg * n);
    }
    (void)simd;
#pragma omp parallel for schedule(static) if (n >= 1024)
    for (long i = 0; i < (long)n; i++) {
        double s = 0;
        for (size_t seg = 0; seg < nseg; seg++) s += work[seg * n + (size_t)i];
        out[i] = s;
    }
}

void gk_signmat_tmv(const gk_signmat *S, const double *r, double *g) {
    const long nseg = (long)(S->dpad / GK_SEG);
    const int simd = simd_on();
#pragma omp parallel for schedule(static)
    for (long seg = 0; seg < nseg; seg++) {
#ifdef GK_HAVE_AVX512_BUILD
        if (simd) seg_tmv_avx512(S, r, (size_t)seg, g);
        else
#endif
            seg_tmv_portable(S, r, (size_t)seg, g);
    }
    (void)simd;
}
