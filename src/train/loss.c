/* loss.c: every loss, computed stably in double, each with its gradient with respect to the outputs: binary
 * (labels +-1: logistic, hinge; MSE on real targets) and over k classes (softmax and StableMax cross-entropy,
 * also with float32 arithmetic, MSE on one-hot targets), and the k-class statistics (argmax accuracy, minimum
 * margin). Sums over samples of the k-class losses run in GK_NCHUNK fixed chunks (independent of the thread
 * count), combined in order. */
#include "train/chunks.h"
#include "train/train.h"

#include <math.h>

double gk_logistic_loss(const double *f, const double *y, size_t n, double *dldf, double *acc) {
    double L = 0, correct = 0;
    for (size_t i = 0; i < n; i++) {
        double m = y[i] * f[i]; /* margin */
        L += gk_softplus(-m);
        correct += m > 0 ? 1.0 : (m == 0 ? 0.5 : 0.0);
        if (dldf) dldf[i] = -y[i] * gk_sigmoid(-m) / (double)n;
    }
    if (acc) *acc = n ? correct / (double)n : 0;
    return n ? L / (double)n : 0;
}

double gk_mse_loss(const double *f, const double *y, size_t n, double *dldf) {
    double L = 0;
    for (size_t i = 0; i < n; i++) {
        double r = f[i] - y[i];
        L += r * r;
        if (dldf) dldf[i] = 2.0 * r / (double)n;
    }
    return n ? L / (double)n : 0;
}

double gk_hinge_loss(const double *f, const double *y, size_t n, double *dldf, double *acc) {
    double L = 0, correct = 0;
    for (size_t i = 0; i < n; i++) {
        double m = y[i] * f[i]; /* margin */
        L += m < 1 ? 1 - m : 0;
        correct += m > 0 ? 1.0 : (m == 0 ? 0.5 : 0.0);
        if (dldf) dldf[i] = m < 1 ? -y[i] / (double)n : 0;
    }
    if (acc) *acc = n ? correct / (double)n : 0;
    return n ? L / (double)n : 0;
}

/* The loss of one sample of k logits; writes its gradient divided by n into d when d is not NULL. */
typedef double (*sample_loss_fn)(const double *z, int y, size_t k, double n, double *d);

/* Mean over n samples of a per-sample loss, in GK_NCHUNK fixed chunks (the same sum at any thread count). */
static double class_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf, sample_loss_fn f) {
    double part[GK_NCHUNK];
#pragma omp parallel for schedule(static)
    for (long c = 0; c < GK_NCHUNK; c++) {
        size_t i0, i1;
        gk_chunk_range(n, c, &i0, &i1);
        double L = 0;
        for (size_t i = i0; i < i1; i++) {
            GK_ASSERT(labels[i] >= 0 && (size_t)labels[i] < k);
            L += f(logits + i * k, labels[i], k, (double)n, dldf ? dldf + i * k : NULL);
        }
        part[c] = L;
    }
    return n ? gk_sum_chunks(part) / (double)n : 0;
}

/* -log softmax(z)_y = logsumexp(z) - z_y; gradient softmax(z) - onehot(y). */
static double softmax_sample(const double *z, int y, size_t k, double n, double *d) {
    double lse = gk_logsumexp(z, k);
    if (d) {
        for (size_t j = 0; j < k; j++) d[j] = exp(z[j] - lse) / n;
        d[y] -= 1.0 / n;
    }
    return lse - z[y];
}

double gk_softmax_xent_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf) {
    return class_loss(logits, labels, n, k, dldf, softmax_sample);
}

/* StableMax (Prieto et al. 2025, eq. 6): s(x) = x + 1 for x >= 0 and 1 / (1 - x) for x < 0 in place of exp,
 * p_j = s(z_j) / sum_l s(z_l); the loss is -log p_y. With s'(x) = 1 (x >= 0) or 1 / (1 - x)^2 (x < 0):
 * dL/dz_j = s'(z_j) / sum_l s(z_l) - [j = y] s'(z_y) / s(z_y). */
#define GK_T double
#define GK_NAME(x) x
#define GK_EXP exp
#include "train/loss_t.h" /* stable_s, stable_ds, gk_softmax_collapse_share */

