/* mlp_tanh.c: a tanh MLP on dense rows, forward and backward side by side (see mlp_tanh.h).
 *
 * forward:  Z_l = A_{l-1} W_l + 1 b_l^T;  A_l = tanh(Z_l) for l < L;  out = s Z_L
 * backward: G_L = s dout, and going down G_{l-1} = (G_l W_l^T) * (1 - A_{l-1}^2):
 *           grad_W_l += A_{l-1}^T G_l;  grad_b_l += sum_i G_l[i]
 * (the layers: model/dense.h)
 * The cache keeps A_1 .. A_{L-1} of the last forward; A_0 is the caller's input (the same pointer must be passed
 * to backward). */
#include "model/mlp_tanh.h"

#include "model/dense.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct mlp_tanh_impl {
    int L;                            /* linear layers */
    size_t w[GK_TANH_MAX_LAYERS + 1]; /* widths[0..L] */
    double out_scale;
    uint64_t stream;                  /* the init's RNG stream */
    gk_dense_cache c;                 /* activations and gradients (gw = the largest width) */
    size_t last_n, wmax;
    const double *last_x;
} mlp_tanh_impl;

static gk_status mlp_tanh_reserve(gk_model *mod, size_t n, gk_error *err) {
    mlp_tanh_impl *R = mod->impl;
    return gk_dense_cache_reserve(&R->c, n, R->L, R->w, R->wmax, err);
}

static const double *tensor(const gk_model *mod, const double *theta, int t) { return theta + mod->params.t[t].offset; }

static gk_status mlp_tanh_forward(gk_model *mod, const double *theta, const void *in, size_t n, double *out,
                                  gk_error *err) {
    mlp_tanh_impl *R = mod->impl;
    const double *x = in;
    GK_ASSERT(x && out);
    gk_status s = gk_model_check_batch(mod, n, R->c.cap, err);
    if (s) return s;
    const double *a = x;
    for (int l = 1; l <= R->L; l++) {
        double *z = l < R->L ? R->c.A[l] : out;
        gk_dense_forward(a, n, R->w[l - 1], R->w[l], tensor(mod, theta, 2 * (l - 1)), tensor(mod, theta, 2 * l - 1), 1.0,
                         l < R->L ? GK_ACT_TANH : GK_ACT_LINEAR, z);
        a = z;
    }
    /* the output scale multiplies the whole last layer, bias included */
    if (R->out_scale != 1.0)
        for (size_t k = 0; k < n * R->w[R->L]; k++) out[k] *= R->out_scale;
    R->last_n = n;
    R->last_x = x;
    return GK_OK;
}

static void mlp_tanh_backward(gk_model *mod, const double *theta, const void *in, size_t n, const double *dout,
                              double *grad) {
    mlp_tanh_impl *R = mod->impl;
    GK_ASSERT(in == R->last_x && n == R->last_n);
    /* G_L = s dout: the output scale enters once, at the top. */
    double *G = R->c.G[0];
    const size_t nL = R->w[R->L];
    for (size_t k = 0; k < n * nL; k++) G[k] = R->out_scale * dout[k];
    for (int l = R->L, cur = 1; l >= 1; l--, cur ^= 1) {
        const size_t fi = R->w[l - 1], fo = R->w[l];
        const double *a = l > 1 ? R->c.A[l - 1] : (const double *)in;
        gk_dense_param_grads(a, G, n, fi, fo, 1.0, grad + mod->params.t[2 * (l - 1)].offset,
                             grad + mod->params.t[2 * l - 1].offset);
        if (l > 1) {
            gk_dense_input_grad(G, tensor(mod, theta, 2 * (l - 1)), a, n, fi, fo, 1.0, GK_ACT_TANH, R->c.G[cur]);
            G = R->c.G[cur];
        }
    }
}

/* PyTorch's default init times the scale, layer by layer (W_l then b_l), from (seed, the stream given at create). */
static void mlp_tanh_init(gk_model *mod, double init_scale, uint64_t seed, double *theta) {
    const mlp_tanh_impl *R = mod->impl;
    gk_rng r;
    gk_rng_seed(&r, seed, R->stream);
    for (int l = 1; l <= R->L; l++)
        gk_dense_init_uniform(theta + mod->params.t[2 * (l - 1)].offset, theta + mod->params.t[2 * l - 1].offset,
                              R->w[l - 1], R->w[l], init_scale, &r);
}

static void mlp_tanh_destroy(gk_model *mod) {
    mlp_tanh_impl *R = mod->impl;
    if (R) gk_dense_cache_free(&R->c);
    free(R);
    mod->impl = NULL;
}

static const gk_model_ops mlp_tanh_ops = {"mlp-tanh",         mlp_tanh_forward, mlp_tanh_backward,
                                           mlp_tanh_destroy,   mlp_tanh_init,    mlp_tanh_reserve};

gk_status gk_mlp_tanh_create(gk_model *mod, const size_t *widths, int nlayers, double out_scale, uint64_t stream,
                             gk_error *err) {
    memset(mod, 0, sizeof *mod);
    if (nlayers < 1 || nlayers > GK_TANH_MAX_LAYERS)
        return gk_fail(err, GK_EINVAL, "depth=%d is out of range (1 <= depth <= %d)", nlayers, GK_TANH_MAX_LAYERS);
    for (int l = 0; l <= nlayers; l++)
        if (widths[l] < 1 || widths[l] > (size_t)1 << 24)
            return gk_fail(err, GK_EINVAL, "bad tanh MLP width %zu (layer %d; 1 <= width <= 2^24)", widths[l], l);
    if (!(out_scale > 0) || !isfinite(out_scale))
        return gk_fail(err, GK_EINVAL, "out_scale=%g must be > 0 and finite", out_scale);
    mlp_tanh_impl *R = calloc(1, sizeof *R);
    if (!R) return gk_fail(err, GK_ENOMEM, "out of memory");
    R->L = nlayers, R->out_scale = out_scale, R->stream = stream;
    for (int l = 0; l <= nlayers; l++) {
        R->w[l] = widths[l];
        if (widths[l] > R->wmax) R->wmax = widths[l];
    }
    mod->ops = &mlp_tanh_ops;
    mod->impl = R;
    mod->n_out = (int)widths[nlayers];
    for (int l = 1; l <= nlayers; l++) gk_dense_add_tensors(&mod->params, l, widths[l - 1], widths[l]);
    return GK_OK;
}

const size_t *gk_mlp_tanh_widths(const gk_model *mod, int *nlayers) {
    const mlp_tanh_impl *R = mod->impl;
    if (nlayers) *nlayers = R->L;
    return R->w;
}

double gk_mlp_tanh_out_scale(const gk_model *mod) { return ((const mlp_tanh_impl *)mod->impl)->out_scale; }
