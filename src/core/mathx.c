/* mathx.c: numerically stable scalar functions and fixed-order reductions. */
#include "groklab.h"

#include <math.h>

double gk_softplus(double z) {
    /* log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow at z = +1000, no underflow loss at -1000. */
    return (z > 0 ? z : 0.0) + log1p(exp(-fabs(z)));
}

double gk_sigmoid(double z) {
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double gk_logsumexp(const double *z, size_t n) {
    GK_ASSERT(n > 0);
    double m = z[0];
    for (size_t i = 1; i < n; i++) m = z[i] > m ? z[i] : m;
    if (!isfinite(m)) return m;
    double s = 0;
    for (size_t i = 0; i < n; i++) s += exp(z[i] - m);
    return m + log(s);
}

/* Sums in 8 lanes, then a fixed tree: the order never depends on threads or on the compiler. The clones
 * for wider vector units keep each lane's order (and there is no FMA contraction), so they give the same
 * bits as the default build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

GK_CLONES double gk_dot(const double *x, const double *y, size_t n) {
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) acc[l] += x[i + l] * y[i + l];
    for (int l = 0; i < n; i++, l++) acc[l] += x[i] * y[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double gk_norm2(const double *x, size_t n) { return sqrt(gk_dot(x, x, n)); }

double gk_dist2(const double *x, const double *y, size_t n) {
    double acc[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) {
            double d = x[i + l] - y[i + l];
            acc[l] += d * d;
        }
    for (int l = 0; i < n; i++, l++) {
        double d = x[i] - y[i];
        acc[l] += d * d;
    }
    return sqrt(((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
}
