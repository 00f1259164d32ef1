/* mlp_deep.c: a deep ReLU MLP on dense rows, forward and backward side by side (see mlp_deep.h).
 *
 * forward:  Z_l = c_l A_{l-1} W_l + 1 b_l^T;  A_l = max(Z_l, 0) for l < L;  out = Z_L
 * backward: with G_L = dout and, going down, G_{l-1} = (c_l G_l W_l^T) * 1[A_{l-1} > 0]:
 *           grad_W_l += c_l A_{l-1}^T G_l;  grad_b_l += sum_i G_l[i]
 * (the dense layers: model/dense.h)
 * The cache keeps A_1 .. A_{L-1} of the last forward; A_0 is the caller's input (the same pointer must be
 * passed to backward). ReLU'(0) = 0, as in PyTorch.
 * Sparse first layer (gk_mlp_deep_set_sparse_input): Z_1 and grad_W_1 sum over the nonzero inputs only (CSR of
 * the rows for the forward, CSC for the backward), each output element summed in index order on one thread.
 * MNIST digits are ~21% nonzero, so this is ~5x fewer multiply-adds in the layer that holds 80% of them. */
#include "model/mlp_deep.h"

#include "core/parallel.h"
#include "model/dense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mlp_deep_impl {
    size_t d_in, width;
    int depth, n_out;
    gk_mlp_forward fwd;
    double out_scale;
    size_t w[GK_MLP_MAX_DEPTH + 1]; /* layer widths: d_in, width, ..., width, n_out */
    gk_dense_cache c;                /* activations and gradients (gk_model_reserve) */
    size_t last_n;
    const double *last_x;
    /* sparse first layer (gk_mlp_deep_set_sparse_input): the last input as CSR (rows) and CSC (columns) */
    int sparse_in;
    size_t *rp, *cp;   /* c.cap + 1 row starts, d_in + 1 column starts */
    int *ci, *ri;      /* column of each CSR entry, row of each CSC entry */
    double *cv, *rv;   /* their values */
    double *T;         /* d_in x width: the backward's sums for grad W1 */
    size_t cap_nnz, nnz;
    int last_sparse;   /* the last forward took the sparse path (backward then does too) */
    double *Xg;        /* dense path with X->rows: the gathered input rows (gk_mlp_deep_reserve_input) */
    size_t cap_xg;     /* rows */
    const double *last_a0; /* the input rows of the last forward as a dense matrix (X->x or Xg) */
    int tW[GK_MLP_MAX_DEPTH + 1], tb[GK_MLP_MAX_DEPTH + 1]; /* tensor of W_l and b_l (-1: no bias) */
    /* float32 (opts.f32): theta as float, the activations, the input rows as float, a gradient scratch */
    int f32;
    float *thf, *Xf, *gf, *Tf;
    gk_dense_cache_f cf;
} mlp_deep_impl;

static size_t fan_in(const mlp_deep_impl *R, int l) { return l == 1 ? R->d_in : R->width; }
static size_t fan_out(const mlp_deep_impl *R, int l) { return l == R->depth ? (size_t)R->n_out : R->width; }

double gk_mlp_deep_layer_scale(const gk_model *m, int l) {
    const mlp_deep_impl *R = m->impl;
    GK_ASSERT(l >= 1 && l <= R->depth);
    const double fi = (double)fan_in(R, l);
    if (R->fwd == GK_MLP_NTK) return l == R->depth ? R->out_scale / fi : 1.0 / sqrt(fi);
    return l == R->depth ? R->out_scale : 1.0;
}

/* The clones for wider vector units keep the order of every sum (no FMA contraction, lanes are independent
 * outputs), so they give the same bits as the default build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define GK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GK_CLONES
#endif

static size_t cache_cap(const mlp_deep_impl *R) { return R->f32 ? R->cf.cap : R->c.cap; }

static size_t row_of(const gk_dense_input *X, size_t i) { return X->rows ? X->rows[i] : i; }

gk_status gk_sparse_rows_build(const double *x, size_t n, size_t d, gk_sparse_rows *out, gk_error *err) {
    memset(out, 0, sizeof *out);
    size_t nnz = 0;
    for (size_t k = 0; k < n * d; k++) nnz += x[k] != 0.0;
    out->start = malloc((n + 1) * sizeof(size_t));
    out->col = malloc((nnz ? nnz : 1) * sizeof(int));
    out->val = malloc((nnz ? nnz : 1) * sizeof(double));
    if (!out->start || !out->col || !out->val) {
        gk_sparse_rows_free(out);
        return gk_fail(err, GK_ENOMEM, "out of memory for the %zu nonzeros of %zu rows", nnz, n);
    }
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        out->start[i] = q;
        for (size_t j = 0; j < d; j++)
            if (x[i * d + j] != 0.0) out->col[q] = (int)j, out->val[q++] = x[i * d + j];
    }
    out->start[n] = q;
    out->n = n, out->nnz = nnz;
    return GK_OK;
}

void gk_sparse_rows_free(gk_sparse_rows *s) {
    if (!s) return;
    free(s->start);
    free(s->col);
    free(s->val);
    memset(s, 0, sizeof *s);
}

/* The CSR of the n input rows (entries of a row in column order), into R->rp/ci/cv: copied from X->nz when
 * given, else found by scanning the rows. */
