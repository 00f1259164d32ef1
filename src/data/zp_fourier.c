/* zp_fourier.c: key frequencies, Gini, restricted and excluded logits (see zp_fourier.h). */
#include "data/zp_fourier.h"

#include "data/modular_data.h"

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

double gk_zp_mean_ipr(const double *W, size_t cols, int halves, int p, const double *cosv, const double *sinv,
                      double *buf) {
    const long nc = (long)cols;
#pragma omp parallel for schedule(static)
    for (long k = 0; k < nc; k++) {
        double sum = 0;
        for (int h = 0; h < halves; h++) sum += gk_zp_ipr(W + (size_t)h * (size_t)p * cols + k, cols, p, cosv, sinv);
        buf[k] = sum / halves;
    }
    double s = 0;
    size_t cnt = 0;
    for (size_t k = 0; k < cols; k++)
        if (isfinite(buf[k])) s += buf[k], cnt++;
    return cnt ? s / (double)cnt : NAN;
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

gk_status gk_zp_progress_init(gk_zp_progress *z, int p, int K, const int *a, const int *b, size_t n_train, size_t n_test,
                              gk_error *err) {
    const size_t P = (size_t)p, half = (size_t)(p - 1) / 2, N = n_train + n_test;
    memset(z, 0, sizeof *z);
    z->p = p;
    z->K = K < (int)half ? K : (int)half;
    if (z->K > 64) z->K = 64;
    z->n_train = n_train, z->n_test = n_test;
    z->s = malloc(N * sizeof(int));
    z->cosv = malloc(P * sizeof(double)), z->sinv = malloc(P * sizeof(double));
    z->fnorm = malloc((half + 1) * sizeof(double)), z->fnorm2 = malloc((half + 1) * sizeof(double));
    z->bysum = malloc(P * P * sizeof(double));
    z->coef = malloc((1 + 2 * (size_t)z->K) * P * sizeof(double));
    z->logits = malloc(n_train * P * sizeof(double));
    if (!z->s || !z->cosv || !z->sinv || !z->fnorm || !z->fnorm2 || !z->bysum || !z->coef || !z->logits) {
        gk_zp_progress_free(z);
        return gk_fail(err, GK_ENOMEM, "out of memory for the progress measures (p = %d)", p);
    }
    for (size_t i = 0; i < N; i++) z->s[i] = (a[i] + b[i]) % p;
    gk_zp_trig(p, z->cosv, z->sinv);
    return GK_OK;
}

void gk_zp_progress_free(gk_zp_progress *z) {
    free(z->s), free(z->cosv), free(z->sinv), free(z->fnorm), free(z->fnorm2), free(z->bysum), free(z->coef), free(z->logits);
    memset(z, 0, sizeof *z);
}

void gk_zp_progress_measure(gk_zp_progress *z, const double *W, size_t cols, int halves, const double *f_train,
                            const double *f_test, const int *y_train, gk_zp_loss_fn loss, const void *ud, double out[4]) {
    const int p = z->p, half = (p - 1) / 2;
    const size_t P = (size_t)p;
    gk_zp_freq_norms(W, cols, cols, p, z->cosv, z->sinv, z->fnorm);
    for (int h = 1; h < halves; h++) {
        gk_zp_freq_norms(W + (size_t)h * P * cols, cols, cols, p, z->cosv, z->sinv, z->fnorm2);
        for (int k = 0; k <= half; k++) z->fnorm[k] += z->fnorm2[k];
    }
    gk_zp_top_freqs(z->fnorm, p, z->K, z->key);
    memset(z->bysum, 0, P * P * sizeof(double));
    gk_zp_sum_by_s(f_train, z->s, z->n_train, p, z->bysum);
    gk_zp_sum_by_s(f_test, z->s + z->n_train, z->n_test, p, z->bysum);
    gk_zp_split split = {p, z->K, z->key, z->coef};
    gk_zp_split_fit(&split, z->bysum, z->cosv, z->sinv);
    for (int keep = 1; keep >= 0; keep--) {
        gk_zp_split_apply(&split, f_train, z->s, z->n_train, keep, z->cosv, z->sinv, z->logits);
        out[1 - keep] = loss(ud, z->logits, y_train, z->n_train);
    }
    double tot = 0, inkey = 0;
    for (int k = 1; k <= half; k++) tot += z->fnorm[k];
    for (int i = 0; i < z->K; i++) inkey += z->fnorm[z->key[i]];
    out[2] = gk_gini(z->fnorm + 1, (size_t)half);
    out[3] = tot > 0 ? inkey / tot : NAN;
}
