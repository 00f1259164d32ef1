/* test_modular.c: modular-arithmetic data, the two MLPs (gradient checks), the k-class losses, AdamW and the
 * Fourier IPR (issue 4). */
#include "check.h"
#include "gradcheck.h"

#include "data/modular_data.h"
#include "data/zp_fourier.h"
#include "model/mlp2.h"
#include "train/train.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ---- data ---------------------------------------------------------------------------------------- */

static void test_split_sizes(void) {
    gk_mod_data D;
    gk_error err;
    GK_CHECK(gk_mod_data_make(&D, 97, GK_MOD_ADD, 0.4, 2435253235u, &err) == GK_OK);
    GK_CHECK_MSG(D.train.n == 3763 && D.test.n == 5646, "train %zu test %zu", D.train.n, D.test.n);
    /* a permutation: every pair exactly once */
    char *seen = calloc(97 * 97, 1);
    size_t dup = 0;
    for (size_t i = 0; i < D.n_total; i++) dup += seen[D.a[i] * 97 + D.b[i]]++ != 0;
    GK_CHECK(dup == 0 && D.n_total == 9409);
    free(seen);
    /* the split depends on the seed, and only on it */
    gk_mod_data D2, D3;
    GK_CHECK(gk_mod_data_make(&D2, 97, GK_MOD_ADD, 0.4, 2435253235u, &err) == GK_OK);
    GK_CHECK(gk_mod_data_make(&D3, 97, GK_MOD_ADD, 0.4, 7, &err) == GK_OK);
    GK_CHECK(!memcmp(D.a, D2.a, D.n_total * sizeof(int)) && !memcmp(D.b, D2.b, D.n_total * sizeof(int)));
    GK_CHECK(memcmp(D.a, D3.a, D.n_total * sizeof(int)) != 0);
    gk_mod_data_free(&D);
    gk_mod_data_free(&D2);
    gk_mod_data_free(&D3);
    /* division drops b = 0: p (p - 1) pairs */
    GK_CHECK(gk_mod_data_make(&D, 97, GK_MOD_DIV, 0.5, 1, &err) == GK_OK);
    GK_CHECK(D.n_total == 97 * 96 && D.train.n == 4656 && D.test.n == 4656);
    for (size_t i = 0; i < D.n_total; i++) GK_CHECK(D.b[i] != 0);
    gk_mod_data_free(&D);
}

/* Each op's labels against a direct formula (division: b * c = a mod p). */
static void test_labels(void) {
    const int p = 13;
    gk_error err;
    for (int op = 0; op < GK_MOD_NOPS; op++) {
        gk_mod_data D;
        GK_CHECK(gk_mod_data_make(&D, p, (gk_mod_op)op, 0.5, 3, &err) == GK_OK);
        size_t bad = 0;
        for (size_t i = 0; i < D.n_total; i++) {
            long a = D.a[i], b = D.b[i], c = D.y[i], want = -1;
            switch (op) {
            case GK_MOD_ADD: want = (a + b) % p; break;
            case GK_MOD_SUB: want = ((a - b) % p + p) % p; break;
            case GK_MOD_MUL: want = a * b % p; break;
            case GK_MOD_DIV: want = (b * c % p == a) ? c : -2; break;
            case GK_MOD_SQ_ADD: want = (a * a + b * b) % p; break;
            case GK_MOD_SQ_AB: want = (a * a + a * b + b * b) % p; break;
            case GK_MOD_CUBE_AB: want = (a * a * a + a * b) % p; break;
            case GK_MOD_SQ_SUB: want = ((a * a - b * b) % p + p) % p; break;
            }
            bad += c != want || c < 0 || c >= p;
        }
        GK_CHECK_MSG(bad == 0, "op %d: %zu wrong labels", op, bad);
        gk_mod_data_free(&D);
    }
    GK_CHECK(gk_mod_apply(GK_MOD_ADD, 97, 96, 5) == 4);
    GK_CHECK(gk_mod_apply(GK_MOD_DIV, 97, 1, 2) == 49); /* 2 * 49 = 98 = 1 */
    GK_CHECK(gk_mod_apply(GK_MOD_SUB, 7, 0, 6) == 1);
}