static gk_status build_csr(mlp_deep_impl *R, const gk_dense_input *X, size_t n, gk_error *err) {
    const size_t d = R->d_in;
    size_t nnz = 0;
    R->rp[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t r = row_of(X, i);
        size_t c = 0;
        if (X->nz) c = X->nz->start[r + 1] - X->nz->start[r];
        else
            for (size_t j = 0; j < d; j++) c += X->x[r * d + j] != 0.0;
        nnz += c;
        R->rp[i + 1] = nnz;
    }
    if (nnz > R->cap_nnz)
        return gk_fail(err, GK_EINVAL, "a batch of %zu nonzero inputs, but room for %zu was reserved (gk_mlp_deep_reserve_input)",
                       nnz, R->cap_nnz);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * d >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) {
        const size_t r = row_of(X, (size_t)i);
        size_t q = R->rp[i];
        if (X->nz) {
            const size_t s0 = X->nz->start[r], c = X->nz->start[r + 1] - s0;
            memcpy(R->ci + q, X->nz->col + s0, c * sizeof(int));
            memcpy(R->cv + q, X->nz->val + s0, c * sizeof(double));
        } else {
            const double *x = X->x + r * d;
            for (size_t j = 0; j < d; j++)
                if (x[j] != 0.0) R->ci[q] = (int)j, R->cv[q++] = x[j];
        }
    }
    R->nnz = nnz;
    return GK_OK;
}

/* The CSC of the last CSR (entries of a column in row order), into R->cp/ri/rv: a counting sort. */
static void build_csc(mlp_deep_impl *R, size_t n) {
    const size_t d = R->d_in;
    for (size_t j = 0; j <= d; j++) R->cp[j] = 0;
    for (size_t q = 0; q < R->nnz; q++) R->cp[R->ci[q] + 1]++;
    for (size_t j = 0; j < d; j++) R->cp[j + 1] += R->cp[j];
    for (size_t i = 0; i < n; i++)
        for (size_t q = R->rp[i]; q < R->rp[i + 1]; q++) {
            const size_t at = R->cp[R->ci[q]]++;
            R->ri[at] = (int)i, R->rv[at] = R->cv[q];
        }
    for (size_t j = d; j > 0; j--) R->cp[j] = R->cp[j - 1];
    R->cp[0] = 0;
}

static gk_status mlp_deep_reserve(gk_model *mod, size_t n, gk_error *err) {
    mlp_deep_impl *R = mod->impl;
    if (n <= cache_cap(R)) return GK_OK;
    size_t *rp = realloc(R->rp, (n + 1) * sizeof(size_t));
    if (!rp) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->rp = rp;
    const size_t gw = R->width > (size_t)R->n_out ? R->width : (size_t)R->n_out;
    if (!R->f32) return gk_dense_cache_reserve(&R->c, n, R->depth, R->w, gw, err);
    float *xf = realloc(R->Xf, n * R->d_in * sizeof(float));
    if (!xf) return gk_fail(err, GK_ENOMEM, "out of memory for %zu float input rows", n);
    R->Xf = xf;
    return gk_dense_cache_f_reserve(&R->cf, n, R->depth, R->w, gw, err);
}

