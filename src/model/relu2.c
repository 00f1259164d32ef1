/* relu2.c: two-layer ReLU net with fixed +-1/sqrt(m) output weights (Xu et al. 2024), forward and backward
 * side by side.
 *
 * forward:  H = X W^T (dgemm, n x m);  out_i = sum_j a_j max(H_ij, 0)   (j in increasing order)
 * backward: G_ij = dout_i a_j 1[H_ij > 0];  grad_W += G^T X            (dgemm, m x p, beta = 1)
 * The sums over j are in a fixed order. BLAS runs single-threaded inside a run (its sums change with its own
 * thread count), so each product is cut into RELU2_BLOCKS fixed output blocks, each a single-threaded dgemm,
 * and the blocks are spread over the OpenMP threads: forward over the neurons (columns of H), backward over
 * the input coordinates (columns of W). The cut depends only on the shapes, never on the thread count, and
 * no block shares an output entry or an inner sum with another, so the results are bitwise the same for any
 * number of threads (tests/test_xor.c). */
#include "model/relu2.h"

#include "core/parallel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fixed number of output blocks per product. 2 uses both cores of the target machine; 4 blocks cost ~15%
 * more CPU in the forward product (each block packs all of X again), measured at p=4e4, n=200, m=1000. */
#define RELU2_BLOCKS 2
/* Below this many multiply-adds a product runs on the calling thread (same blocks, same results). */
#define RELU2_PAR_WORK 4e6

/* [lo, hi) of block b of len items, the cuts rounded down to a multiple of `align`. */
static void block_range(size_t len, int b, size_t align, size_t *lo, size_t *hi) {
    *lo = len * (size_t)b / RELU2_BLOCKS / align * align;
    *hi = b == RELU2_BLOCKS - 1 ? len : len * (size_t)(b + 1) / RELU2_BLOCKS / align * align;
}

typedef struct relu2_impl {
    size_t p, m;
    double *a;       /* m */
    double *H;       /* cache: cap_n x m (pre-activations of the last forward), reused as G in backward */
    size_t cap_n, last_n;
} relu2_impl;

static gk_status ensure_cache(relu2_impl *R, size_t n, gk_error *err) {
    if (n <= R->cap_n) return GK_OK;
    double *H = realloc(R->H, n * R->m * sizeof(double));
    if (!H) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu x %zu pre-activations", n, R->m);
    R->H = H;
    R->cap_n = n;
    return GK_OK;
}

static gk_status relu2_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                               gk_error *err) {
    relu2_impl *R = mod->impl;
    const gk_relu2_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n);
    gk_status s = ensure_cache(R, n, err);
    if (s) return s;
    const size_t m = R->m, p = R->p;
    /* H[:, j0:j1] = X W[j0:j1]^T */
#pragma omp parallel for schedule(static) if ((double)n * (double)m * (double)p > RELU2_PAR_WORK)
    for (int b = 0; b < RELU2_BLOCKS; b++) {
        size_t j0, j1;
        block_range(m, b, 1, &j0, &j1);
        if (j1 > j0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)(j1 - j0), (int)p, 1.0, X->X, (int)p,
                        theta + j0 * p, (int)p, 0.0, R->H + j0, (int)m);
    }
    const long nn = (long)n;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        const double *h = R->H + (size_t)i * m;
        double f = 0;
        for (size_t j = 0; j < m; j++) f += h[j] > 0 ? R->a[j] * h[j] : 0.0;
        out[i] = f;
    }
    R->last_n = n;
    return GK_OK;
}

static void relu2_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                           double *grad) {
    relu2_impl *R = mod->impl;
    const gk_relu2_input *X = in;
    GK_ASSERT(X && X->p == R->p && X->n == n && R->last_n == n);
    const size_t m = R->m, p = R->p;
    const long nn = (long)n;
    /* H becomes G in place: the cache is spent (a new forward is needed before the next backward). */
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++) {
        double *h = R->H + (size_t)i * m;
        for (size_t j = 0; j < m; j++) h[j] = h[j] > 0 ? dout[i] * R->a[j] : 0.0;
    }
    R->last_n = 0;
    /* grad[:, k0:k1] += G^T X[:, k0:k1] (cuts on 8-double boundaries) */
#pragma omp parallel for schedule(static) if ((double)n * (double)m * (double)p > RELU2_PAR_WORK)
    for (int b = 0; b < RELU2_BLOCKS; b++) {
        size_t k0, k1;
        block_range(p, b, 8, &k0, &k1);
        if (k1 > k0)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)m, (int)(k1 - k0), (int)n, 1.0, R->H, (int)m,
                        X->X + k0, (int)p, 1.0, grad + k0, (int)p);
    }
}

