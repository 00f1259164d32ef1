/* test_transformer.c: the one-layer transformer of Nanda et al. 2023 (model/transformer1, issue 4):
 * the structured forward against a direct implementation over all 3 positions, finite-difference gradient
 * checks of every tensor and along random directions, thread-count independence, init scales, bad dims. */
#include "check.h"
#include "gradcheck.h"

#include "data/modular_data.h"
#include "model/transformer1.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* A direct implementation: residual stream at all 3 positions, causal attention everywhere, MLP everywhere,
 * logits at the last position. Independent of the table tricks of transformer1.c. */
static void naive_forward(const gk_model *m, const gk_tf1_dims *d, const double *theta, int a, int b, double *out) {
    const size_t D = d->d_model, H = d->heads, dh = D / H, M = d->d_mlp, p = (size_t)d->p;
    const double *WE = theta + m->params.t[0].offset, *Wpos = theta + m->params.t[1].offset,
                 *WQ = theta + m->params.t[2].offset, *WK = theta + m->params.t[3].offset,
                 *WV = theta + m->params.t[4].offset, *WO = theta + m->params.t[5].offset,
                 *Win = theta + m->params.t[6].offset, *bin = theta + m->params.t[7].offset,
                 *Wout = theta + m->params.t[8].offset, *bout = theta + m->params.t[9].offset,
                 *WU = theta + m->params.t[10].offset;
    const int tok[3] = {a, b, (int)p};
    double *x = calloc(3 * D, sizeof(double)), *Q = calloc(3 * D, sizeof(double)), *K = calloc(3 * D, sizeof(double)),
           *V = calloc(3 * D, sizeof(double)), *z = calloc(3 * D, sizeof(double)), *x1 = calloc(3 * D, sizeof(double)),
           *hid = calloc(M, sizeof(double)), *x2 = calloc(3 * D, sizeof(double));
    for (int t = 0; t < 3; t++)
        for (size_t j = 0; j < D; j++) x[t * D + j] = WE[tok[t] * D + j] + Wpos[t * D + j];
    for (int t = 0; t < 3; t++)
        for (size_t o = 0; o < D; o++)
            for (size_t j = 0; j < D; j++) {
                Q[t * D + o] += x[t * D + j] * WQ[j * D + o];
                K[t * D + o] += x[t * D + j] * WK[j * D + o];
                V[t * D + o] += x[t * D + j] * WV[j * D + o];
            }
    for (int t = 0; t < 3; t++)
        for (size_t h = 0; h < H; h++) {
            double sc[3], mx = -INFINITY, sum = 0;
            for (int u = 0; u < 3; u++) {
                if (u > t) { sc[u] = -INFINITY; continue; } /* causal mask */
                double s = 0;
                for (size_t j = h * dh; j < (h + 1) * dh; j++) s += Q[t * D + j] * K[u * D + j];
                sc[u] = s / sqrt((double)dh);
                mx = fmax(mx, sc[u]);
            }
            for (int u = 0; u < 3; u++) sc[u] = u > t ? 0 : exp(sc[u] - mx), sum += sc[u];
            for (int u = 0; u <= t; u++)
                for (size_t j = h * dh; j < (h + 1) * dh; j++) z[t * D + j] += sc[u] / sum * V[u * D + j];
        }
    for (int t = 0; t < 3; t++) {
        for (size_t o = 0; o < D; o++) {
            double s = x[t * D + o];
            for (size_t j = 0; j < D; j++) s += z[t * D + j] * WO[j * D + o];
            x1[t * D + o] = s;
        }
        for (size_t k = 0; k < M; k++) {
            double s = bin[k];
            for (size_t j = 0; j < D; j++) s += x1[t * D + j] * Win[j * M + k];
            hid[k] = s > 0 ? s : 0;
        }
        for (size_t o = 0; o < D; o++) {
            double s = x1[t * D + o] + bout[o];
            for (size_t k = 0; k < M; k++) s += hid[k] * Wout[k * D + o];
            x2[t * D + o] = s;
        }
    }
    for (size_t c = 0; c < p; c++) {
        double s = 0;
        for (size_t j = 0; j < D; j++) s += x2[2 * D + j] * WU[j * p + c];
        out[c] = s;
    }
    free(x), free(Q), free(K), free(V), free(z), free(x1), free(hid), free(x2);
}