gk_status gk_mlp_deep_reserve_input(gk_model *mod, size_t gather_rows, size_t nnz, gk_error *err) {
    mlp_deep_impl *R = mod->impl;
    if (gather_rows > R->cap_xg) {
        double *p = realloc(R->Xg, gather_rows * R->d_in * sizeof(double));
        if (!p) return gk_fail(err, GK_ENOMEM, "out of memory for %zu input rows", gather_rows);
        R->Xg = p, R->cap_xg = gather_rows;
    }
    if (nnz == 0 || nnz <= R->cap_nnz) return GK_OK;
    if (!R->cp) R->cp = malloc((R->d_in + 1) * sizeof(size_t));
    if (!R->T) R->T = malloc(R->d_in * fan_out(R, 1) * sizeof(double));
    int *a = realloc(R->ci, nnz * sizeof(int)), *b = a ? realloc(R->ri, nnz * sizeof(int)) : NULL;
    if (a) R->ci = a;
    if (b) R->ri = b;
    double *u = b ? realloc(R->cv, nnz * sizeof(double)) : NULL, *v = u ? realloc(R->rv, nnz * sizeof(double)) : NULL;
    if (u) R->cv = u;
    if (v) R->rv = v;
    if (!v || !R->cp || !R->T) return gk_fail(err, GK_ENOMEM, "out of memory for the %zu nonzero inputs", nnz);
    R->cap_nnz = nnz;
    return GK_OK;
}

/* The input rows side by side for the dense path (X->rows: gathered into Xg), or X->x. */
static gk_status dense_rows(mlp_deep_impl *R, const gk_dense_input *X, size_t n, const double **a, gk_error *err) {
    *a = X->x;
    if (!X->rows || R->sparse_in) return GK_OK;
    if (n > R->cap_xg)
        return gk_fail(err, GK_EINVAL, "%zu input rows to gather, but room for %zu was reserved (gk_mlp_deep_reserve_input)",
                       n, R->cap_xg);
    const long nn = (long)n;
#pragma omp parallel for schedule(static) if (n * R->d_in >= GK_PARALLEL_MIN)
    for (long i = 0; i < nn; i++) memcpy(R->Xg + (size_t)i * R->d_in, X->x + X->rows[i] * R->d_in, R->d_in * sizeof(double));
    *a = R->Xg;
    return GK_OK;
}

/* sparse_rows, scale_bias, scale_add, tensor, sparse_first_layer, sparse_weight_grads: in double, then in float
 * (their _f twins, see mlp_deep.h) */
#define GK_T double
#define GK_NAME(x) x
#define GK_TBUF T
#define GK_NOBIAS(x) (x)
#include "model/mlp_deep_t.h"

#define GK_T float
#define GK_NAME(x) x##_f
#define GK_TBUF Tf
#define GK_NOBIAS(x) ((x) + 0.0f)
#include "model/mlp_deep_t.h"

/* ---- float32 (see mlp_deep.h): the same forward and backward in float arithmetic ------------------------- */

/* theta (float values held in double) to float, the input rows to float, the layers, out = the float outputs. */
static gk_status forward_f32(gk_model *mod, mlp_deep_impl *R, const double *theta, const gk_dense_input *X, size_t n,
                             const double *a0, double *out, gk_error *err) {
    const size_t P = mod->params.size;
    for (size_t k = 0; k < P; k++) R->thf[k] = (float)theta[k];
    if (!R->sparse_in)
        for (size_t k = 0; k < n * R->d_in; k++) R->Xf[k] = (float)a0[k];
    const float *a = R->Xf;
    for (int l = 1; l <= R->depth; l++) {
        const float *W = tensor_f(mod, R->thf, R->tW[l]), *b = tensor_f(mod, R->thf, R->tb[l]);
        float *z = l < R->depth ? R->cf.A[l] : R->cf.out;
        const float c = (float)gk_mlp_deep_layer_scale(mod, l);
        gk_status s = GK_OK;
        if (l == 1 && R->sparse_in) s = sparse_first_layer_f(R, X, n, W, b, c, z, err);
        else
            gk_dense_forward_f(a, n, fan_in(R, l), fan_out(R, l), W, b, c, l < R->depth ? GK_ACT_RELU : GK_ACT_LINEAR,
                               z);
        if (s) return s;
        a = z;
    }
    for (size_t k = 0; k < n * (size_t)R->n_out; k++) out[k] = R->cf.out[k];
    return GK_OK;
}

