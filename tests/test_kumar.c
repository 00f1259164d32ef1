/* test_kumar.c: the Kumar et al. committee machine (both paths), its NTK, the eq. 6 decomposition, the data
 * and the eigenvector labels. */
#include "check.h"
#include "exp_row.h"

#include "data/kumar_data.h"
#include "exp/exp.h"
#include "model/kumar.h"
#include "theory/theory.h"
#include "train/train.h"

#include <stdlib.h>
#include <string.h>

enum { TD = 5, TN = 7, TP = 9 };

static void random_inputs(double *X, size_t n, size_t D, uint64_t seed) {
    gk_rng r;
    gk_rng_seed(&r, seed, 7);
    for (size_t k = 0; k < n * D; k++) X[k] = gk_rng_normal(&r) / sqrt((double)D);
}

static void make_model(gk_model *m, int hk, int readouts, gk_kumar_path path, double *theta, uint64_t seed) {
    gk_error err;
    gk_kumar_spec s = {TD, TN, 1.7, 0.3, hk, readouts, path};
    GK_ASSERT(gk_kumar_create(m, &s, &err) == GK_OK);
    gk_kumar_init(m, seed, theta);
    gk_rng r;
    gk_rng_seed(&r, seed, 99);
    if (readouts) /* move the readouts away from 1 so that their gradient is exercised */
        for (size_t i = 0; i < TN; i++) theta[TN * TD + i] += 0.5 * gk_rng_normal(&r);
}

static double loss_at(gk_model *m, const double *theta, const gk_kumar_input *in, const double *y, double *f) {
    gk_error err;
    GK_ASSERT(gk_model_forward(m, theta, in, in->n, f, &err) == GK_OK);
    return gk_mse_loss(f, y, in->n, NULL);
}

/* Central differences on every parameter of the MSE loss: relative error below 1e-6. */
static double gradcheck(int hk, int readouts, gk_kumar_path path) {
    gk_model m;
    double theta[TN * TD + TN], grad[TN * TD + TN] = {0}, X[TP * TD], y[TP], f[TP], dldf[TP];
    make_model(&m, hk, readouts, path, theta, 3);
    random_inputs(X, TP, TD, 4);
    for (int p = 0; p < TP; p++) y[p] = 0.3 * p - 1.0;
    gk_kumar_input in = {TP, TD, X};
    loss_at(&m, theta, &in, y, f);
    gk_mse_loss(f, y, TP, dldf);
    gk_model_backward(&m, theta, &in, TP, dldf, grad);
    double worst = 0;
    for (size_t k = 0; k < m.params.size; k++) {
        double h = 1e-5, save = theta[k];
        theta[k] = save + h;
        double lp = loss_at(&m, theta, &in, y, f);
        theta[k] = save - h;
        double lm = loss_at(&m, theta, &in, y, f);
        theta[k] = save;
        double fd = (lp - lm) / (2 * h);
        worst = fmax(worst, fabs(fd - grad[k]) / fmax(fabs(fd) + fabs(grad[k]), 1e-8));
    }
    gk_model_free(&m);
    return worst;
}

static void test_gradcheck(void) {
    double w;
    w = gradcheck(0, 0, GK_KUMAR_PATH_STATS);
    GK_CHECK_MSG(w < 1e-6, "stats path: worst relative error %.3g", w);
    w = gradcheck(0, 0, GK_KUMAR_PATH_DIRECT);
    GK_CHECK_MSG(w < 1e-6, "direct path: worst relative error %.3g", w);
    w = gradcheck(0, 1, GK_KUMAR_PATH_DIRECT);
    GK_CHECK_MSG(w < 1e-6, "trained readouts: worst relative error %.3g", w);
    for (int k = 2; k <= 4; k++) {
        w = gradcheck(k, 0, GK_KUMAR_PATH_DIRECT);
        GK_CHECK_MSG(w < 1e-6, "Hermite He_%d: worst relative error %.3g", k, w);
    }
    w = gradcheck(3, 1, GK_KUMAR_PATH_DIRECT);
    GK_CHECK_MSG(w < 1e-6, "Hermite He_3 with readouts: worst relative error %.3g", w);
}

