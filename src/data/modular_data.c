/* modular_data.c: binary-operation tables over Z_p and their seeded train/test split. */
#include "data/modular_data.h"

#include "io/fsutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gk_is_prime(long p) {
    if (p < 2) return 0;
    for (long d = 2; d * d <= p; d++)
        if (p % d == 0) return 0;
    return 1;
}

gk_status gk_mod_op_parse(const char *name, gk_mod_op *op, gk_error *err) {
    const char *s = GK_MOD_OP_CHOICES;
    size_t len = strlen(name);
    for (int k = 0; k < GK_MOD_NOPS; k++) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        if (n == len && !strncmp(s, name, n)) {
            *op = (gk_mod_op)k;
            return GK_OK;
        }
        s = bar ? bar + 1 : s + n;
    }
    return gk_fail(err, GK_EINVAL, "op=%s is not allowed: op must be one of %s", name, GK_MOD_OP_CHOICES);
}

static long mulmod(long x, long y, long p) { return (x % p) * (y % p) % p; }

static long powmod(long x, long e, long p) {
    long r = 1 % p;
    x %= p;
    while (e > 0) {
        if (e & 1) r = mulmod(r, x, p);
        x = mulmod(x, x, p);
        e >>= 1;
    }
    return r;
}

int gk_mod_apply(gk_mod_op op, int p, int a, int b) {
    GK_ASSERT(p >= 2 && a >= 0 && a < p && b >= 0 && b < p);
    long P = p, A = a, B = b, c = 0;
    switch (op) {
    case GK_MOD_ADD: c = A + B; break;
    case GK_MOD_SUB: c = A - B + P; break;
    case GK_MOD_MUL: c = A * B; break;
    case GK_MOD_DIV: GK_ASSERT(b != 0); c = mulmod(A, powmod(B, P - 2, P), P); break; /* Fermat inverse */
    case GK_MOD_SQ_ADD: c = A * A + B * B; break;
    case GK_MOD_SQ_AB: c = A * A + A * B + B * B; break;
    case GK_MOD_CUBE_AB: c = mulmod(A * A, A, P) + A * B; break;
    case GK_MOD_SQ_SUB: c = A * A - B * B + P * P; break;
    default: GK_ASSERT(0);
    }
    return (int)(c % P);
}

static size_t pair_count(int p, gk_mod_op op) { return (size_t)p * (size_t)(op == GK_MOD_DIV ? p - 1 : p); }

gk_status gk_mod_check(int p, gk_mod_op op, double frac, gk_error *err) {
    if (p < 2) return gk_fail(err, GK_EINVAL, "p=%d is out of range: p must be an integer >= 2", p);
    if (op == GK_MOD_DIV && !gk_is_prime(p))
        return gk_fail(err, GK_EINVAL, "p=%d is not allowed with op=div: p must be prime (b^-1 mod p must exist)", p);
    if (!(frac > 0 && frac < 1)) return gk_fail(err, GK_EINVAL, "frac=%g is out of range: 0 < frac < 1", frac);
    size_t N = pair_count(p, op), n = (size_t)(frac * (double)N);
    if (n == 0 || n == N)
        return gk_fail(err, GK_EINVAL, "frac=%g leaves an empty %s set at p=%d (%zu pairs)", frac, n ? "test" : "train", p, N);
    return GK_OK;
}

void gk_mod_data_free(gk_mod_data *D) {
    if (!D) return;
    free(D->a);
    free(D->b);
    free(D->y);
    memset(D, 0, sizeof *D);
}

gk_status gk_mod_data_make(gk_mod_data *D, int p, gk_mod_op op, double frac, uint64_t split_seed, gk_error *err) {
    memset(D, 0, sizeof *D);
    gk_status s = gk_mod_check(p, op, frac, err);
    if (s) return s;
    const size_t N = pair_count(p, op), n = (size_t)(frac * (double)N); /* floor: 0.4 * 9409 -> 3763 */
    const int b0 = op == GK_MOD_DIV ? 1 : 0, nb = p - b0;
    size_t *perm = malloc(N * sizeof *perm);
    D->a = malloc(N * sizeof(int));
    D->b = malloc(N * sizeof(int));
    D->y = malloc(N * sizeof(int));
    if (!perm || !D->a || !D->b || !D->y) {
        free(perm);
        gk_mod_data_free(D);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu pairs", N);
    }
    for (size_t k = 0; k < N; k++) perm[k] = k; /* pair k = (k / nb, b0 + k % nb) */
    gk_rng r;
    gk_rng_seed(&r, split_seed, UINT64_C(0x6d6f64) << 32);
    gk_rng_shuffle(&r, perm, N);
    for (size_t i = 0; i < N; i++) {
        int a = (int)(perm[i] / (size_t)nb), b = b0 + (int)(perm[i] % (size_t)nb);
        D->a[i] = a;
        D->b[i] = b;
        D->y[i] = gk_mod_apply(op, p, a, b);
    }
    free(perm);
    D->p = p;
    D->op = op;
    D->n_total = N;
    D->train = (gk_pair_input){n, p, D->a, D->b};
    D->test = (gk_pair_input){N - n, p, D->a + n, D->b + n};
    D->y_train = D->y;
    D->y_test = D->y + n;
    return GK_OK;
}

static gk_status save_one(const char *dir, const char *name, const int *a, const int *b, const int *y, size_t n,
                          gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (s) return s;
    size_t cap = 16 + n * 36;
    char *buf = malloc(cap);
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    size_t len = (size_t)snprintf(buf, cap, "a,b,c\n");
    for (size_t i = 0; i < n; i++) len += (size_t)snprintf(buf + len, cap - len, "%d,%d,%d\n", a[i], b[i], y[i]);
    s = gk_write_file_atomic(path, buf, len, err);
    free(buf);
    return s;
}

gk_status gk_mod_data_save_csv(const gk_mod_data *D, const char *dir, gk_error *err) {
    gk_status s = save_one(dir, "train.csv", D->train.a, D->train.b, D->y_train, D->train.n, err);
    return s ? s : save_one(dir, "test.csv", D->test.a, D->test.b, D->y_test, D->test.n, err);
}

void gk_zp_trig(int p, double *cosv, double *sinv) {
    for (int j = 0; j < p; j++) {
        double ang = 2.0 * M_PI * (double)j / (double)p;
        cosv[j] = cos(ang);
        sinv[j] = sin(ang);
    }
}

double gk_zp_ipr(const double *u, size_t stride, int p, const double *cosv, const double *sinv) {
    const size_t P = (size_t)p;
    double total = 0, sq = 0;
    for (size_t nu = 0; nu <= P / 2; nu++) {
        double re = 0, im = 0;
        for (size_t j = 0, idx = 0; j < P; j++, idx = (idx + nu) % P) {
            re += u[j * stride] * cosv[idx];
            im -= u[j * stride] * sinv[idx];
        }
        double pw = re * re + im * im;
        if (nu != 0 && 2 * nu != P) pw *= 2; /* the conjugate frequency p - nu */
        total += pw;
        sq += pw * pw;
    }
    return total > 0 ? sq / (total * total) : NAN;
}