/* The backward in float: dout rounded to float, each tensor's gradient in float, then added to grad. */
static void backward_f32(gk_model *mod, mlp_deep_impl *R, size_t n, const double *dout, double *grad) {
    float *G = R->cf.out;
    for (size_t k = 0; k < n * (size_t)R->n_out; k++) G[k] = (float)dout[k];
    for (int l = R->depth, cur = 0; l >= 1; l--, cur ^= 1) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        const float c = (float)gk_mlp_deep_layer_scale(mod, l);
        const int sparse = l == 1 && R->last_sparse, has_b = R->tb[l] >= 0;
        double *gW = grad + mod->params.t[R->tW[l]].offset, *gb = has_b ? grad + mod->params.t[R->tb[l]].offset : NULL;
        if (sparse) sparse_weight_grads_f(R, G, n, c, gW);
        gk_dense_param_grads_f(l > 1 ? R->cf.A[l - 1] : R->Xf, G, n, fi, fo, c, sparse ? NULL : R->gf,
                               has_b ? R->gf + fi * fo : NULL);
        for (size_t k = 0; !sparse && k < fi * fo; k++) gW[k] += R->gf[k];
        for (size_t k = 0; has_b && k < fo; k++) gb[k] += R->gf[fi * fo + k];
        if (l > 1) {
            gk_dense_input_grad_f(G, tensor_f(mod, R->thf, R->tW[l]), R->cf.A[l - 1], n, fi, fo, c, GK_ACT_RELU,
                                  R->cf.G[cur]);
            G = R->cf.G[cur];
        }
    }
}

static gk_status mlp_deep_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                                  gk_error *err) {
    mlp_deep_impl *R = mod->impl;
    const gk_dense_input *X = in;
    GK_ASSERT(X && X->d == R->d_in && X->n == n);
    gk_status s = gk_model_check_batch(mod, n, cache_cap(R), err);
    if (!s && R->sparse_in && !R->T)
        s = gk_fail(err, GK_EINVAL, "sparse first layer: no room reserved for the nonzero inputs (gk_mlp_deep_reserve_input)");
    const double *a = NULL;
    if (!s) s = dense_rows(R, X, n, &a, err);
    if (s) return s;
    R->last_a0 = a;
    if (R->f32) {
        if ((s = forward_f32(mod, R, theta, X, n, a, out, err))) return s;
        R->last_n = n, R->last_x = X->x, R->last_sparse = R->sparse_in;
        return GK_OK;
    }
    for (int l = 1; l <= R->depth; l++) {
        const double *W = tensor(mod, theta, R->tW[l]), *b = tensor(mod, theta, R->tb[l]);
        double *z = l < R->depth ? R->c.A[l] : out;
        const double c = gk_mlp_deep_layer_scale(mod, l);
        if (l == 1 && R->sparse_in) {
            if ((s = sparse_first_layer(R, X, n, W, b, c, z, err))) return s;
        } else
            gk_dense_forward(a, n, fan_in(R, l), fan_out(R, l), W, b, c, l < R->depth ? GK_ACT_RELU : GK_ACT_LINEAR, z);
        a = z;
    }
    R->last_n = n;
    R->last_x = X->x;
    R->last_sparse = R->sparse_in;
    return GK_OK;
}

static void mlp_deep_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                              double *grad) {
    mlp_deep_impl *R = mod->impl;
    const gk_dense_input *X = in;
    GK_ASSERT(X && X->d == R->d_in && X->n == n && R->last_n == n && R->last_x == X->x);
    if (R->f32) {
        backward_f32(mod, R, n, dout, grad);
        return;
    }
    const double *G = dout;
    for (int l = R->depth, cur = 0; l >= 1; l--, cur ^= 1) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        const double c = gk_mlp_deep_layer_scale(mod, l);
        const double *a = l > 1 ? R->c.A[l - 1] : R->last_a0;
        double *gW = grad + mod->params.t[R->tW[l]].offset;
        double *gb = R->tb[l] < 0 ? NULL : grad + mod->params.t[R->tb[l]].offset;
        const int sparse = l == 1 && R->last_sparse;
        if (sparse) sparse_weight_grads(R, G, n, c, gW);
        gk_dense_param_grads(a, G, n, fi, fo, c, sparse ? NULL : gW, gb);
        if (l > 1) {
            gk_dense_input_grad(G, tensor(mod, theta, R->tW[l]), a, n, fi, fo, c, GK_ACT_RELU, R->c.G[cur]);
            G = R->c.G[cur];
        }
    }
}

void gk_mlp_deep_set_sparse_input(gk_model *mod, int on) { ((mlp_deep_impl *)mod->impl)->sparse_in = on != 0; }