/* The statistics path (eq. 5) and the direct path give the same outputs, gradients and NTK; the closed-form
 * NTK equals the generic per-sample-gradient NTK of theory/ntk.c. */
static void test_paths_agree(void) {
    gk_model ms, md;
    gk_error err;
    double th[TN * TD], X[TP * TD], Xb[4 * TD], fs[TP], fd[TP], gs[TN * TD] = {0}, gd[TN * TD] = {0}, g[TP];
    make_model(&ms, 0, 0, GK_KUMAR_PATH_STATS, th, 11);
    make_model(&md, 0, 0, GK_KUMAR_PATH_DIRECT, th, 11);
    GK_CHECK(gk_kumar_path_of(&ms) == GK_KUMAR_PATH_STATS && gk_kumar_path_of(&md) == GK_KUMAR_PATH_DIRECT);
    for (size_t k = 0; k < TN * TD; k++) th[k] += 0.1 * sin((double)k); /* off the init */
    random_inputs(X, TP, TD, 12);
    random_inputs(Xb, 4, TD, 13);
    gk_kumar_input in = {TP, TD, X}, inb = {4, TD, Xb};
    GK_CHECK(gk_model_forward(&ms, th, &in, TP, fs, &err) == GK_OK);
    GK_CHECK(gk_model_forward(&md, th, &in, TP, fd, &err) == GK_OK);
    double worst = 0;
    for (int p = 0; p < TP; p++) worst = fmax(worst, fabs(fs[p] - fd[p]) / fmax(fabs(fd[p]), 1e-12));
    GK_CHECK_MSG(worst < 1e-12, "forward: worst relative difference %.3g", worst);
    for (int p = 0; p < TP; p++) g[p] = cos(p);
    gk_model_backward(&ms, th, &in, TP, g, gs);
    gk_model_backward(&md, th, &in, TP, g, gd);
    worst = 0;
    for (size_t k = 0; k < TN * TD; k++) worst = fmax(worst, fabs(gs[k] - gd[k]) / fmax(fabs(gd[k]), 1e-12));
    GK_CHECK_MSG(worst < 1e-10, "backward: worst relative difference %.3g", worst);

    double Ks[TP * 4], Kd[TP * 4], Kg[TP * 4];
    GK_CHECK(gk_kumar_ntk(&ms, th, &in, &inb, Ks, &err) == GK_OK);
    GK_CHECK(gk_kumar_ntk(&md, th, &in, &inb, Kd, &err) == GK_OK);
    GK_CHECK(gk_ntk_gram(&md, th, &in, TP, &inb, 4, Kg, &err) == GK_OK);
    double w1 = 0, w2 = 0;
    for (int k = 0; k < TP * 4; k++) {
        w1 = fmax(w1, fabs(Ks[k] - Kg[k]) / fmax(fabs(Kg[k]), 1e-12));
        w2 = fmax(w2, fabs(Kd[k] - Kg[k]) / fmax(fabs(Kg[k]), 1e-12));
    }
    GK_CHECK_MSG(w1 < 1e-10, "closed-form NTK vs per-sample gradients: %.3g", w1);
    GK_CHECK_MSG(w2 < 1e-10, "direct NTK vs per-sample gradients: %.3g", w2);
    gk_model_free(&ms);
    gk_model_free(&md);

    /* readouts and a Hermite activation: the direct NTK against per-sample gradients */
    gk_model mr;
    double thr[TN * TD + TN];
    make_model(&mr, 4, 1, GK_KUMAR_PATH_AUTO, thr, 21);
    GK_CHECK(gk_kumar_path_of(&mr) == GK_KUMAR_PATH_DIRECT);
    GK_CHECK(gk_kumar_ntk(&mr, thr, &in, &inb, Kd, &err) == GK_OK);
    GK_CHECK(gk_ntk_gram(&mr, thr, &in, TP, &inb, 4, Kg, &err) == GK_OK);
    w2 = 0;
    for (int k = 0; k < TP * 4; k++) w2 = fmax(w2, fabs(Kd[k] - Kg[k]) / fmax(fabs(Kg[k]), 1e-12));
    GK_CHECK_MSG(w2 < 1e-10, "readouts + He_4 NTK vs per-sample gradients: %.3g", w2);
    gk_model_free(&mr);
}