typedef struct tf_setup {
    gk_model m;
    gk_tf1_dims d;
    gk_mod_data D;
    double *theta, *f, *dldf;
} tf_setup;

static void setup(tf_setup *S, int p, size_t D, size_t H, size_t M, double frac, uint64_t seed) {
    gk_error err;
    S->d = (gk_tf1_dims){p, D, H, M};
    GK_ASSERT(gk_mod_data_make(&S->D, p, GK_MOD_ADD, frac, seed, &err) == GK_OK);
    GK_ASSERT(gk_tf1_create(&S->m, &S->d, &err) == GK_OK);
    GK_ASSERT(gk_model_reserve(&S->m, S->D.train.n > S->D.test.n ? S->D.train.n : S->D.test.n, &err) == GK_OK);
    S->theta = malloc(S->m.params.size * sizeof(double));
    gk_model_init(&S->m, 1.0, seed, S->theta);
    /* non-zero biases so that their gradients and the ReLU kinks are exercised */
    gk_rng r;
    gk_rng_seed(&r, seed, 99);
    for (int t = 7; t <= 9; t += 2) {
        double *bb = S->theta + S->m.params.t[t].offset;
        for (size_t k = 0; k < S->m.params.t[t].rows; k++) bb[k] = 0.3 * gk_rng_normal(&r);
    }
    size_t nmax = S->D.train.n > S->D.test.n ? S->D.train.n : S->D.test.n;
    S->f = malloc(nmax * (size_t)p * sizeof(double));
    S->dldf = malloc(nmax * (size_t)p * sizeof(double));
}

static void teardown(tf_setup *S) {
    gk_model_free(&S->m);
    gk_mod_data_free(&S->D);
    free(S->theta), free(S->f), free(S->dldf);
}

static double loss_at(tf_setup *S, const double *theta, double *dldf) {
    gk_error err;
    GK_ASSERT(gk_model_forward(&S->m, theta, &S->D.train, S->D.train.n, S->f, &err) == GK_OK);
    return gk_softmax_xent_loss(S->f, S->D.y_train, S->D.train.n, (size_t)S->d.p, dldf);
}

static void test_tensor_table(void) {
    tf_setup S;
    setup(&S, 113, 128, 4, 512, 0.3, 1);
    const size_t D = 128, p = 113;
    /* Nanda's parameter count with p output logits instead of p + 1 */
    GK_CHECK(S.m.params.size == (p + 1) * D + 3 * D + 4 * D * D + 2 * D * 512 + 512 + D + D * p);
    GK_CHECK(S.m.params.count == 11 && S.m.n_out == 113);
    GK_CHECK(!strcmp(S.m.params.t[0].name, "W_E") && !strcmp(S.m.params.t[10].name, "W_U"));
    /* init scales: N(0,1)/sqrt(d_model), W_U N(0,1)/sqrt(p+1), biases 0 */
    gk_model_init(&S.m, 1.0, 3, S.theta);
    for (int t = 0; t < S.m.params.count; t++) {
        const gk_tensor *T = &S.m.params.t[t];
        size_t len = T->rows * T->cols;
        double sd = gk_norm2(S.theta + T->offset, len) / sqrt((double)len);
        double want = t == 7 || t == 9 ? 0.0 : t == 10 ? 1 / sqrt(114.0) : 1 / sqrt(128.0);
        if (want == 0) GK_CHECK_MSG(sd == 0, "%s sd %g", T->name, sd);
        else if (len > 1000) GK_CHECK_MSG(fabs(sd / want - 1) < 0.05, "%s sd %g want %g", T->name, sd, want);
    }
    teardown(&S);
}

static void test_forward_matches_direct(void) {
    tf_setup S;
    setup(&S, 7, 12, 3, 20, 0.5, 2);
    gk_error err;
    const size_t n = S.D.test.n, p = 7;
    GK_CHECK(gk_model_forward(&S.m, S.theta, &S.D.test, n, S.f, &err) == GK_OK);
    double ref[7], worst = 0;
    for (size_t i = 0; i < n; i++) {
        naive_forward(&S.m, &S.d, S.theta, S.D.test.a[i], S.D.test.b[i], ref);
        for (size_t c = 0; c < p; c++) worst = fmax(worst, fabs(ref[c] - S.f[i * p + c]) / (1 + fabs(ref[c])));
    }
    GK_CHECK_MSG(worst < 1e-12, "structured vs direct forward: %.3g", worst);
    teardown(&S);
}