static void test_bad_input(void) {
    gk_error err;
    gk_mod_op op;
    GK_CHECK(gk_mod_check(1, GK_MOD_ADD, 0.5, &err) == GK_EINVAL);
    GK_CHECK(gk_mod_check(9, GK_MOD_DIV, 0.5, &err) == GK_EINVAL && strstr(err.msg, "prime"));
    GK_CHECK(gk_mod_check(9, GK_MOD_ADD, 0.5, &err) == GK_OK); /* composite p is fine without division */
    GK_CHECK(gk_mod_check(7, GK_MOD_ADD, 0.0, &err) == GK_EINVAL);
    GK_CHECK(gk_mod_check(7, GK_MOD_ADD, 1.0, &err) == GK_EINVAL);
    GK_CHECK(gk_mod_check(7, GK_MOD_ADD, 1.5, &err) == GK_EINVAL);
    GK_CHECK(gk_mod_check(7, GK_MOD_ADD, 0.01, &err) == GK_EINVAL && strstr(err.msg, "empty train"));
    GK_CHECK(gk_mod_op_parse("pow", &op, &err) == GK_EINVAL && strstr(err.msg, "op=pow"));
    GK_CHECK(gk_mod_op_parse("a2+ab+b2", &op, &err) == GK_OK && op == GK_MOD_SQ_AB);
    GK_CHECK(gk_mod_op_parse("div", &op, &err) == GK_OK && op == GK_MOD_DIV);
    GK_CHECK(gk_is_prime(97) && !gk_is_prime(91) && !gk_is_prime(1) && gk_is_prime(2));
}

/* ---- losses ---------------------------------------------------------------------------------------- */

static void test_losses(void) {
    const double z[6] = {1, 2, 3, 1000, 0, -1000};
    const int y[2] = {2, 1};
    double d[6];
    double L = gk_softmax_xent_loss(z, y, 2, 3, d);
    double l0 = log(exp(1) + exp(2) + exp(3)) - 3, l1 = 1000; /* the second: log-sum-exp = 1000 */
    GK_CHECK_CLOSE(L, (l0 + l1) / 2, 0, 1e-14);
    GK_CHECK_CLOSE(d[2], (exp(3 - 3 - l0) - 1) / 2, 1e-16, 1e-12);
    GK_CHECK_CLOSE(d[3], 0.5, 0, 1e-14);
    GK_CHECK_CLOSE(d[4], -0.5, 0, 1e-14);
    GK_CHECK(isfinite(L));
    double f[6] = {0.5, 0, 0, 0, 1, 2};
    double M = gk_mse_onehot_loss(f, y, 2, 3, d); /* residuals: .5 0 -1 | 0 0 2 */
    GK_CHECK_CLOSE(M, (0.25 + 1 + 4) / 6, 0, 1e-15);
    GK_CHECK_CLOSE(d[2], 2 * -1.0 / 6, 0, 1e-15);
    double acc, mm;
    gk_class_stats(z, y, 2, 3, &acc, &mm);
    GK_CHECK(acc == 0.5 && mm == -1000); /* sample 1: logit 0 vs 1000 */
    const double tie[3] = {1, 1, 0};
    const int yt[1] = {0};
    gk_class_stats(tie, yt, 1, 3, &acc, &mm);
    GK_CHECK(acc == 0 && mm == 0); /* a tie for the top counts as wrong */
}

/* ---- gradient checks -------------------------------------------------------------------------------- */

