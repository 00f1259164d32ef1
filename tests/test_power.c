/* test_power.c: Power et al.'s decoder transformer (model/transformer) and operation tables (data/power_ops):
 * the forward against a direct implementation over every position, finite-difference gradient checks through
 * the model interface for each LayerNorm placement x positions x activation (and dropout, depths 1-3),
 * thread-count independence, the init, the tables against hand-computed entries, the split and label noise,
 * and the unembedding's principal-component projection (exp/power_weights). */
#include "check.h"
#include "gradcheck.h"

#include "data/power_ops.h"
#include "exp/power_weights.h"
#include "model/transformer.h"
#include "train/train.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static const double *tw(const gk_model *m, const double *theta, const char *name) {
    for (int k = 0; k < m->params.count; k++)
        if (!strcmp(m->params.t[k].name, name)) return theta + m->params.t[k].offset;
    return NULL;
}

/* y = LN(x) (g, b) in place over one row of D. */
static void naive_ln(double *x, size_t D, const double *g, const double *b) {
    double mu = 0, var = 0;
    for (size_t j = 0; j < D; j++) mu += x[j];
    mu /= (double)D;
    for (size_t j = 0; j < D; j++) var += (x[j] - mu) * (x[j] - mu);
    const double r = 1 / sqrt(var / (double)D + 1e-5);
    for (size_t j = 0; j < D; j++) x[j] = g[j] * (x[j] - mu) * r + b[j];
}

/* out = x W (x 1 x k, W k x m), for every one of T rows. */
static void naive_mm(const double *x, size_t T, size_t k, const double *W, size_t m, double *out) {
    for (size_t t = 0; t < T; t++)
        for (size_t o = 0; o < m; o++) {
            double s = 0;
            for (size_t j = 0; j < k; j++) s += x[t * k + j] * W[j * m + o];
            out[t * m + o] = s;
        }
}

/* causal multi-head attention of u (T x D), z = concat heads (T x D), before W_O */
static void naive_attn(const gk_tf_dims *d, const double *Q, const double *K, const double *V, double *z) {
    const size_t D = d->d_model, T = d->n_ctx, dh = D / d->heads;
    for (size_t t = 0; t < T; t++)
        for (size_t h = 0; h < d->heads; h++) {
            double w[64], mx = -INFINITY, sum = 0;
            for (size_t u = 0; u <= t; u++) {
                double s = 0;
                for (size_t j = h * dh; j < (h + 1) * dh; j++) s += Q[t * D + j] * K[u * D + j];
                w[u] = s / sqrt((double)dh), mx = fmax(mx, w[u]);
            }
            for (size_t u = 0; u <= t; u++) w[u] = exp(w[u] - mx), sum += w[u];
            for (size_t j = h * dh; j < (h + 1) * dh; j++) {
                z[t * D + j] = 0;
                for (size_t u = 0; u <= t; u++) z[t * D + j] += w[u] / sum * V[u * D + j];
            }
        }
}

