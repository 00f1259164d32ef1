/* zp_fourier.c: key frequencies, Gini, restricted and excluded logits (see zp_fourier.h). */
#include "data/zp_fourier.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gk_zp_freq_norms(const double *W, size_t row_stride, size_t nvec, int p, const double *cosv, const double *sinv,
                      double *norm) {
    const int half = (p - 1) / 2;
    memset(norm, 0, (size_t)(half + 1) * sizeof(double));
    for (size_t v = 0; v < nvec; v++)
        for (int k = 0; k <= half; k++) {
            double re = 0, im = 0;
            for (int j = 0; j < p; j++) {
                const int r = (int)(((long)k * j) % p);
                const double u = W[(size_t)j * row_stride + v];
                re += u * cosv[r], im += u * sinv[r];
            }
            /* |u^_k|^2 + |u^_{p-k}|^2 = 2 (re^2 + im^2) for k > 0 (p odd); the constant once */
            norm[k] += (k == 0 ? 1.0 : 2.0) * (re * re + im * im);
        }
}

void gk_zp_top_freqs(const double *norm, int p, int K, int *key) {
    const int half = (p - 1) / 2;
    for (int i = 0; i < K; i++) {
        int best = -1;
        for (int k = 1; k <= half; k++) {
            int taken = 0;
            for (int j = 0; j < i; j++) taken |= key[j] == k;
            if (!taken && (best < 0 || norm[k] > norm[best])) best = k;
        }
        key[i] = best;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* G = sum_i (2i - n - 1) x_(i) / (n sum x), x sorted ascending, i = 1 .. n. */
double gk_gini(const double *x, size_t n) {
    double *v = malloc(n * sizeof(double));
    if (!v || n == 0) {
        free(v);
        return NAN;
    }
    memcpy(v, x, n * sizeof(double));
    qsort(v, n, sizeof(double), cmp_double);
    double num = 0, tot = 0;
    for (size_t i = 0; i < n; i++) num += (2.0 * (double)(i + 1) - (double)n - 1) * v[i], tot += v[i];
    free(v);
    return tot > 0 ? num / ((double)n * tot) : NAN;
}

void gk_zp_sum_by_s(const double *f, const int *s, size_t n, int p, double *bysum) {
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < p; c++) bysum[(size_t)s[i] * p + c] += f[i * p + c];
}

/* Each s holds p pairs of the grid: the mean is sum_s S(s, c) / p^2, and the coefficient along
 * cos(w_k s) is sum_s S(s, c) cos(w_k s) / (p^2 / 2) (likewise sin). */
void gk_zp_split_fit(gk_zp_split *z, const double *bysum, const double *cosv, const double *sinv) {
    const int p = z->p;
    const double pp = (double)p * p;
    for (int c = 0; c < p; c++) {
        double m = 0;
        for (int s = 0; s < p; s++) m += bysum[(size_t)s * p + c];
        z->coef[c] = m / pp;
    }
    for (int i = 0; i < z->K; i++) {
        double *ca = z->coef + (size_t)(1 + 2 * i) * p, *sa = ca + p;
        for (int c = 0; c < p; c++) {
            double a = 0, b = 0;
            for (int s = 0; s < p; s++) {
                const int r = (int)(((long)z->key[i] * s) % p);
                a += bysum[(size_t)s * p + c] * cosv[r], b += bysum[(size_t)s * p + c] * sinv[r];
            }
            ca[c] = 2 * a / pp, sa[c] = 2 * b / pp;
        }
    }
}

void gk_zp_split_apply(const gk_zp_split *z, const double *f, const int *s, size_t n, int keep, const double *cosv,
                       const double *sinv, double *out) {
    const int p = z->p;
    for (size_t i = 0; i < n; i++) {
        double *o = out + i * p;
        for (int c = 0; c < p; c++) {
            double proj = 0;
            for (int j = 0; j < z->K; j++) {
                const int r = (int)(((long)z->key[j] * s[i]) % p);
                proj += z->coef[(size_t)(1 + 2 * j) * p + c] * cosv[r] + z->coef[(size_t)(2 + 2 * j) * p + c] * sinv[r];
            }
            o[c] = keep ? z->coef[c] + proj : f[i * p + c] - proj;
        }
    }
}