/* Central differences on every coordinate; returns ||fd - grad|| / ||grad||. */
static double gradcheck(gk_model *m, gk_mod_data *D, int mse, double *theta) {
    gk_gradcheck_result r;
    gk_gradcheck(m, theta, &D->train, D->train.n, mse ? gk_gc_mse_onehot : gk_gc_xent, D->y_train, &(gk_gradcheck_opts){.h = 1e-5}, &r);
    GK_CHECK(r.gmax > 0);
    return r.norm_rel;
}

static void test_gradcheck_relu(void) {
    gk_mod_data D;
    gk_error err;
    GK_CHECK(gk_mod_data_make(&D, 7, GK_MOD_ADD, 0.6, 5, &err) == GK_OK);
    gk_model m;
    const size_t h = 6;
    GK_CHECK(gk_mlp_relu_create(&m, 7, h, 0, &err) == GK_OK);
    GK_CHECK(m.params.size == 14 * h + h + 7 * h && m.n_out == 7);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 2.0, 11, theta);
    double *b1 = theta + m.params.t[1].offset, *W1 = theta + m.params.t[0].offset;
    for (size_t j = 0; j < h; j++) b1[j] = 0.3 * ((double)j - 2.5);
    /* the ReLU kinks are not differentiable: the check needs every pre-activation away from 0 */
    double minz = INFINITY;
    for (size_t i = 0; i < D.train.n; i++)
        for (size_t j = 0; j < h; j++)
            minz = fmin(minz, fabs(W1[D.train.a[i] * h + j] + W1[(7 + D.train.b[i]) * h + j] + b1[j]));
    GK_CHECK_MSG(minz > 1e-3, "min |pre-activation| %.3g", minz);
    double r1 = gradcheck(&m, &D, 0, theta), r2 = gradcheck(&m, &D, 1, theta);
    GK_CHECK_MSG(r1 < 1e-6, "relu + xent relative error %.3g", r1);
    GK_CHECK_MSG(r2 < 1e-6, "relu + mse relative error %.3g", r2);
    /* zero_last sets W2 = 0 and keeps W1 identical; He scales: W1 std sqrt(2/(2p)) alpha */
    double *t2 = malloc(m.params.size * sizeof(double));
    gk_model m0;
    GK_CHECK(gk_mlp_relu_create(&m0, 7, h, 1, &err) == GK_OK);
    gk_model_init(&m0, 2.0, 11, t2);
    gk_model_free(&m0);
    GK_CHECK(!memcmp(t2, theta, 14 * h * sizeof(double))); /* W1 drawn first: the same with or without zero_last */
    GK_CHECK(gk_norm2(t2 + m.params.t[2].offset, 7 * h) == 0);
    gk_model_free(&m);
    free(theta);
    free(t2);
    gk_mod_data_free(&D);
}

static void test_init_scale(void) {
    gk_model m;
    gk_error err;
    GK_CHECK(gk_mlp_relu_create(&m, 31, 512, 0, &err) == GK_OK);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 4.0, 1, theta);
    double s1 = gk_norm2(theta, 62 * 512) / sqrt(62.0 * 512), s2 = gk_norm2(theta + m.params.t[2].offset, 31 * 512) / sqrt(31.0 * 512);
    GK_CHECK_CLOSE(s1, 4.0 * sqrt(2.0 / 62), 0, 0.02);
    GK_CHECK_CLOSE(s2, 4.0 * sqrt(1.0 / 512), 0, 0.02);
    gk_model_free(&m);
    free(theta);
}