/* The whole transformer at every position of one sequence, no dropout; logits of the last position. */
static void naive_forward(const gk_model *m, const gk_tf_dims *d, const double *th, const int *tok, double *out) {
    const size_t D = d->d_model, T = d->n_ctx, F = d->d_ff;
    double x[16 * 64], u[16 * 64], Q[16 * 64], K[16 * 64], V[16 * 64], z[16 * 64], a[16 * 64], hid[16 * 256], f[16 * 64];
    const double *WE = tw(m, th, "W_E"), *Wp = tw(m, th, "W_pos");
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < D; j++) {
            const double ang = (double)t / pow(10000.0, (double)(j - j % 2) / (double)D);
            x[t * D + j] = WE[tok[t] * D + j] + (Wp ? Wp[t * D + j] : j % 2 ? cos(ang) : sin(ang));
        }
    for (size_t l = 0; l < d->layers; l++) {
        const double *g1 = tw(m, th, "ln1_g"), *b1 = tw(m, th, "ln1_b"), *g2 = tw(m, th, "ln2_g"), *b2 = tw(m, th, "ln2_b");
        memcpy(u, x, T * D * sizeof(double));
        for (size_t t = 0; t < T && d->ln == GK_TF_LN_PRE; t++) naive_ln(u + t * D, D, g1 + l * D, b1 + l * D);
        naive_mm(u, T, D, tw(m, th, "W_Q") + l * D * D, D, Q);
        naive_mm(u, T, D, tw(m, th, "W_K") + l * D * D, D, K);
        naive_mm(u, T, D, tw(m, th, "W_V") + l * D * D, D, V);
        naive_attn(d, Q, K, V, z);
        naive_mm(z, T, D, tw(m, th, "W_O") + l * D * D, D, a);
        for (size_t k = 0; k < T * D; k++) x[k] += a[k];
        for (size_t t = 0; t < T && d->ln == GK_TF_LN_POST; t++) naive_ln(x + t * D, D, g1 + l * D, b1 + l * D);
        memcpy(u, x, T * D * sizeof(double));
        for (size_t t = 0; t < T && d->ln == GK_TF_LN_PRE; t++) naive_ln(u + t * D, D, g2 + l * D, b2 + l * D);
        naive_mm(u, T, D, tw(m, th, "W_1") + l * D * F, F, hid);
        for (size_t k = 0; k < T * F; k++)
            hid[k] = d->act == GK_TF_RELU ? fmax(hid[k], 0) : 0.5 * hid[k] * (1 + erf(hid[k] / sqrt(2.0)));
        naive_mm(hid, T, F, tw(m, th, "W_2") + l * F * D, D, f);
        for (size_t k = 0; k < T * D; k++) x[k] += f[k];
        for (size_t t = 0; t < T && d->ln == GK_TF_LN_POST; t++) naive_ln(x + t * D, D, g2 + l * D, b2 + l * D);
    }
    double *y = x + (T - 1) * D;
    if (d->ln == GK_TF_LN_PRE) naive_ln(y, D, tw(m, th, "lnf_g"), tw(m, th, "lnf_b"));
    naive_mm(y, 1, D, tw(m, th, "W_U"), d->n_out, out);
}

typedef struct setup {
    gk_tf_dims d;
    gk_model m;
    double *theta;
    int *tok, *y;
    gk_seq_input in;
} setup;

static setup make(gk_tf_ln ln, gk_tf_pos pos, gk_tf_act act, size_t layers, double dropout, size_t n) {
    setup S = {.d = {.vocab = 9, .n_ctx = 4, .n_out = 7, .layers = layers, .d_model = 8, .heads = 2, .d_ff = 12,
                     .ln = ln, .pos = pos, .act = act, .dropout = dropout}};
    gk_error err;
    GK_ASSERT(gk_tf_create(&S.m, &S.d, &err) == GK_OK);
    S.theta = malloc(S.m.params.size * sizeof(double));
    gk_model_init(&S.m, 1.0, 5, S.theta);
    /* LN gains and biases away from 1 and 0, so their gradients are tested in general position */
    gk_rng r;
    gk_rng_seed(&r, 3, 0);
    for (int k = 0; k < S.m.params.count; k++)
        if (!strncmp(S.m.params.t[k].name, "ln", 2))
            for (size_t j = 0; j < S.m.params.t[k].rows * S.m.params.t[k].cols; j++)
                S.theta[S.m.params.t[k].offset + j] += 0.3 * gk_rng_normal(&r);
    S.tok = malloc(n * 4 * sizeof(int));
    S.y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        for (int t = 0; t < 4; t++) S.tok[i * 4 + t] = (int)gk_rng_below(&r, 9);
        S.y[i] = (int)gk_rng_below(&r, 7);
    }
    S.in = (gk_seq_input){n, 4, S.tok};
    GK_ASSERT(gk_model_reserve(&S.m, n, &err) == GK_OK);
    return S;
}
static void drop(setup *S) {
    gk_model_free(&S->m);
    free(S->theta), free(S->tok), free(S->y);
}

static const char *const ln_name[] = {"post", "pre", "none"}, *const pos_name[] = {"sin", "learned"},
                         *const act_name[] = {"relu", "gelu"};

static void test_forward_matches_direct(void) {
    for (int ln = 0; ln < 3; ln++)
        for (int pos = 0; pos < 2; pos++)
            for (size_t L = 1; L <= 3; L += 2) {
                setup S = make(ln, pos, GK_TF_GELU, L, 0, 6);
                double f[6 * 7], ref[7], worst = 0;
                gk_error err;
                GK_CHECK(gk_model_forward(&S.m, S.theta, &S.in, 6, f, &err) == GK_OK);
                for (size_t i = 0; i < 6; i++) {
                    naive_forward(&S.m, &S.d, S.theta, S.tok + i * 4, ref);
                    for (int k = 0; k < 7; k++) worst = fmax(worst, fabs(f[i * 7 + k] - ref[k]) / fmax(1, fabs(ref[k])));
                }
                GK_CHECK_MSG(worst < 1e-12, "ln=%s pos=%s layers=%zu: direct vs model %.3g", ln_name[ln], pos_name[pos], L, worst);
                drop(&S);
            }
}