/* Eq. 6 is the population loss: check it against an exact Gauss-Hermite quadrature of E_x (g(x) - y(x))^2,
 * x ~ N(0, I/D), where g = f(theta) - f(theta0) comes from the model's direct forward. (g - y)^2 has degree 4,
 * so the 3-point rule per coordinate (exact to degree 5) is exact. r = 1: y = 1/2 (beta.x)^2 (eq. 3); r = 2: the
 * multi-index sum y = 1/2 (beta_1.x)^2 + 1/2 (beta_2.x)^2 (App. 15.1). */
static void decomposition_case(size_t r) {
    enum { D = 3, N = 4 };
    gk_model m;
    gk_error err;
    gk_kumar_spec s = {D, N, 1.3, 0.4, 0, 0, GK_KUMAR_PATH_DIRECT};
    GK_CHECK(gk_kumar_create(&m, &s, &err) == GK_OK);
    double th0[N * D], th[N * D], beta[2 * D] = {0.7, -1.2, 0.4, -0.3, 0.5, 1.1};
    gk_kumar_init(&m, 5, th0);
    for (int k = 0; k < N * D; k++) th[k] = th0[k] + 0.3 * cos(1.0 + k);
    double w0[D], M0[D * D], w[D], M[D * D], dw[D], dM[D * D], t[3];
    gk_kumar_stats(&m, th0, w0, M0);
    gk_kumar_stats(&m, th, w, M);
    for (int a = 0; a < D; a++) dw[a] = w[a] - w0[a];
    for (int a = 0; a < D * D; a++) dM[a] = M[a] - M0[a];
    double pop = gk_kumar_decomp(D, s.alpha, s.eps, dw, dM, beta, r, t);
    GK_CHECK_CLOSE(t[0] + t[1] + t[2], pop, 0, 1e-15);
    GK_CHECK(t[0] > 0 && t[1] > 0 && t[2] > 0);

    const double nodes[3] = {-sqrt(3.0), 0.0, sqrt(3.0)}, wts[3] = {1.0 / 6, 2.0 / 3, 1.0 / 6};
    double X[27 * D], W[27], f[27], f0[27];
    int q = 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++, q++) {
                X[q * D + 0] = nodes[i] / sqrt((double)D);
                X[q * D + 1] = nodes[j] / sqrt((double)D);
                X[q * D + 2] = nodes[k] / sqrt((double)D);
                W[q] = wts[i] * wts[j] * wts[k];
            }
    gk_kumar_input in = {27, D, X};
    GK_CHECK(gk_model_forward(&m, th, &in, 27, f, &err) == GK_OK);
    GK_CHECK(gk_model_forward(&m, th0, &in, 27, f0, &err) == GK_OK);
    double quad = 0;
    for (q = 0; q < 27; q++) {
        double y = 0;
        for (size_t b = 0; b < r; b++) {
            const double *bt = beta + b * D;
            double bx = bt[0] * X[q * D] + bt[1] * X[q * D + 1] + bt[2] * X[q * D + 2];
            y += 0.5 * bx * bx;
        }
        double e = f[q] - f0[q] - y;
        quad += W[q] * e * e;
    }
    GK_CHECK_MSG(fabs(pop - quad) <= 1e-12 * quad, "r=%zu: eq. 6 %.17g, quadrature %.17g", r, pop, quad);

    /* at init (g = 0) the population loss is E y^2 = 3/4 (Tr B/D)^2 + ... ; for r = 1: 3/4 (|beta|^2/D)^2, and in
     * general (Tr B/D)^2/4 + |B|_F^2/(2 D^2) */
    double z[D] = {0}, zM[D * D] = {0}, trB = 0, fro = 0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) {
            double B = 0;
            for (size_t k = 0; k < r; k++) B += beta[k * D + a] * beta[k * D + b];
            fro += B * B;
            if (a == b) trB += B;
        }
    double want = 0.25 * (trB / D) * (trB / D) + fro / (2.0 * D * D);
    if (r == 1) GK_CHECK_CLOSE(want, 0.75 * (trB / D) * (trB / D), 0, 1e-14);
    GK_CHECK_CLOSE(gk_kumar_decomp(D, s.alpha, s.eps, z, zM, beta, r, t), want, 0, 1e-14);
    gk_model_free(&m);
}