static void test_gradcheck_quad(void) {
    gk_mod_data D;
    gk_error err;
    GK_CHECK(gk_mod_data_make(&D, 5, GK_MOD_MUL, 0.7, 2, &err) == GK_OK);
    gk_model m;
    GK_CHECK(gk_mlp_quad_create(&m, 5, 8, 3.0, &err) == GK_OK);
    GK_CHECK(m.params.size == 10 * 8 + 5 * 8);
    double *theta = malloc(m.params.size * sizeof(double));
    gk_model_init(&m, 1.0, 4, theta);
    double r1 = gradcheck(&m, &D, 0, theta), r2 = gradcheck(&m, &D, 1, theta);
    GK_CHECK_MSG(r1 < 1e-6, "quad + xent relative error %.3g", r1);
    GK_CHECK_MSG(r2 < 1e-6, "quad + mse relative error %.3g", r2);
    /* the forward against the formula f = (s/(D N)) W2 (W1 x)^2 on one pair */
    double out[5 * 5];
    gk_pair_input one = {1, 5, (int[]){3}, (int[]){4}};
    GK_CHECK(gk_model_forward(&m, theta, &one, 1, out, &err) == GK_OK);
    const double *W1 = theta, *W2 = theta + m.params.t[1].offset;
    for (int k = 0; k < 5; k++) {
        double f = 0;
        for (int j = 0; j < 8; j++) {
            double z = W1[3 * 8 + j] + W1[(5 + 4) * 8 + j];
            f += W2[k * 8 + j] * z * z;
        }
        GK_CHECK_CLOSE(out[k], 3.0 * f / (10 * 8), 1e-15, 1e-12);
    }
    gk_model_free(&m);
    free(theta);
    gk_mod_data_free(&D);
}

/* The forward and backward give the same bits with 1 and 2 threads. */
static void test_threads_identical(void) {
    gk_mod_data D;
    gk_error err;
    GK_CHECK(gk_mod_data_make(&D, 23, GK_MOD_ADD, 0.5, 1, &err) == GK_OK);
    gk_model m;
    GK_CHECK(gk_mlp_relu_create(&m, 23, 100, 0, &err) == GK_OK && gk_model_reserve(&m, D.train.n, &err) == GK_OK);
    const size_t P = m.params.size, n = D.train.n;
    double *theta = malloc(P * sizeof(double)), *g[2], *f = malloc(n * 23 * sizeof(double)), *d = malloc(n * 23 * sizeof(double));
    gk_model_init(&m, 1.0, 3, theta);
    double L[2];
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        g[t] = calloc(P, sizeof(double));
        GK_CHECK(gk_model_forward(&m, theta, &D.train, n, f, &err) == GK_OK);
        L[t] = gk_softmax_xent_loss(f, D.y_train, n, 23, d);
        gk_model_backward(&m, theta, &D.train, n, d, g[t]);
    }
    GK_CHECK(L[0] == L[1] && !memcmp(g[0], g[1], P * sizeof(double)));
    free(g[0]);
    free(g[1]);
    free(theta);
    free(f);
    free(d);
    gk_model_free(&m);
    gk_mod_data_free(&D);
}

/* ---- AdamW against a hand-computed two-step example ------------------------------------------------ */
/* theta0 = (1, -2), g1 = (0.5, -1), g2 = (0.1, 0.2), lr = 0.1, wd = 0.01, betas (0.9, 0.98), eps 1e-8,
 * warmup 2 (lr_1 = 0.05, lr_2 = 0.1).
 * Step 1: theta *= 1 - 0.05*0.01 = 0.9995 -> (0.9995, -1.999); m = 0.1 g1 = (0.05, -0.1);
 *   v = 0.02 g1^2 = (0.005, 0.02); m^ = m/0.1 = g1; v^ = v/0.02 = g1^2;
 *   theta -= 0.05 * g1/(|g1| + 1e-8): (0.9995 - 0.05*0.5/0.50000001, -1.999 + 0.05*1/1.00000001)
 *   = (0.949500001000..., -1.9490000005).
 * Step 2: theta *= 1 - 0.1*0.01 = 0.999; m = 0.9 m + 0.1 g2 = (0.055, -0.07); v = 0.98 v + 0.02 g2^2
 *   = (0.0051, 0.0204); m^ = m/0.19 = (0.289473684.., -0.368421052..); v^ = v/0.0396 = (0.128787878..,
 *   0.515151515..); theta -= 0.1 m^/(sqrt(v^) + 1e-8) = (0.0806633..., -0.0513310...)
 *   -> (0.86788801897076.., -1.89572032940272..). */
