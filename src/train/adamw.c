/* adamw.c: AdamW with decoupled weight decay and linear warmup (train.h). The update runs in GK_NCHUNK fixed
 * chunks of the parameters (independent of the thread count). */
#include "train/chunks.h"
#include "train/train.h"

#include "core/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    for (long c = 0; c < GK_NCHUNK; c++) {
        size_t k0, k1;
        gk_chunk_range(P, c, &k0, &k1);
        adamw_range(theta, o->m, o->v, grad, k0, k1, lr, decay, b1, b2, c1, c2, o->eps);
    }
}

void gk_adamw_free(gk_adamw *o) {
    if (!o) return;
    free(o->m);
    free(o->v);
    o->m = o->v = NULL;
}