static void test_decomposition(void) {
    decomposition_case(1);
    decomposition_case(2);
}

static void test_data(void) {
    gk_kumar_data d;
    gk_error err;
    GK_CHECK(gk_kumar_data_make(&d, 50, 2000, 10, GK_KUMAR_TARGET_QUAD, 2, 1, 9, &err) == GK_OK);
    GK_CHECK(d.r == 1);
    double s2 = 0, ymean = 0;
    for (size_t k = 0; k < 2000 * 50; k++) s2 += d.X[k] * d.X[k];
    for (size_t p = 0; p < 2000; p++) ymean += d.y[p];
    GK_CHECK_CLOSE(s2 / 2000, 1.0, 0.03, 0); /* E|x|^2 = 1 */
    double b2 = 0;
    for (int c = 0; c < 50; c++) b2 += d.beta[c] * d.beta[c];
    GK_CHECK_CLOSE(ymean / 2000, 0.5 * b2 / 50, 0.05, 0); /* E y = |beta|^2 / (2D) */
    double bx = 0;
    for (int c = 0; c < 50; c++) bx += d.beta[c] * d.X[c];
    GK_CHECK_CLOSE(d.y[0], 0.5 * bx * bx, 0, 1e-14);
    gk_kumar_data e;
    GK_CHECK(gk_kumar_data_make(&e, 50, 2000, 10, GK_KUMAR_TARGET_HERMITE, 3, 1, 9, &err) == GK_OK);
    double z = bx * sqrt(50.0 / b2);
    GK_CHECK_CLOSE(e.y[0], z * z * z - 3 * z, 0, 1e-12);
    GK_CHECK(memcmp(d.X, e.X, 2000 * 50 * sizeof(double)) == 0); /* same seed, same inputs */
    gk_kumar_data_free(&e);
    GK_CHECK(gk_kumar_data_make(&e, 50, 20, 10, GK_KUMAR_TARGET_HERMITE, 5, 1, 9, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "k=5") != NULL);
    gk_kumar_data_free(&d);
    GK_CHECK(gk_hermite(4, 2.0) == 16 - 24 + 3);
}

/* target = multi (App. 15.1): y = sum_m 1/2 (beta_m.x)^2 = 1/2 x^T B x. For x ~ N(0, I/D):
 * E y = Tr B/(2D), Var y = |B|_F^2/(2 D^2). r = 1 is the quad target bit for bit; beta_1 does not depend on r. */