static void test_adamw_two_steps(void) {
    gk_adamw o;
    gk_error err;
    GK_CHECK(gk_adamw_init(&o, 2, 0.1, 0.01, 0.9, 0.98, 1e-8, 2, &err) == GK_OK);
    double theta[2] = {1, -2};
    const double g1[2] = {0.5, -1}, g2[2] = {0.1, 0.2};
    GK_CHECK(gk_adamw_lr_at(&o, 1) == 0.05 && gk_adamw_lr_at(&o, 2) == 0.1 && gk_adamw_lr_at(&o, 100) == 0.1);
    gk_adamw_step(&o, theta, g1);
    GK_CHECK_CLOSE(theta[0], 0.9995 - 0.05 * 0.5 / (0.5 + 1e-8), 0, 1e-15);
    GK_CHECK_CLOSE(theta[1], -1.999 + 0.05 * 1.0 / (1.0 + 1e-8), 0, 1e-15);
    GK_CHECK_CLOSE(theta[0], 0.9495000010000001, 0, 1e-15);
    GK_CHECK_CLOSE(o.m[0], 0.05, 0, 1e-15);
    GK_CHECK_CLOSE(o.v[1], 0.02, 0, 1e-15);
    gk_adamw_step(&o, theta, g2);
    GK_CHECK_CLOSE(o.m[0], 0.055, 0, 1e-14);
    GK_CHECK_CLOSE(o.m[1], -0.07, 0, 1e-14);
    GK_CHECK_CLOSE(o.v[0], 0.0051, 0, 1e-14);
    GK_CHECK_CLOSE(o.v[1], 0.0204, 0, 1e-14);
    GK_CHECK_CLOSE(theta[0], 0.8678880189707664, 0, 1e-14);
    GK_CHECK_CLOSE(theta[1], -1.8957203294027267, 0, 1e-14);
    gk_adamw_free(&o);
    /* wd only: with a zero gradient the decay is theta *= (1 - lr wd) (decoupled, not through m, v) */
    GK_CHECK(gk_adamw_init(&o, 1, 0.5, 0.1, 0.9, 0.98, 1e-8, 0, &err) == GK_OK);
    double t1[1] = {2.0};
    const double z[1] = {0};
    gk_adamw_step(&o, t1, z);
    GK_CHECK(t1[0] == 2.0 * (1 - 0.05));
    gk_adamw_free(&o);
}

/* ---- Fourier IPR ------------------------------------------------------------------------------------ */

static void test_ipr(void) {
    const int p = 31;
    double c[31], s[31], u[31];
    gk_zp_trig(p, c, s);
    for (int j = 0; j < p; j++) u[j] = 0.7 * cos(2 * M_PI * 5 * j / p + 0.4);
    GK_CHECK_CLOSE(gk_zp_ipr(u, 1, p, c, s), 1.0, 0, 1e-12); /* one frequency */
    for (int j = 0; j < p; j++) u[j] = cos(2 * M_PI * 3 * j / p) + sin(2 * M_PI * 7 * j / p);
    GK_CHECK_CLOSE(gk_zp_ipr(u, 1, p, c, s), 0.5, 0, 1e-12); /* two of equal power */
    for (int j = 0; j < p; j++) u[j] = j == 4; /* a delta: flat spectrum, (p+1)/2 bins, DC half weight */
    double flat = gk_zp_ipr(u, 1, p, c, s), want = (1.0 + 15 * 4.0) / (31.0 * 31.0);
    GK_CHECK_CLOSE(flat, want, 0, 1e-12);
    gk_rng r;
    gk_rng_seed(&r, 1, 0);
    double mean = 0;
    for (int t = 0; t < 400; t++) {
        for (int j = 0; j < p; j++) u[j] = gk_rng_normal(&r);
        mean += gk_zp_ipr(u, 1, p, c, s) / 400;
    }
    GK_CHECK_MSG(mean > 0.07 && mean < 0.2, "white-noise IPR %.3f", mean);
    for (int j = 0; j < p; j++) u[j] = 0;
    GK_CHECK(isnan(gk_zp_ipr(u, 1, p, c, s)));
}

