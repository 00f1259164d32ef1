/* rng.c: xoshiro256** with explicit state, seeded through splitmix64 from (seed, stream). */
#include "groklab.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void gk_rng_seed(gk_rng *r, uint64_t seed, uint64_t stream) {
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    splitmix64(&x);
    x ^= stream;
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint64_t gk_rng_u64(gk_rng *r) {
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gk_rng_uniform(gk_rng *r) { return (double)(gk_rng_u64(r) >> 11) * 0x1.0p-53; }

/* One accepted point (u, v) of Marsaglia's polar method: returns u f and sets *second = v f. */
static double polar_pair(gk_rng *r, double *second) {
    double u, v, q;
    do {
        u = 2.0 * gk_rng_uniform(r) - 1.0;
        v = 2.0 * gk_rng_uniform(r) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    double f = sqrt(-2.0 * log(q) / q);
    *second = v * f;
    return u * f;
}

double gk_rng_normal(gk_rng *r) {
    double unused;
    return polar_pair(r, &unused);
}

void gk_rng_normals(gk_rng *r, double *out, size_t n) {
    for (size_t k = 0; k < n;) {
        double second;
        out[k++] = polar_pair(r, &second);
        if (k < n) out[k++] = second;
    }
}

uint64_t gk_rng_below(gk_rng *r, uint64_t n) {
    GK_ASSERT(n > 0);
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = gk_rng_u64(r);
    while (x >= limit);
    return x % n;
}

void gk_rng_shuffle(gk_rng *r, size_t *idx, size_t n) {
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)gk_rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