static void mlp_deep_destroy(gk_model *mod) {
    mlp_deep_impl *R = mod->impl;
    if (R) {
        gk_dense_cache_free(&R->c);
        gk_dense_cache_f_free(&R->cf);
        free(R->thf), free(R->Xf), free(R->gf), free(R->Tf);
        free(R->rp), free(R->cp), free(R->ci), free(R->ri), free(R->cv), free(R->rv), free(R->T), free(R->Xg);
        free(R);
    }
    mod->impl = NULL;
}

/* Sequential draws from (seed, stream 0x6d6c7064), layer by layer (see mlp_deep.h). */
static void mlp_deep_init(gk_model *mod, double init_scale, uint64_t seed, double *theta) {
    mlp_deep_impl *R = mod->impl;
    gk_rng r;
    gk_rng_seed(&r, seed, UINT64_C(0x6d6c7064));
    for (int l = 1; l <= R->depth; l++) {
        const size_t fi = fan_in(R, l), fo = fan_out(R, l);
        double *W = theta + mod->params.t[R->tW[l]].offset;
        double *b = R->tb[l] < 0 ? NULL : theta + mod->params.t[R->tb[l]].offset;
        if (R->fwd == GK_MLP_NTK) {
            const double sd = init_scale * sqrt(2.0 / (double)fi);
            for (size_t k = 0; k < fi * fo; k++) W[k] = sd * gk_rng_normal(&r);
            for (size_t j = 0; b && j < fo; j++) b[j] = 0.0;
        } else
            gk_dense_init_uniform(W, b, fi, fo, init_scale, &r);
    }
}

static const gk_model_ops mlp_deep_ops = {"mlp-deep",       mlp_deep_forward, mlp_deep_backward,
                                          mlp_deep_destroy, mlp_deep_init,    mlp_deep_reserve};

gk_status gk_mlp_deep_create(gk_model *mod, size_t d_in, size_t width, int depth, int n_out, gk_mlp_forward fwd,
                             double out_scale, gk_error *err) {
    const gk_mlp_deep_opts o = {.d_in = d_in, .width = width, .depth = depth, .n_out = n_out, .fwd = fwd, .out_scale = out_scale};
    return gk_mlp_deep_create_opts(mod, &o, err);
}

gk_status gk_mlp_deep_create_opts(gk_model *mod, const gk_mlp_deep_opts *o, gk_error *err) {
    const size_t d_in = o->d_in, width = o->width;
    const int depth = o->depth, n_out = o->n_out;
    memset(mod, 0, sizeof *mod);
    if (depth < 1 || depth > GK_MLP_MAX_DEPTH)
        return gk_fail(err, GK_EINVAL, "depth=%d is out of range (1 <= depth <= %d)", depth, GK_MLP_MAX_DEPTH);
    if (d_in < 1 || width < 1 || n_out < 1 || d_in > 1u << 24 || width > 1u << 24)
        return gk_fail(err, GK_EINVAL, "bad MLP sizes (d_in = %zu, width = %zu, n_out = %d)", d_in, width, n_out);
    mlp_deep_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->d_in = d_in, R->width = width, R->depth = depth, R->n_out = n_out, R->fwd = o->fwd, R->out_scale = o->out_scale != 0 ? o->out_scale : 1.0;
    R->f32 = o->f32;
    mod->ops = &mlp_deep_ops;
    mod->impl = R;
    mod->n_out = n_out;
    for (int l = 0; l <= depth; l++) R->w[l] = l == 0 ? d_in : l == depth ? (size_t)n_out : width;
    size_t big = 0;
    for (int l = 1; l <= depth; l++) {
        R->tW[l] = mod->params.count;
        R->tb[l] = !o->no_bias ? mod->params.count + 1 : -1;
        if (!o->no_bias) gk_dense_add_tensors(&mod->params, l, fan_in(R, l), fan_out(R, l));
        else gk_dense_add_weight(&mod->params, l, fan_in(R, l), fan_out(R, l));
        big = fan_in(R, l) * fan_out(R, l) + fan_out(R, l) > big ? fan_in(R, l) * fan_out(R, l) + fan_out(R, l) : big;
    }
    if (R->f32) {
        R->thf = malloc(mod->params.size * sizeof(float));
        R->gf = malloc(big * sizeof(float));
        R->Tf = malloc(d_in * fan_out(R, 1) * sizeof(float));
        if (!R->thf || !R->gf || !R->Tf) {
            mlp_deep_destroy(mod);
            return gk_fail(err, GK_ENOMEM, "out of memory for the float32 copy of %zu parameters", mod->params.size);
        }
    }
    return GK_OK;
}