/* Nanda's split on a known grid: logits 3 cos(w_k0 (a + b - c)) + cos(w_k1 a) + 0.5 (class c's constant c / p).
 * The key frequency k0 is found from weights with a pure k0 component; the restricted logits keep exactly the
 * first term and the class means, the excluded ones exactly the rest. */
static void test_zp_split(void) {
    enum { PZ = 13, K0 = 4, K1 = 2 };
    double cs[PZ], sn[PZ], W[PZ * 3], norm[PZ / 2 + 1];
    gk_zp_trig(PZ, cs, sn);
    for (int j = 0; j < PZ; j++)
        for (int v = 0; v < 3; v++) W[j * 3 + v] = (v + 1) * cs[(K0 * j + v) % PZ] + 0.1 * cs[(K1 * j) % PZ];
    gk_zp_freq_norms(W, 3, 3, PZ, cs, sn, norm);
    int key[2];
    gk_zp_top_freqs(norm, PZ, 2, key);
    GK_CHECK(key[0] == K0 && key[1] == K1);
    GK_CHECK_CLOSE(norm[K0], 2 * (1 + 4 + 9) * (PZ / 2.0) * (PZ / 2.0), 0, 1e-12);
    const double e3[3] = {1, 1, 1}, one[3] = {0, 0, 1};
    GK_CHECK_CLOSE(gk_gini(e3, 3), 0, 1e-15, 0);
    GK_CHECK_CLOSE(gk_gini(one, 3), 2.0 / 3, 0, 1e-12);
    static double f[PZ * PZ * PZ], r[PZ * PZ * PZ], x[PZ * PZ * PZ], bysum[PZ * PZ], coef[3 * PZ];
    int s[PZ * PZ];
    for (int a = 0; a < PZ; a++)
        for (int b = 0; b < PZ; b++) {
            int i = a * PZ + b;
            s[i] = (a + b) % PZ;
            for (int c = 0; c < PZ; c++)
                f[i * PZ + c] = 3 * cs[(K0 * (a + b + PZ - c)) % PZ] + cs[(K1 * a) % PZ] + 0.5 * c / PZ;
        }
    memset(bysum, 0, sizeof bysum);
    gk_zp_sum_by_s(f, s, PZ * PZ, PZ, bysum);
    gk_zp_split z = {PZ, 1, key, coef};
    gk_zp_split_fit(&z, bysum, cs, sn);
    gk_zp_split_apply(&z, f, s, PZ * PZ, 1, cs, sn, r);
    gk_zp_split_apply(&z, f, s, PZ * PZ, 0, cs, sn, x);
    double worst = 0;
    for (int i = 0; i < PZ * PZ; i++)
        for (int c = 0; c < PZ; c++) {
            double keep = 3 * cs[(K0 * (s[i] + PZ - c)) % PZ] + 0.5 * c / PZ, rest = f[i * PZ + c] - 3 * cs[(K0 * (s[i] + PZ - c)) % PZ];
            worst = fmax(worst, fmax(fabs(r[i * PZ + c] - keep), fabs(x[i * PZ + c] - rest)));
        }
    GK_CHECK_MSG(worst < 1e-12, "restricted/excluded logits off by %g", worst);
}

int main(void) {
    GK_RUN(test_split_sizes);
    GK_RUN(test_labels);
    GK_RUN(test_bad_input);
    GK_RUN(test_losses);
    GK_RUN(test_gradcheck_relu);
    GK_RUN(test_init_scale);
    GK_RUN(test_gradcheck_quad);
    GK_RUN(test_threads_identical);
    GK_RUN(test_adamw_two_steps);
    GK_RUN(test_ipr);
    GK_RUN(test_zp_split);
    return gk_test_summary();
}