/* Every tensor's gradient against central differences, for one option combination. */
static void gradcheck_one(gk_tf_ln ln, gk_tf_pos pos, gk_tf_act act, size_t layers, double dropout) {
    setup S = make(ln, pos, act, layers, dropout, 5);
    if (dropout > 0) gk_tf_set_dropout(&S.m, 1, 99);
    gk_gradcheck_result r;
    gk_gradcheck(&S.m, S.theta, &S.in, 5, gk_gc_xent, S.y, &(gk_gradcheck_opts){.h = 1e-5, .dirs = 3, .seed = 4}, &r);
    for (int t = 0; t < S.m.params.count; t++) {
        const double gn = r.tensor_gnorm[t], rel = r.tensor_rel[t];
        GK_CHECK_MSG(gn > 0 && rel < 1e-6, "ln=%s pos=%s act=%s L=%zu drop=%g %s: |g| %.3g rel %.3g", ln_name[ln],
                     pos_name[pos], act_name[act], layers, dropout, S.m.params.t[t].name, gn, rel);
    }
    GK_CHECK_MSG(r.dir_rel < 1e-6 && r.norm_rel < 1e-6, "ln=%s pos=%s act=%s: dir %.3g norm %.3g", ln_name[ln],
                 pos_name[pos], act_name[act], r.dir_rel, r.norm_rel);
    GK_CHECK_MSG(r.accum_err < 1e-13, "backward accumulates: %.3g", r.accum_err);
    drop(&S);
}

static void test_gradcheck_all_options(void) {
    for (int ln = 0; ln < 3; ln++)
        for (int pos = 0; pos < 2; pos++)
            for (int act = 0; act < 2; act++) gradcheck_one(ln, pos, act, 2, 0);
    gradcheck_one(GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 1, 0);
    gradcheck_one(GK_TF_LN_PRE, GK_TF_POS_LEARNED, GK_TF_GELU, 3, 0);
    gradcheck_one(GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 2, 0.3);
    gradcheck_one(GK_TF_LN_PRE, GK_TF_POS_SIN, GK_TF_GELU, 2, 0.3);
}

/* Dropout: a seed fixes the mask (same outputs), another seed changes it, off gives the plain forward. */
static void test_dropout(void) {
    setup S = make(GK_TF_LN_POST, GK_TF_POS_SIN, GK_TF_RELU, 2, 0.5, 8);
    double f0[56], f1[56], f2[56], f3[56];
    gk_error err;
    GK_CHECK(gk_model_forward(&S.m, S.theta, &S.in, 8, f0, &err) == GK_OK);
    gk_tf_set_dropout(&S.m, 1, 7);
    gk_model_forward(&S.m, S.theta, &S.in, 8, f1, &err);
    gk_model_forward(&S.m, S.theta, &S.in, 8, f2, &err);
    gk_tf_set_dropout(&S.m, 1, 8);
    gk_model_forward(&S.m, S.theta, &S.in, 8, f3, &err);
    GK_CHECK(!memcmp(f1, f2, sizeof f1) && memcmp(f0, f1, sizeof f0) && memcmp(f1, f3, sizeof f1));
    gk_tf_set_dropout(&S.m, 0, 7);
    gk_model_forward(&S.m, S.theta, &S.in, 8, f2, &err);
    GK_CHECK(!memcmp(f0, f2, sizeof f0));
    drop(&S);
}