static void test_data_multi(void) {
    enum { D = 30, P = 20000, R = 3 };
    gk_kumar_data q, m, m1;
    gk_error err;
    GK_CHECK(gk_kumar_data_make(&q, D, P, 10, GK_KUMAR_TARGET_QUAD, 2, 5, 4, &err) == GK_OK); /* r ignored */
    GK_CHECK(q.r == 1);
    GK_CHECK(gk_kumar_data_make(&m1, D, P, 10, GK_KUMAR_TARGET_MULTI, 2, 1, 4, &err) == GK_OK);
    GK_CHECK(memcmp(q.y, m1.y, P * sizeof(double)) == 0 && memcmp(q.yt, m1.yt, 10 * sizeof(double)) == 0);
    GK_CHECK(gk_kumar_data_make(&m, D, P, 10, GK_KUMAR_TARGET_MULTI, 2, R, 4, &err) == GK_OK);
    GK_CHECK(m.r == R);
    GK_CHECK(memcmp(m.beta, q.beta, D * sizeof(double)) == 0);
    GK_CHECK(memcmp(m.X, q.X, (size_t)P * D * sizeof(double)) == 0);
    double B[D * D], trB = 0, fro = 0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) {
            double v = 0;
            for (int k = 0; k < R; k++) v += m.beta[k * D + a] * m.beta[k * D + b];
            B[a * D + b] = v;
            fro += v * v;
            if (a == b) trB += v;
        }
    /* the directions are distinct draws: |cos(beta_1, beta_2)| well below 1 */
    double d12 = 0, n1 = 0, n2 = 0;
    for (int c = 0; c < D; c++) d12 += m.beta[c] * m.beta[D + c], n1 += m.beta[c] * m.beta[c], n2 += m.beta[D + c] * m.beta[D + c];
    GK_CHECK(fabs(d12) < 0.7 * sqrt(n1 * n2));
    /* row 0 exactly: 1/2 x^T B x */
    double y0 = 0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) y0 += 0.5 * m.X[a] * B[a * D + b] * m.X[b];
    GK_CHECK_CLOSE(m.y[0], y0, 0, 1e-12);
    double mean = 0, var = 0;
    for (int p = 0; p < P; p++) mean += m.y[p];
    mean /= P;
    for (int p = 0; p < P; p++) var += (m.y[p] - mean) * (m.y[p] - mean);
    var /= P - 1;
    double em = trB / (2.0 * D), ev = fro / (2.0 * D * D);
    /* standard errors: sd(y)/sqrt(P) ~ 0.7% of E y here; allow ~4 sd; the variance estimate needs ~5% */
    GK_CHECK_MSG(fabs(mean - em) < 0.03 * em, "E y: %.4g, want %.4g", mean, em);
    GK_CHECK_MSG(fabs(var - ev) < 0.08 * ev, "Var y: %.4g, want %.4g", var, ev);
    gk_kumar_data_free(&q), gk_kumar_data_free(&m), gk_kumar_data_free(&m1);
    GK_CHECK(gk_kumar_data_make(&m, D, 5, 5, GK_KUMAR_TARGET_MULTI, 2, 0, 4, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "r=0 is out of range") != NULL);
}

static void test_eigen_labels(void) {
    enum { n = 6 };
    double A[n * n], K[n * n], y[n], lam;
    gk_error err;
    random_inputs(A, n, n, 31);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += A[i * n + k] * A[j * n + k];
            K[i * n + j] = s + 0.5; /* a constant part that the grand mean removes in part */
        }
    double mean = 0;
    for (int k = 0; k < n * n; k++) mean += K[k];
    mean /= n * n;
    double prev = INFINITY;
    for (size_t j = 1; j <= n; j++) {
        GK_CHECK(gk_kumar_eigen_labels(K, n, j, y, &lam, &err) == GK_OK);
        double nrm = 0, res = 0;
        for (int i = 0; i < n; i++) nrm += y[i] * y[i];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < n; k++) s += (K[i * n + k] - mean) * y[k];
            res = fmax(res, fabs(s - lam * y[i]));
        }
        GK_CHECK_CLOSE(nrm, 1.0, 0, 1e-12);
        GK_CHECK_MSG(res < 1e-10, "j=%zu: residual %.3g", j, res);
        GK_CHECK(lam <= prev + 1e-12); /* descending */
        prev = lam;
    }
    GK_CHECK(gk_kumar_eigen_labels(K, n, 0, y, &lam, &err) == GK_EINVAL);
    GK_CHECK(gk_kumar_eigen_labels(K, n, n + 1, y, &lam, &err) == GK_EINVAL);
    GK_CHECK(strstr(err.msg, "j=7 is out of range") != NULL);
}

