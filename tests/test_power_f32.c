/* test_power_f32.c: Power et al.'s transformer (model/transformer) in float32 (precision=f32) against the same model
 * in float64 (whose gradient test_power checks by finite differences): on the same float-valued theta and batch,
 * for every LayerNorm placement x positions x activation, with dropout, at depths 1 and 3, the float32 logits and
 * every tensor's gradient agree with float64 to float32 tolerance, are float values, and are not the float64
 * ones (the arithmetic is float's); the float32 bits do not depend on the thread count. */
#include "check.h"

#include "model/transformer.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { VOCAB = 13, N_OUT = 11 };

typedef struct pair {
    gk_tf_dims d;
    gk_model m64, m32;
    double *theta, *f64, *f32, *dl, *g64, *g32;
    int *tok, *y;
    size_t n;
} pair;

/* Both models on one theta: the float64 init rounded to float, LN gains and biases moved off 1 and 0. */
static void pair_make(pair *S, gk_tf_ln ln, gk_tf_pos pos, gk_tf_act act, size_t layers, double dropout, size_t n,
                      size_t width) {
    memset(S, 0, sizeof *S);
    S->n = n;
    S->d = (gk_tf_dims){.vocab = VOCAB, .n_ctx = 4, .n_out = N_OUT, .layers = layers, .d_model = width, .heads = 4,
                        .d_ff = 2 * width, .ln = ln, .pos = pos, .act = act, .dropout = dropout};
    gk_tf_dims d32 = S->d;
    d32.f32 = 1;
    gk_error err;
    GK_ASSERT(gk_tf_create(&S->m64, &S->d, &err) == GK_OK && gk_tf_create(&S->m32, &d32, &err) == GK_OK);
    GK_ASSERT(gk_model_reserve(&S->m64, n, &err) == GK_OK && gk_model_reserve(&S->m32, n, &err) == GK_OK);
    const size_t P = S->m64.params.size;
    GK_ASSERT(S->m32.params.size == P);
    S->theta = malloc(P * sizeof(double));
    S->g64 = calloc(P, sizeof(double)), S->g32 = calloc(P, sizeof(double));
    S->f64 = malloc(n * N_OUT * sizeof(double)), S->f32 = malloc(n * N_OUT * sizeof(double));
    S->dl = malloc(n * N_OUT * sizeof(double));
    S->tok = malloc(n * 4 * sizeof(int)), S->y = malloc(n * sizeof(int));
    gk_model_init(&S->m64, 1.0, 7, S->theta);
    gk_rng r;
    gk_rng_seed(&r, 11, 0);
    for (int k = 0; k < S->m64.params.count; k++)
        if (!strncmp(S->m64.params.t[k].name, "ln", 2))
            for (size_t j = 0; j < S->m64.params.t[k].rows * S->m64.params.t[k].cols; j++)
                S->theta[S->m64.params.t[k].offset + j] += 0.3 * gk_rng_normal(&r);
    for (size_t k = 0; k < P; k++) S->theta[k] = (float)S->theta[k];
    for (size_t i = 0; i < n; i++) {
        for (int t = 0; t < 4; t++) S->tok[i * 4 + t] = (int)gk_rng_below(&r, VOCAB);
        S->y[i] = (int)gk_rng_below(&r, N_OUT);
    }
}

static void pair_free(pair *S) {
    gk_model_free(&S->m64), gk_model_free(&S->m32);
    free(S->theta), free(S->f64), free(S->f32), free(S->dl), free(S->g64), free(S->g32);
    free(S->tok), free(S->y);
}

/* Forward and backward of one model (dropout on, mask seed 9), the output gradient that of the float64 loss. */
static void run(pair *S, gk_model *m, double *f, double *g, int set_dl) {
    gk_error err;
    const gk_seq_input in = {S->n, 4, S->tok};
    gk_tf_set_dropout(m, 1, 9);
    GK_ASSERT(gk_model_forward(m, S->theta, &in, S->n, f, &err) == GK_OK);
    if (set_dl) {
        gk_softmax_xent_loss(f, S->y, S->n, N_OUT, S->dl);
        for (size_t k = 0; k < S->n * N_OUT; k++) S->dl[k] = (float)S->dl[k];
    }
    gk_model_backward(m, S->theta, &in, S->n, S->dl, g);
}