/* The same loss and gradient bits with 1 and 2 threads, at a size where the parallel loops engage. */
static void test_threads(void) {
    gk_tf_dims d = {.vocab = 40, .n_ctx = 4, .n_out = 37, .layers = 2, .d_model = 64, .heads = 4, .d_ff = 256,
                    .ln = GK_TF_LN_POST, .pos = GK_TF_POS_SIN, .act = GK_TF_RELU, .dropout = 0.1};
    gk_model m;
    gk_error err;
    GK_ASSERT(gk_tf_create(&m, &d, &err) == GK_OK);
    const size_t n = 600, P = m.params.size;
    double *theta = malloc(P * sizeof(double)), *f = malloc(n * 37 * sizeof(double)), *dl = malloc(n * 37 * sizeof(double));
    double *g[2] = {calloc(P, sizeof(double)), calloc(P, sizeof(double))}, L[2];
    int *tok = malloc(n * 4 * sizeof(int)), *y = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++) {
        for (int t = 0; t < 4; t++) tok[i * 4 + t] = (int)((i * 7 + (size_t)t * 13) % 40);
        y[i] = (int)(i % 37);
    }
    gk_seq_input in = {n, 4, tok};
    gk_model_init(&m, 1.0, 1, theta);
    GK_ASSERT(gk_model_reserve(&m, n, &err) == GK_OK);
    gk_tf_set_dropout(&m, 1, 5);
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        gk_model_forward(&m, theta, &in, n, f, &err);
        L[t] = gk_softmax_xent_loss(f, y, n, 37, dl);
        gk_model_backward(&m, theta, &in, n, dl, g[t]);
    }
    omp_set_num_threads(1);
    GK_CHECK(L[0] == L[1] && !memcmp(g[0], g[1], P * sizeof(double)));
    gk_model_free(&m);
    free(theta), free(f), free(dl), free(g[0]), free(g[1]), free(tok), free(y);
}

/* The paper's size: about 4e5 non-embedding parameters; init scales; bad dims named. */
static void test_sizes_and_init(void) {
    gk_tf_dims d = {.vocab = 99, .n_ctx = 4, .n_out = 97, .layers = 2, .d_model = 128, .heads = 4, .d_ff = 512,
                    .ln = GK_TF_LN_POST, .pos = GK_TF_POS_SIN, .act = GK_TF_RELU};
    gk_model m;
    gk_error err;
    GK_ASSERT(gk_tf_create(&m, &d, &err) == GK_OK);
    const size_t nonemb = 2 * (4 * 128 * 128 + 2 * 128 * 512 + 4 * 128);
    GK_CHECK(m.params.size == 99 * 128 + nonemb + 128 * 97 && nonemb > 390000 && nonemb < 400000);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 1.0, 3, theta);
    for (int k = 0; k < m.params.count; k++) {
        const gk_tensor *T = &m.params.t[k];
        const size_t len = T->rows * T->cols;
        double ss = 0;
        for (size_t j = 0; j < len; j++) ss += theta[T->offset + j] * theta[T->offset + j];
        const double sd = sqrt(ss / (double)len), want = !strcmp(T->name, "W_E") ? 1.0
                                                        : !strcmp(T->name, "W_2")  ? 1 / sqrt(3 * 512.0)
                                                        : !strncmp(T->name, "ln", 2) ? (T->name[4] == 'g' ? 1 : 0)
                                                                                     : 1 / sqrt(3 * 128.0);
        GK_CHECK_MSG(fabs(sd - want) <= 0.05 * want, "%s sd %g want %g", T->name, sd, want);
    }
    free(theta);
    gk_model_free(&m);
    d.d_model = 30;
    GK_CHECK(gk_tf_create(&m, &d, &err) == GK_EINVAL && strstr(err.msg, "heads=4"));
    d.d_model = 128, d.dropout = 1;
    GK_CHECK(gk_tf_create(&m, &d, &err) == GK_EINVAL && strstr(err.msg, "dropout"));
}

/* ---- the operation tables ---- */