static void test_bad_model(void) {
    gk_model m;
    gk_error err;
    gk_kumar_spec s = {TD, TN, 0.0, 0.1, 0, 0, GK_KUMAR_PATH_AUTO};
    GK_CHECK(gk_kumar_create(&m, &s, &err) == GK_EINVAL && strstr(err.msg, "alpha=0"));
    s.alpha = 1, s.eps = -0.1;
    GK_CHECK(gk_kumar_create(&m, &s, &err) == GK_EINVAL && strstr(err.msg, "eps=-0.1"));
    s.eps = 0.1, s.hermite_k = 5;
    GK_CHECK(gk_kumar_create(&m, &s, &err) == GK_EINVAL && strstr(err.msg, "k=5"));
    s.hermite_k = 3, s.path = GK_KUMAR_PATH_STATS;
    GK_CHECK(gk_kumar_create(&m, &s, &err) == GK_EINVAL);
}

/* The experiment through its type: a few steps of kumar-fig1 at a small size; the train loss falls, the
 * decomposition columns sum to pop_loss, and the stats and direct paths give the same metrics. */
static void run_small(const char *path, const char *target, double *rows, int nrows, int ncols) {
    const gk_preset *p = gk_preset_find("kumar-fig1");
    GK_ASSERT(p);
    char pa[64], tg[64];
    snprintf(pa, sizeof pa, "path=%s", path);
    snprintf(tg, sizeof tg, "target=%s", target);
    const char *as[] = {"D=12", "P=40", "N=30", "ntest=50", "eps=0.5", "threads=1", pa, tg,
                        !strcmp(target, "multi") ? "r=3" : "r=1"};
    gk_config cfg;
    gk_error err;
    GK_ASSERT(gk_preset_config(p, as, 9, &cfg, &err) == GK_OK);
    void *st = NULL;
    GK_ASSERT(p->type->create(&cfg, &st, &err) == GK_OK);
    gk_trainer *tr = p->type->trainer(st);
    for (int r = 0; r < nrows; r++) {
        if (r) GK_ASSERT(gk_trainer_advance(tr, 50L * r, NULL, &err) == GK_OK && tr->step == 50L * r);
        GK_ASSERT(exp_eval_row(p->type, st, rows + r * ncols, &err) == GK_OK);
    }
    p->type->destroy(st);
}

static void experiment_case(const char *target) {
    enum { R = 4, C = 2 + 12 };
    double a[R * C] = {0}, b[R * C] = {0};
    run_small("stats", target, a, R, C);
    run_small("direct", target, b, R, C);
    for (int r = 0; r < R; r++) {
        double *v = a + r * C + 2;
        GK_CHECK_CLOSE(v[5] + v[6] + v[7], v[4], 0, 1e-12); /* decomposition == pop_loss */
        for (int c = 2; c < C; c++)
            GK_CHECK_MSG(fabs(a[r * C + c] - b[r * C + c]) <= 1e-9 * fabs(b[r * C + c]) + 1e-13,
                         "%s: row %d col %d: stats %.17g direct %.17g", target, r, c, a[r * C + c], b[r * C + c]);
    }
    GK_CHECK(a[3 * C + 2] < 0.8 * a[2]); /* train loss falls */
    GK_CHECK(a[2 + 2] == a[3 * C + 2 + 2]); /* kernel_test_loss constant */
}

/* The quad target and the multi-index sum (r = 3): both paths, eq. 6 with B = sum beta_m beta_m^T. */
static void test_experiment(void) {
    experiment_case("quad");
    experiment_case("multi");
}

int main(void) {
    GK_RUN(test_gradcheck);
    GK_RUN(test_paths_agree);
    GK_RUN(test_decomposition);
    GK_RUN(test_data);
    GK_RUN(test_data_multi);
    GK_RUN(test_eigen_labels);
    GK_RUN(test_bad_model);
    GK_RUN(test_experiment);
    return gk_test_summary();
}