#define GK_T float
#define GK_NAME(x) x##_f32
#define GK_EXP expf
#include "train/loss_t.h" /* stable_s_f32, stable_ds_f32, gk_softmax_collapse_share_f32 */

static double stablemax_sample(const double *z, int y, size_t k, double n, double *d) {
    double S = 0;
    for (size_t j = 0; j < k; j++) S += stable_s(z[j]);
    if (d) {
        for (size_t j = 0; j < k; j++) d[j] = stable_ds(z[j]) / S / n;
        d[y] -= stable_ds(z[y]) / stable_s(z[y]) / n;
    }
    return log(S) - log(stable_s(z[y]));
}

double gk_stablemax_xent_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf) {
    return class_loss(logits, labels, n, k, dldf, stablemax_sample);
}

/* ---- float32 (softmax_precision=f32): each sample's softmax or StableMax in float, as PyTorch on float32
 * logits (log_softmax: max, sum of expf(z - max), z - max - logf(sum); its backward exp(out_j) / n - [j = y] / n);
 * the mean over samples is summed in double. The logits are read as float. ---- */
static double softmax_sample_f32(const double *z, int y, size_t k, double n, double *d) {
    float m = (float)z[0], S = 0.0f;
    for (size_t j = 1; j < k; j++) m = (float)z[j] > m ? (float)z[j] : m;
    for (size_t j = 0; j < k; j++) S += expf((float)z[j] - m);
    const float lS = logf(S), inv = 1.0f / (float)n;
    if (d)
        for (size_t j = 0; j < k; j++) {
            float g = expf(((float)z[j] - m) - lS) * inv;
            if (j == (size_t)y) g -= inv;
            d[j] = g;
        }
    return -(double)(((float)z[y] - m) - lS);
}

double gk_softmax_xent_loss_f32(const double *logits, const int *labels, size_t n, size_t k, double *dldf) {
    return class_loss(logits, labels, n, k, dldf, softmax_sample_f32);
}

static double stablemax_sample_f32(const double *z, int y, size_t k, double n, double *d) {
    float S = 0.0f;
    for (size_t j = 0; j < k; j++) S += stable_s_f32((float)z[j]);
    const float inv = 1.0f / (float)n, zy = (float)z[y];
    if (d) {
        for (size_t j = 0; j < k; j++) d[j] = stable_ds_f32((float)z[j]) / S * inv;
        d[y] = (float)d[y] - stable_ds_f32(zy) / stable_s_f32(zy) * inv;
    }
    return (double)(logf(S) - logf(stable_s_f32(zy)));
}

double gk_stablemax_xent_loss_f32(const double *logits, const int *labels, size_t n, size_t k, double *dldf) {
    return class_loss(logits, labels, n, k, dldf, stablemax_sample_f32);
}

double gk_mse_onehot_loss(const double *f, const int *labels, size_t n, size_t k, double *dldf) {
    double part[GK_NCHUNK];
    const double scale = n ? 1.0 / ((double)n * (double)k) : 0;
#pragma omp parallel for schedule(static)
    for (long c = 0; c < GK_NCHUNK; c++) {
        size_t i0, i1;
        gk_chunk_range(n, c, &i0, &i1);
        double L = 0;
        for (size_t i = i0; i < i1; i++) {
            GK_ASSERT(labels[i] >= 0 && (size_t)labels[i] < k);
            for (size_t j = 0; j < k; j++) {
                double r = f[i * k + j] - ((size_t)labels[i] == j ? 1.0 : 0.0);
                L += r * r;
                if (dldf) dldf[i * k + j] = 2.0 * r * scale;
            }
        }
        part[c] = L;
    }
    return gk_sum_chunks(part) * scale;
}

void gk_class_stats(const double *logits, const int *labels, size_t n, size_t k, double *acc, double *min_margin) {
    double correct = 0, mm = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double *z = logits + i * k;
        double best_wrong = -INFINITY;
        for (size_t j = 0; j < k; j++)
            if (j != (size_t)labels[i] && z[j] > best_wrong) best_wrong = z[j];
        double m = z[labels[i]] - best_wrong;
        if (m > 0) correct += 1;
        if (m < mm) mm = m;
    }
    if (acc) *acc = n ? correct / (double)n : 0;
    if (min_margin) *min_margin = mm;
}