/* Entries computed by hand at p = 97 (3^-1 = 65, 2^-1 = 49). */
static void test_zp_entries(void) {
    GK_CHECK(gk_power_zp(GK_POW_ADD, 97, 50, 60) == 13);
    GK_CHECK(gk_power_zp(GK_POW_SUB, 97, 3, 10) == 90);
    GK_CHECK(gk_power_zp(GK_POW_DIV, 97, 1, 2) == 49);
    GK_CHECK(gk_power_zp(GK_POW_DIV, 97, 5, 3) == 34); /* 34 * 3 = 102 = 5 */
    GK_CHECK(gk_power_zp(GK_POW_DIV_ODD, 97, 5, 3) == 34 && gk_power_zp(GK_POW_DIV_ODD, 97, 5, 4) == 1);
    GK_CHECK(gk_power_zp(GK_POW_DIV_ODD, 97, 5, 0) == 5);
    GK_CHECK(gk_power_zp(GK_POW_SQ_SUM, 97, 10, 20) == 15);     /* 500 = 5 * 97 + 15 */
    GK_CHECK(gk_power_zp(GK_POW_QUAD, 97, 10, 20) == 21);       /* 700 = 7 * 97 + 21 */
    GK_CHECK(gk_power_zp(GK_POW_QUAD_X, 97, 10, 20) == 31);
    GK_CHECK(gk_power_zp(GK_POW_CUBE_XY, 97, 10, 20) == 36);    /* 1200 = 12 * 97 + 36 */
    GK_CHECK(gk_power_zp(GK_POW_CUBE_XY2_Y, 97, 10, 20) == 73); /* 5020 = 51 * 97 + 73 */
    GK_CHECK(gk_power_zp(GK_POW_CUBE_XY2_Y, 97, 96, 96) == (int)(((96L * 96 * 96) + 96L * 96 * 96 + 96) % 97));
    gk_power_op op;
    gk_error err;
    GK_CHECK(gk_power_op_parse("cube_xy2_y", &op, &err) == GK_OK && op == GK_POW_CUBE_XY2_Y);
    GK_CHECK(gk_power_op_parse("mul", &op, &err) == GK_EINVAL && strstr(err.msg, "op=mul") && strstr(err.msg, "perm_xy"));
}

/* S_3 in lexicographic order: 0 = 012, 1 = 021, 2 = 102, 3 = 120, 4 = 201, 5 = 210. With x = 120 and y = 021:
 * x.y = y[x[i]] = 210 (5), x.y.x^-1 = x^-1[210] = 102 (2) with x^-1 = 201, x.y.x = x[210] = 021 (1). */
static void test_perm_entries(void) {
    gk_power_data D;
    gk_error err;
    GK_ASSERT(gk_power_data_make(&D, GK_POW_PERM_XY, 3, 0.5, 1, 0, 1, &err) == GK_OK);
    GK_CHECK(D.N == 6 && D.n_total == 36 && D.n_train == 18);
    GK_CHECK(gk_power_perm(&D, GK_POW_PERM_XY, 3, 1) == 5);
    GK_CHECK(gk_power_perm(&D, GK_POW_PERM_CONJ, 3, 1) == 2);
    GK_CHECK(gk_power_perm(&D, GK_POW_PERM_XYX, 3, 1) == 1);
    GK_CHECK(gk_power_perm(&D, GK_POW_PERM_XY, 0, 4) == 4 && gk_power_perm(&D, GK_POW_PERM_XY, 3, 4) == 0); /* 201 = 120^-1 */
    gk_power_data_free(&D);
    GK_ASSERT(gk_power_data_make(&D, GK_POW_PERM_XY, 5, 0.3, 1, 0, 1, &err) == GK_OK);
    GK_CHECK(D.N == 120 && D.n_total == 14400 && D.n_train == 4320);
    int seen[120] = {0}; /* a group table: every row a permutation of the elements */
    for (int y = 0; y < 120; y++) seen[gk_power_perm(&D, GK_POW_PERM_XY, 17, y)]++;
    int ok = 1;
    for (int k = 0; k < 120; k++) ok &= seen[k] == 1;
    GK_CHECK(ok);
    gk_power_data_free(&D);
}

