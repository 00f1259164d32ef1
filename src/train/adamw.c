/* adamw.c: AdamW (decoupled weight decay, linear warmup) and the k-class losses and statistics
 * (softmax cross-entropy, MSE on one-hot targets, argmax accuracy and minimum margin).
 * Sums over samples run in NCHUNK fixed chunks (independent of the thread count), combined in order. */
#include "train/train.h"

#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NCHUNK 64

static void chunk_range(size_t n, long c, size_t *i0, size_t *i1) {
    *i0 = n * (size_t)c / NCHUNK;
    *i1 = n * (size_t)(c + 1) / NCHUNK;
}

static double sum_chunks(const double *part) {
    double s = 0;
    for (int c = 0; c < NCHUNK; c++) s += part[c];
    return s;
}

/* The loss of one sample of k logits; writes its gradient divided by n into d when d is not NULL. */
typedef double (*sample_loss_fn)(const double *z, int y, size_t k, double n, double *d);

/* Mean over n samples of a per-sample loss, in NCHUNK fixed chunks (the same sum at any thread count). */
static double class_loss(const double *logits, const int *labels, size_t n, size_t k, double *dldf, sample_loss_fn f) {
    double part[NCHUNK];
#pragma omp parallel for schedule(static)
    for (long c = 0; c < NCHUNK; c++) {
        size_t i0, i1;
        chunk_range(n, c, &i0, &i1);
        double L = 0;
        for (size_t i = i0; i < i1; i++) {
            GK_ASSERT(labels[i] >= 0 && (size_t)labels[i] < k);
            L += f(logits + i * k, labels[i], k, (double)n, dldf ? dldf + i * k : NULL);
        }
        part[c] = L;
    }
    return n ? sum_chunks(part) / (double)n : 0;
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
#include "train/adamw_t.h" /* stable_s, stable_ds, gk_softmax_collapse_share */

#define GK_T float
#define GK_NAME(x) x##_f32
#define GK_EXP expf
#include "train/adamw_t.h" /* stable_s_f32, stable_ds_f32, gk_softmax_collapse_share_f32 */

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
    double part[NCHUNK];
    const double scale = n ? 1.0 / ((double)n * (double)k) : 0;
#pragma omp parallel for schedule(static)
    for (long c = 0; c < NCHUNK; c++) {
        size_t i0, i1;
        chunk_range(n, c, &i0, &i1);
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
    return sum_chunks(part) * scale;
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

gk_status gk_adamw_init(gk_adamw *o, size_t P, double lr, double wd, double beta1, double beta2, double eps,
                        long warmup, gk_error *err) {
    memset(o, 0, sizeof *o);
    o->m = calloc(P ? P : 1, sizeof(double));
    o->v = calloc(P ? P : 1, sizeof(double));
    if (!o->m || !o->v) {
        gk_adamw_free(o);
        return gk_fail(err, GK_ENOMEM, "out of memory for the AdamW state (%zu parameters)", P);
    }
    o->P = P, o->lr = lr, o->wd = wd, o->beta1 = beta1, o->beta2 = beta2, o->eps = eps, o->warmup = warmup;
    return GK_OK;
}

double gk_adamw_lr_at(const gk_adamw *o, long t) {
    if (o->warmup <= 0 || t >= o->warmup) return o->lr;
    return o->lr * (double)t / (double)o->warmup;
}

/* The clones for wider vector units (vsqrtpd and vdivpd are correctly rounded, no FMA contraction) give the
 * same bits as the default build, several times faster: sqrt and the division dominate the step. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

GK_CLONES static void adamw_range(double *restrict theta, double *restrict m, double *restrict v,
                                  const double *restrict grad, size_t k0, size_t k1, double lr, double decay,
                                  double b1, double b2, double c1, double c2, double eps) {
    for (size_t k = k0; k < k1; k++) {
        double g = grad[k];
        m[k] = b1 * m[k] + (1.0 - b1) * g;
        v[k] = b2 * v[k] + (1.0 - b2) * g * g;
        theta[k] = theta[k] * decay - lr * (m[k] / c1) / (sqrt(v[k] / c2) + eps);
    }
}

void gk_adamw_step(gk_adamw *o, double *theta, const double *grad) {
    const long t = ++o->t;
    const double lr = gk_adamw_lr_at(o, t), decay = 1.0 - lr * o->wd;
    const double b1 = o->beta1, b2 = o->beta2, c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
    const size_t P = o->P;
    /* a square root and a division per parameter: about 4 elementary operations' worth of work each */
#pragma omp parallel for schedule(static) if (4 * P >= GK_PARALLEL_MIN)
    for (long c = 0; c < NCHUNK; c++) {
        size_t k0, k1;
        chunk_range(P, c, &k0, &k1);
        adamw_range(theta, o->m, o->v, grad, k0, k1, lr, decay, b1, b2, c1, c2, o->eps);
    }
}

void gk_adamw_free(gk_adamw *o) {
    if (!o) return;
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}
