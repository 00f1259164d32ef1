/* power_ops.c: Power et al.'s operation tables on Z_p and S_n, their seeded split and label noise. */
#include "data/power_ops.h"

#include "data/modular_data.h"

#include <stdlib.h>
#include <string.h>

static const char *const formulas[GK_POW_NOPS] = {
    "x+y", "x-y", "x/y", "x/y if y odd else x-y", "x^2+y^2", "x^2+xy+y^2", "x^2+xy+y^2+x", "x^3+xy", "x^3+xy^2+y",
    "x.y", "x.y.x^-1", "x.y.x"};
const char *gk_power_op_formula(gk_power_op op) { return op < GK_POW_NOPS ? formulas[op] : "?"; }

gk_status gk_power_op_parse(const char *name, gk_power_op *op, gk_error *err) {
    const char *s = GK_POWER_OP_CHOICES;
    const size_t len = strlen(name);
    for (int k = 0; k < GK_POW_NOPS; k++) {
        const char *bar = strchr(s, '|');
        const size_t n = bar ? (size_t)(bar - s) : strlen(s);
        if (n == len && !strncmp(s, name, n)) {
            *op = (gk_power_op)k;
            return GK_OK;
        }
        s = bar ? bar + 1 : s + n;
    }
    return gk_fail(err, GK_EINVAL, "op=%s is not allowed: op must be one of %s", name, GK_POWER_OP_CHOICES);
}

static long inverse_mod(long y, long p) { /* y^(p-2) mod p (Fermat), p prime, y != 0 */
    long r = 1, b = y % p, e = p - 2;
    for (; e > 0; e >>= 1, b = b * b % p)
        if (e & 1) r = r * b % p;
    return r;
}

int gk_power_zp(gk_power_op op, int p, int x, int y) {
    GK_ASSERT(p >= 2 && x >= 0 && x < p && y >= 0 && y < p && !gk_power_op_is_perm(op));
    const long P = p, X = x, Y = y, X2 = X * X % P, Y2 = Y * Y % P;
    long c = 0;
    switch (op) {
    case GK_POW_ADD: c = X + Y; break;
    case GK_POW_SUB: c = X - Y + P; break;
    case GK_POW_DIV: GK_ASSERT(y != 0); c = X * inverse_mod(Y, P); break;
    case GK_POW_DIV_ODD: c = Y % 2 ? X * inverse_mod(Y, P) : X - Y + P; break;
    case GK_POW_SQ_SUM: c = X2 + Y2; break;
    case GK_POW_QUAD: c = X2 + X * Y + Y2; break;
    case GK_POW_QUAD_X: c = X2 + X * Y + Y2 + X; break;
    case GK_POW_CUBE_XY: c = X2 * X + X * Y; break;
    case GK_POW_CUBE_XY2_Y: c = X2 * X + X * Y2 + Y; break;
    default: GK_ASSERT(0);
    }
    return (int)(c % P);
}

static size_t factorial(int n) { return n <= 1 ? 1 : (size_t)n * factorial(n - 1); }

/* The n! permutations of 0..n-1 in lexicographic order (next permutation, Knuth's algorithm L). */
static void list_perms(int n, int *out) {
    int a[8];
    for (int i = 0; i < n; i++) a[i] = i;
    const size_t N = factorial(n);
    for (size_t k = 0; k < N; k++) {
        memcpy(out + k * (size_t)n, a, (size_t)n * sizeof(int));
        int i = n - 2;
        while (i >= 0 && a[i] > a[i + 1]) i--;
        if (i < 0) break;
        int j = n - 1;
        while (a[j] < a[i]) j--;
        int t = a[i]; a[i] = a[j]; a[j] = t;
        for (int l = i + 1, r = n - 1; l < r; l++, r--) t = a[l], a[l] = a[r], a[r] = t;
    }
}

/* The lexicographic index of a permutation of 0..n-1 (Lehmer code). */
static int perm_index(const int *a, int n) {
    size_t idx = 0;
    for (int i = 0; i < n; i++) {
        int smaller = 0;
        for (int j = i + 1; j < n; j++) smaller += a[j] < a[i];
        idx = idx * (size_t)(n - i) + (size_t)smaller;
    }
    return (int)idx;
}

int gk_power_perm(const gk_power_data *D, gk_power_op op, int x, int y) {
    const int n = D->m, *X = D->perms + (size_t)x * (size_t)n, *Y = D->perms + (size_t)y * (size_t)n;
    int xy[8], xinv[8], c[8];
    for (int i = 0; i < n; i++) xy[i] = Y[X[i]], xinv[X[i]] = i; /* (x.y)[i] = y[x[i]], as b[a] in the authors' code */
    for (int i = 0; i < n; i++)
        c[i] = op == GK_POW_PERM_XY ? xy[i] : op == GK_POW_PERM_CONJ ? xinv[xy[i]] : X[xy[i]];
    return perm_index(c, n);
}