static void relu2_destroy(gk_model *mod) {
    relu2_impl *R = mod->impl;
    if (R) {
        free(R->a);
        free(R->H);
        free(R);
    }
    mod->impl = NULL;
}

void gk_relu2_init(gk_model *mod, double omega, uint64_t seed, double *theta);
static const gk_model_ops relu2_ops = {.name = "relu2", .forward = relu2_forward, .backward = relu2_backward,
                                       .destroy = relu2_destroy, .init = gk_relu2_init}; /* scale = omega */

gk_status gk_relu2_create(gk_model *mod, size_t p, size_t width, gk_error *err) {
    GK_ASSERT(p >= 1 && width >= 1);
    memset(mod, 0, sizeof *mod);
    if (p > 2147483647u || width > 2147483647u)
        return gk_fail(err, GK_EINVAL, "m = %zu or p = %zu is too large for the BLAS interface", width, p);
    relu2_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->p = p, R->m = width;
    R->a = calloc(width, sizeof(double));
    mod->ops = &relu2_ops;
    mod->impl = R;
    mod->n_out = 1;
    gk_param_table_add(&mod->params, "W", width, p);
    if (!R->a) {
        relu2_destroy(mod);
        return gk_fail(err, GK_ENOMEM, "out of memory for a ReLU net of width %zu", width);
    }
    return GK_OK;
}

void gk_relu2_init(gk_model *mod, double omega, uint64_t seed, double *theta) {
    relu2_impl *R = mod->impl;
    const size_t m = R->m, p = R->p;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(3) << 40);
    const double s = 1.0 / sqrt((double)m);
    for (size_t j = 0; j < m; j++) R->a[j] = (gk_rng_u64(&r) >> 63) ? s : -s;
    const long mm = (long)m;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < mm; j++) {
        gk_rng rj;
        gk_rng_seed(&rj, seed, (UINT64_C(4) << 40) + (uint64_t)j);
        double *w = theta + (size_t)j * p;
        gk_rng_normals(&rj, w, p);
        for (size_t k = 0; k < p; k++) w[k] *= omega;
    }
}

void gk_relu2_span_forward(const gk_model *mod, const gk_relu2_span *S, const double *At, double *GA, double *H,
                           double *out) {
    const relu2_impl *R = mod->impl;
    const size_t m = R->m, rows = S->rows, n = S->n;
    /* GA[:, j0:j1] = G At[:, j0:j1] */
#pragma omp parallel for schedule(static) if ((double)rows * (double)m * (double)n > RELU2_PAR_WORK)
    for (int b = 0; b < RELU2_BLOCKS; b++) {
        size_t j0, j1;
        block_range(m, b, 1, &j0, &j1);
        if (j1 > j0)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)(j1 - j0), (int)n, 1.0, S->G,
                        (int)n, At + j0, (int)m, 0.0, GA + j0, (int)m);
    }
    const long rr = (long)rows;
#pragma omp parallel for schedule(static) if (rows * m > GK_PARALLEL_MIN)
    for (long r = 0; r < rr; r++) {
        const double *ga = GA + (size_t)r * m, *h0 = S->ZW0 + (size_t)r * m;
        double *h = H + (size_t)r * m, f = 0;
        for (size_t j = 0; j < m; j++) {
            h[j] = h0[j] + ga[j];
            f += h[j] > 0 ? R->a[j] * h[j] : 0.0;
        }
        out[r] = f;
    }
}

void gk_relu2_span_update(const gk_model *mod, size_t n, const double *H, const double *dout, double *At) {
    const relu2_impl *R = mod->impl;
    const size_t m = R->m;
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * m > GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const double *h = H + (size_t)i * m;
        double *a = At + (size_t)i * m, d = dout[i];
        for (size_t j = 0; j < m; j++) a[j] += h[j] > 0 ? d * R->a[j] : 0.0;
    }
}

const double *gk_relu2_a(const gk_model *mod) { return ((const relu2_impl *)mod->impl)->a; }
size_t gk_relu2_width(const gk_model *mod) { return ((const relu2_impl *)mod->impl)->m; }

double gk_relu2_eval_plane(const gk_model *mod, const double *P1, const double *P2, double u, double v) {
    const relu2_impl *R = mod->impl;
    double f = 0;
    for (size_t j = 0; j < R->m; j++) {
        double h = u * P1[j] + v * P2[j];
        f += h > 0 ? R->a[j] * h : 0.0;
    }
    return f;
}