/* max |a - b| / max |b| over n entries */
static double rel_diff(const double *a, const double *b, size_t n) {
    double e = 0, s = 0;
    for (size_t i = 0; i < n; i++) e = fmax(e, fabs(a[i] - b[i])), s = fmax(s, fabs(b[i]));
    return s > 0 ? e / s : e;
}

static int all_float(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((double)(float)x[i] != x[i]) return 0;
    return 1;
}

static void check_agreement(gk_tf_ln ln, gk_tf_pos pos, gk_tf_act act, size_t layers, double dropout) {
    pair S;
    pair_make(&S, ln, pos, act, layers, dropout, 50, 16);
    run(&S, &S.m64, S.f64, S.g64, 1);
    run(&S, &S.m32, S.f32, S.g32, 0);
    const size_t NO = S.n * N_OUT;
    const double dout = rel_diff(S.f32, S.f64, NO);
    /* measured: logits within 3e-7, gradients within 1e-6 (float32 rounding 2^-24 = 6e-8 through the layers) */
    GK_CHECK_MSG(dout < 1e-5, "ln %d pos %d act %d L %zu: float32 logits vs float64: %.3g", ln, pos, act, layers, dout);
    GK_CHECK_MSG(dout > 1e-10, "ln %d pos %d act %d L %zu: float32 logits equal float64 (%.3g): not float arithmetic",
                 ln, pos, act, layers, dout);
    GK_CHECK(all_float(S.f32, NO) && all_float(S.g32, S.m32.params.size));
    for (int k = 0; k < S.m64.params.count; k++) {
        const gk_tensor *t = &S.m64.params.t[k];
        const double e = rel_diff(S.g32 + t->offset, S.g64 + t->offset, t->rows * t->cols);
        GK_CHECK_MSG(e < 2e-5, "ln %d pos %d act %d L %zu: gradient of %s, float32 vs float64: %.3g", ln, pos, act,
                     layers, t->name, e);
    }
    pair_free(&S);
}

static void test_agreement_all_options(void) {
    for (int ln = 0; ln < 3; ln++)
        for (int pos = 0; pos < 2; pos++)
            for (int act = 0; act < 2; act++) check_agreement((gk_tf_ln)ln, (gk_tf_pos)pos, (gk_tf_act)act, 2, 0.0);
    check_agreement(GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 2, 0.2);
    check_agreement(GK_TF_LN_PRE, GK_TF_POS_LEARNED, GK_TF_GELU, 1, 0.1);
    check_agreement(GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 3, 0.0);
}

/* A broken float path must show: the float32 gradient of a model whose theta differs in one entry of W_1. */
static void test_agreement_detects_a_difference(void) {
    pair S;
    pair_make(&S, GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 2, 0.0, 50, 16);
    run(&S, &S.m64, S.f64, S.g64, 1);
    for (int k = 0; k < S.m64.params.count; k++)
        if (!strcmp(S.m64.params.t[k].name, "W_1")) S.theta[S.m64.params.t[k].offset + 3] += 0.5;
    run(&S, &S.m32, S.f32, S.g32, 0);
    GK_CHECK(rel_diff(S.f32, S.f64, S.n * N_OUT) > 1e-4);
    pair_free(&S);
}

static void test_threads_f32(void) {
    pair S;
    pair_make(&S, GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 2, 0.1, 600, 64); /* past the parallel thresholds */
    run(&S, &S.m64, S.f64, S.g64, 1);
    double *g2 = calloc(S.m32.params.size, sizeof(double)), *f2 = malloc(S.n * N_OUT * sizeof(double));
    omp_set_num_threads(1);
    run(&S, &S.m32, S.f32, S.g32, 0);
    omp_set_num_threads(2);
    run(&S, &S.m32, f2, g2, 0);
    omp_set_num_threads(1);
    GK_CHECK(!memcmp(f2, S.f32, S.n * N_OUT * sizeof(double)));
    GK_CHECK(!memcmp(g2, S.g32, S.m32.params.size * sizeof(double)));
    free(g2), free(f2);
    pair_free(&S);
}

int main(void) {
    GK_RUN(test_agreement_all_options);
    GK_RUN(test_agreement_detects_a_difference);
    GK_RUN(test_threads_f32);
    return gk_test_summary();
}