static size_t element_count(gk_power_op op, int m) { return gk_power_op_is_perm(op) ? factorial(m) : (size_t)m; }
static size_t equation_count(gk_power_op op, int m) {
    const size_t N = element_count(op, m);
    return N * (op == GK_POW_DIV ? N - 1 : N);
}

gk_status gk_power_check(gk_power_op op, int m, double frac, double noise, gk_error *err) {
    if (gk_power_op_is_perm(op) && (m < 3 || m > 6))
        return gk_fail(err, GK_EINVAL, "sn=%d is out of range: the symmetric group S_n takes n in 3..6", m);
    if (!gk_power_op_is_perm(op) && (m < 2 || m > 4000))
        return gk_fail(err, GK_EINVAL, "p=%d is out of range: p must be an integer in 2..4000", m);
    if ((op == GK_POW_DIV || op == GK_POW_DIV_ODD) && !gk_is_prime(m))
        return gk_fail(err, GK_EINVAL, "p=%d is not allowed with op=%s: p must be prime (y^-1 mod p must exist)", m,
                       op == GK_POW_DIV ? "div" : "div_odd");
    if (!(frac > 0 && frac < 1)) return gk_fail(err, GK_EINVAL, "frac=%g is out of range: 0 < frac < 1", frac);
    const size_t N = equation_count(op, m), n = (size_t)(frac * (double)N);
    if (n == 0 || n == N)
        return gk_fail(err, GK_EINVAL, "frac=%g leaves an empty %s set (%zu equations)", frac, n ? "validation" : "train", N);
    if (!(noise >= 0 && noise <= 1)) return gk_fail(err, GK_EINVAL, "label_noise=%g is out of range: 0 <= label_noise <= 1", noise);
    return GK_OK;
}

void gk_power_data_free(gk_power_data *D) {
    if (!D) return;
    free(D->tok), free(D->y), free(D->y_clean), free(D->noisy), free(D->perms);
    memset(D, 0, sizeof *D);
}

/* round(noise * n_train) train rows, drawn without replacement, get a uniformly drawn wrong answer. */
static gk_status corrupt(gk_power_data *D, double noise, uint64_t seed, gk_error *err) {
    const size_t n = D->n_train, k = (size_t)(noise * (double)n + 0.5);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return gk_fail(err, GK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) idx[i] = i;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x6e6f697365));
    gk_rng_shuffle(&r, idx, n);
    for (size_t q = 0; q < k && D->N > 1; q++) {
        const size_t i = idx[q];
        const int w = (int)gk_rng_below(&r, D->N - 1); /* a wrong answer: skip the true one */
        D->y[i] = w >= D->y_clean[i] ? w + 1 : w;
        D->noisy[i] = 1;
    }
    D->n_noisy = D->N > 1 ? k : 0;
    free(idx);
    return GK_OK;
}

static void fill_equations(gk_power_data *D, const size_t *perm) {
    const size_t N = D->N, y0 = D->op == GK_POW_DIV ? 1 : 0, ny = N - y0;
    for (size_t i = 0; i < D->n_total; i++) {
        const int x = (int)(perm[i] / ny), y = (int)(y0 + perm[i] % ny);
        int *t = D->tok + 4 * i;
        t[0] = x, t[1] = (int)N, t[2] = y, t[3] = (int)N + 1;
        D->y_clean[i] = gk_power_op_is_perm(D->op) ? gk_power_perm(D, D->op, x, y) : gk_power_zp(D->op, D->m, x, y);
        D->y[i] = D->y_clean[i];
    }
}

gk_status gk_power_data_make(gk_power_data *D, gk_power_op op, int m, double frac, uint64_t split_seed, double noise,
                             uint64_t noise_seed, gk_error *err) {
    memset(D, 0, sizeof *D);
    gk_status s = gk_power_check(op, m, frac, noise, err);
    if (s) return s;
    D->op = op, D->m = m, D->N = element_count(op, m);
    const size_t T = equation_count(op, m);
    D->n_total = T, D->n_train = (size_t)(frac * (double)T), D->n_val = T - D->n_train;
    size_t *perm = malloc(T * sizeof *perm);
    D->tok = malloc(4 * T * sizeof(int));
    D->y = malloc(T * sizeof(int));
    D->y_clean = malloc(T * sizeof(int));
    D->noisy = calloc(D->n_train, 1);
    if (gk_power_op_is_perm(op)) D->perms = malloc(D->N * (size_t)m * sizeof(int));
    if (!perm || !D->tok || !D->y || !D->y_clean || !D->noisy || (gk_power_op_is_perm(op) && !D->perms)) {
        free(perm);
        gk_power_data_free(D);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu equations", T);
    }
    if (D->perms) list_perms(m, D->perms);
    for (size_t k = 0; k < T; k++) perm[k] = k; /* equation k = (k / ny, y0 + k % ny) */
    gk_rng r;
    gk_rng_seed(&r, split_seed, UINT64_C(0x706f776572));
    gk_rng_shuffle(&r, perm, T);
    fill_equations(D, perm);
    free(perm);
    s = corrupt(D, noise, noise_seed, err);
    if (s) gk_power_data_free(D);
    return s;
}