/* Sizes, tokens, the split (every equation once, seeded), label noise (exact count, always wrong, seeded). */
static void test_split_and_noise(void) {
    gk_power_data A, B;
    gk_error err;
    GK_ASSERT(gk_power_data_make(&A, GK_POW_DIV, 97, 0.5, 3, 0.1, 4, &err) == GK_OK);
    GK_CHECK(A.n_total == 9312 && A.n_train == 4656 && A.n_val == 4656 && A.N == 97);
    GK_CHECK(A.n_noisy == 466);
    static unsigned char hit[97 * 97];
    memset(hit, 0, sizeof hit);
    size_t wrong = 0, flagged = 0, bad = 0;
    for (size_t i = 0; i < A.n_total; i++) {
        const int *t = A.tok + 4 * i;
        bad += t[1] != 97 || t[3] != 98 || t[2] == 0 || gk_power_zp(GK_POW_DIV, 97, t[0], t[2]) != A.y_clean[i];
        hit[t[0] * 97 + t[2]]++;
        wrong += A.y[i] != A.y_clean[i];
        flagged += i < A.n_train && A.noisy[i];
    }
    GK_CHECK(bad == 0 && wrong == 466 && flagged == 466);
    size_t once = 0;
    for (int k = 0; k < 97 * 97; k++) once += hit[k] == 1;
    GK_CHECK(once == 9312);
    GK_ASSERT(gk_power_data_make(&B, GK_POW_DIV, 97, 0.5, 3, 0.1, 5, &err) == GK_OK);
    GK_CHECK(!memcmp(A.tok, B.tok, 4 * A.n_total * sizeof(int)) && memcmp(A.y, B.y, A.n_total * sizeof(int)));
    gk_power_data_free(&B);
    GK_ASSERT(gk_power_data_make(&B, GK_POW_DIV, 97, 0.5, 4, 0.1, 4, &err) == GK_OK);
    GK_CHECK(memcmp(A.tok, B.tok, 4 * A.n_total * sizeof(int)));
    gk_power_data_free(&A), gk_power_data_free(&B);
    GK_CHECK(gk_power_check(GK_POW_DIV, 91, 0.5, 0, &err) == GK_EINVAL && strstr(err.msg, "p=91"));
    GK_CHECK(gk_power_check(GK_POW_PERM_XY, 7, 0.5, 0, &err) == GK_EINVAL && strstr(err.msg, "sn=7"));
    GK_CHECK(gk_power_check(GK_POW_ADD, 97, 1e-6, 0, &err) == GK_EINVAL && strstr(err.msg, "frac="));
    GK_CHECK(gk_power_check(GK_POW_ADD, 97, 0.5, 1.5, &err) == GK_EINVAL && strstr(err.msg, "label_noise=1.5"));
}

/* N points on a circle of radius 3 in a random plane of R^D plus an offset and a little noise in the other
 * directions: the projection recovers the circle (radius CV ~ 0, distances kept, 2 PCs hold ~ all variance);
 * Gaussian columns give a radius CV near the 2-D Gaussian's 0.52. */
static void test_pca2(void) {
    enum { D = 12, N = 40 };
    gk_rng r;
    gk_rng_seed(&r, 5, 0);
    double u[D], v[D], W[D * N], xy[2 * N], var2[2];
    for (int d = 0; d < D; d++) u[d] = gk_rng_normal(&r), v[d] = gk_rng_normal(&r);
    double uu = 0, uv = 0, vv = 0; /* Gram-Schmidt: u, v orthonormal */
    for (int d = 0; d < D; d++) uu += u[d] * u[d];
    for (int d = 0; d < D; d++) u[d] /= sqrt(uu), uv += u[d] * v[d];
    for (int d = 0; d < D; d++) v[d] -= uv * u[d], vv += v[d] * v[d];
    for (int d = 0; d < D; d++) v[d] /= sqrt(vv);
    for (int j = 0; j < N; j++)
        for (int d = 0; d < D; d++)
            W[d * N + j] = 3 * cos(2 * M_PI * j / N) * u[d] + 3 * sin(2 * M_PI * j / N) * v[d] + 0.7 * d +
                           1e-4 * gk_rng_normal(&r);
    gk_error err;
    GK_CHECK(gk_pca2_columns(W, D, N, xy, var2, &err) == GK_OK);
    GK_CHECK(gk_radius_cv(xy, N) < 1e-3);
    GK_CHECK(var2[0] + var2[1] > 0.999999);
    GK_CHECK_CLOSE(hypot(xy[0] - xy[2], xy[1] - xy[3]), 6 * sin(M_PI / N), 1e-3, 0); /* neighbours' chord */
    for (int i = 0; i < D * N; i++) W[i] = gk_rng_normal(&r);
    GK_CHECK(gk_pca2_columns(W, D, N, xy, NULL, &err) == GK_OK);
    const double cv = gk_radius_cv(xy, N);
    GK_CHECK(cv > 0.3 && cv < 0.8);
    double sx = 0, sy = 0;
    for (int j = 0; j < N; j++) sx += xy[2 * j], sy += xy[2 * j + 1];
    GK_CHECK(fabs(sx) < 1e-9 && fabs(sy) < 1e-9); /* centred */
    GK_CHECK(isnan(gk_radius_cv(xy, 0)));
}

int main(void) {
    omp_set_num_threads(1);
    GK_RUN(test_forward_matches_direct);
    GK_RUN(test_gradcheck_all_options);
    GK_RUN(test_dropout);
    GK_RUN(test_threads);
    GK_RUN(test_sizes_and_init);
    GK_RUN(test_zp_entries);
    GK_RUN(test_perm_entries);
    GK_RUN(test_split_and_noise);
    GK_RUN(test_pca2);
    return gk_test_summary();
}