/* Central differences on every coordinate, reported per tensor: ||fd - g|| / ||g|| < 1e-6; a second backward
 * adds the same gradient. */
static void test_gradcheck_every_tensor(void) {
    tf_setup S;
    setup(&S, 5, 8, 2, 16, 0.6, 4);
    gk_gradcheck_result r;
    gk_gradcheck(&S.m, S.theta, &S.D.train, S.D.train.n, gk_gc_xent, S.D.y_train, &(gk_gradcheck_opts){.h = 1e-5}, &r);
    for (int t = 0; t < S.m.params.count; t++) {
        const double gn = r.tensor_gnorm[t], rel = r.tensor_rel[t];
        GK_CHECK_MSG(gn > 0 && rel < 1e-6, "%s: |g| %.3g rel err %.3g", S.m.params.t[t].name, gn, rel);
        fprintf(stderr, "    %-6s |g| %.3e  rel err %.2e\n", S.m.params.t[t].name, gn, rel);
    }
    GK_CHECK_MSG(r.norm_rel < 1e-6, "whole model rel err %.3g", r.norm_rel);
    GK_CHECK_MSG(r.accum_err < 1e-14, "backward accumulates: %.3g", r.accum_err);
    teardown(&S);
}

/* kann-style: the directional derivative along random directions u, (L(theta + eps u) - L(theta - eps u)) / 2eps,
 * against g . u, on a slightly larger model (and central differences on a sample of 64 coordinates). */
static void test_gradcheck_random_directions(void) {
    tf_setup S;
    setup(&S, 11, 16, 4, 32, 0.5, 6);
    gk_gradcheck_result r;
    gk_gradcheck(&S.m, S.theta, &S.D.train, S.D.train.n, gk_gc_xent, S.D.y_train,
                 &(gk_gradcheck_opts){.h = 1e-5, .dirs = 6, .seed = 17, .coords = 64}, &r);
    GK_CHECK_MSG(r.dir_rel < 1e-6, "random-direction rel err %.3g", r.dir_rel);
    GK_CHECK_MSG(r.norm_rel < 1e-6, "64 coordinates: rel err %.3g", r.norm_rel);
    fprintf(stderr, "    random directions: worst rel err %.2e\n", r.dir_rel);
    teardown(&S);
}

/* The forward and backward give the same bits with 1 and 2 threads (at a size above the parallel threshold,
 * n * d_model >= 2^18, so that every loop is split). */
static void test_threads_identical(void) {
    tf_setup S;
    setup(&S, 61, 128, 4, 256, 0.7, 8);
    const size_t P = S.m.params.size, n = S.D.train.n;
    double *g[2], L[2];
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        g[t] = calloc(P, sizeof(double));
        L[t] = loss_at(&S, S.theta, S.dldf);
        gk_model_backward(&S.m, S.theta, &S.D.train, n, S.dldf, g[t]);
    }
    GK_CHECK(L[0] == L[1] && !memcmp(g[0], g[1], P * sizeof(double)));
    free(g[0]), free(g[1]);
    teardown(&S);
}

static void test_bad_dims(void) {
    gk_error err;
    gk_tf1_dims d = {7, 10, 4, 16};
    GK_CHECK(gk_tf1_check(&d, &err) == GK_EINVAL && strstr(err.msg, "multiple of heads"));
    d.heads = 5;
    GK_CHECK(gk_tf1_check(&d, &err) == GK_OK);
    gk_model m;
    d.heads = 3;
    GK_CHECK(gk_tf1_create(&m, &d, &err) == GK_EINVAL);
}

int main(void) {
    GK_RUN(test_tensor_table);
    GK_RUN(test_forward_matches_direct);
    GK_RUN(test_gradcheck_every_tensor);
    GK_RUN(test_gradcheck_random_directions);
    GK_RUN(test_threads_identical);
    GK_RUN(test_bad_dims);
    return gk_test_summary();
}
