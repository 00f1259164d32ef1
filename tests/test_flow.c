/* test_flow.c: the gradient-flow integrator (src/train/flow.c) and its use by the diag experiment.
 *  - a linear flow d theta/dt = -A theta + b with a closed form (eigendecomposition of A by LAPACKE_dsyev),
 *    for every method, with and without dense output;
 *  - counters, the step size, and the error shrinking with the tolerance;
 *  - failures: a non-finite derivative, a callback error, an unreachable tolerance: GK_ENONFINITE /
 *    the callback's status / GK_EFAILED, each message naming t; bad rtol / atol are GK_EINVAL;
 *  - a small diagonal net: flow vs GD at a tiny lr, and halving rtol (through gk_run, reading metrics.csv);
 *  - a failed run through gk_run keeps its metrics and says why. */
#include "check.h"

#include "data/diag_data.h"
#include "run/run.h"
#include "model/diag.h"
#include "train/flow.h"
#include "train/train.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the linear flow -------------------------------------------------------------------------------- */
enum { LN = 6 };
typedef struct lin {
    double A[LN * LN], b[LN];
    double nan_after; /* the derivative is NaN for t > nan_after */
    double fail_after; /* the callback fails for t > fail_after */
} lin;

static gk_status lin_rhs(void *ud, double t, const double *y, double *dy, gk_error *err) {
    lin *L = ud;
    if (t > L->fail_after) return gk_fail(err, GK_EFAILED, "test callback refuses t > %g", L->fail_after);
    for (int i = 0; i < LN; i++) {
        double s = L->b[i];
        for (int j = 0; j < LN; j++) s -= L->A[i * LN + j] * y[j];
        dy[i] = s;
    }
    if (t > L->nan_after) dy[LN / 2] = NAN;
    return GK_OK;
}

/* A = B B^T / LN + diag(0.05 .. ), eigenvalues spread over ~[0.05, 5] */
static void lin_make(lin *L, uint64_t seed) {
    gk_rng r;
    gk_rng_seed(&r, seed, 0);
    double B[LN * LN];
    for (int k = 0; k < LN * LN; k++) B[k] = gk_rng_normal(&r);
    for (int i = 0; i < LN; i++) {
        for (int j = 0; j < LN; j++) {
            double s = 0;
            for (int k = 0; k < LN; k++) s += B[i * LN + k] * B[j * LN + k];
            L->A[i * LN + j] = s / LN + (i == j ? 0.05 : 0.0);
        }
        L->b[i] = gk_rng_normal(&r);
    }
    L->nan_after = INFINITY;
    L->fail_after = INFINITY;
}

/* theta(t) = theta* + V exp(-Lambda t) V^T (theta0 - theta*), theta* = A^-1 b */
static void lin_exact(const lin *L, const double *y0, double t, double *out) {
    double V[LN * LN], w[LN], c[LN], ys[LN];
    memcpy(V, L->A, sizeof V);
    GK_ASSERT(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', LN, V, LN, w) == 0);
    for (int k = 0; k < LN; k++) { /* V^T b / w */
        double s = 0;
        for (int i = 0; i < LN; i++) s += V[i * LN + k] * L->b[i];
        c[k] = s / w[k];
    }
    for (int i = 0; i < LN; i++) {
        double s = 0;
        for (int k = 0; k < LN; k++) s += V[i * LN + k] * c[k];
        ys[i] = s;
    }
    for (int k = 0; k < LN; k++) { /* V^T (y0 - ys) e^{-w t} */
        double s = 0;
        for (int i = 0; i < LN; i++) s += V[i * LN + k] * (y0[i] - ys[i]);
        c[k] = s * exp(-w[k] * t);
    }
    for (int i = 0; i < LN; i++) {
        double s = 0;
        for (int k = 0; k < LN; k++) s += V[i * LN + k] * c[k];
        out[i] = ys[i] + s;
    }
}

/* The largest error over requested times 0.37, 0.74, ... 30 (many of them inside a step). */
static double lin_max_error(gk_flow_method m, int dense, double rtol, double atol, long *evals) {
    lin L;
    lin_make(&L, 5);
    double y0[LN], y[LN], ex[LN];
    for (int i = 0; i < LN; i++) y0[i] = 1.0 + 0.5 * i;
    gk_flow *f = NULL;
    gk_error err;
    gk_flow_opts o = {m, rtol, atol, dense, 30.0, 0};
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    double worst = 0;
    for (int k = 0; k <= 82; k++) {
        double t = fmin(30.0, 0.37 * k);
        GK_CHECK(gk_flow_advance(f, t, y, NULL, &err) == GK_OK);
        lin_exact(&L, y0, t, ex);
        for (int i = 0; i < LN; i++) worst = fmax(worst, fabs(y[i] - ex[i]) / (1 + fabs(ex[i])));
    }
    GK_CHECK(gk_flow_time(f) == 30.0);
    GK_CHECK(gk_flow_step_size(f) > 0);
    GK_CHECK(gk_flow_steps(f) > 0 && gk_flow_evals(f) > gk_flow_steps(f));
    *evals = gk_flow_evals(f);
    gk_flow_free(f);
    return worst;
}

static void test_linear_closed_form(void) {
    static const char *names[] = {"rkf45", "rkck", "rk8pd", "bdf"};
    for (int m = 0; m < 3; m++)
        for (int dense = 0; dense <= 1; dense++) {
            long ev_loose, ev_tight;
            double e6 = lin_max_error((gk_flow_method)m, dense, 1e-6, 1e-9, &ev_loose);
            double e9 = lin_max_error((gk_flow_method)m, dense, 1e-9, 1e-12, &ev_tight);
            fprintf(stderr, "  %s dense=%d: max rel error %.2e at rtol 1e-6 (%ld evals), %.2e at rtol 1e-9 (%ld evals)\n",
                    names[m], dense, e6, ev_loose, e9, ev_tight);
            /* global error within a small multiple of the per-step tolerance; tighter tolerance, smaller error */
            int interp = dense && m != GK_FLOW_RK8PD; /* the cubic output adds its own (4th-order) error */
            GK_CHECK_MSG(e6 < (interp ? 1e-5 : 1e-6), "%s dense=%d: %.3g", names[m], dense, e6);
            GK_CHECK_MSG(e9 < (interp ? 1e-7 : 1e-9), "%s dense=%d: %.3g", names[m], dense, e9);
            GK_CHECK(e9 < e6);
            GK_CHECK(ev_tight > ev_loose);
        }
}

/* The stiff method (CVODE BDF, matrix-free GMRES) on the same closed-form flow: a multistep method of
 * orders 1-5 whose global error is a modest multiple of its local tolerance. */
static void test_bdf_closed_form(void) {
    long ev_loose, ev_tight;
    double e6 = lin_max_error(GK_FLOW_BDF, 0, 1e-6, 1e-9, &ev_loose);
    double e9 = lin_max_error(GK_FLOW_BDF, 0, 1e-9, 1e-12, &ev_tight);
    fprintf(stderr, "  bdf: max rel error %.2e at rtol 1e-6 (%ld evals), %.2e at rtol 1e-9 (%ld evals)\n", e6, ev_loose,
            e9, ev_tight);
    GK_CHECK_MSG(e6 < 1e-4, "bdf: %.3g", e6);
    GK_CHECK_MSG(e9 < 1e-7, "bdf: %.3g", e9);
    GK_CHECK(e9 < e6);
    GK_CHECK(ev_tight > ev_loose);
    gk_flow_method m;
    gk_error err;
    GK_CHECK(gk_flow_method_parse("bdf", &m, &err) == GK_OK && m == GK_FLOW_BDF);
}

static void test_dense_saves_steps(void) {
    long ev_dense, ev_land;
    lin_max_error(GK_FLOW_RKF45, 1, 1e-6, 1e-9, &ev_dense);
    lin_max_error(GK_FLOW_RKF45, 0, 1e-6, 1e-9, &ev_land);
    GK_CHECK_MSG(ev_dense < ev_land, "dense %ld, landing %ld", ev_dense, ev_land);
}

static void test_method_names(void) {
    gk_flow_method m;
    gk_error err;
    GK_CHECK(gk_flow_method_parse("rk8pd", &m, &err) == GK_OK && m == GK_FLOW_RK8PD);
    GK_CHECK(gk_flow_method_parse("msbdf", &m, &err) == GK_EINVAL && strstr(err.msg, "flow_method=msbdf"));
}

static void test_bad_tolerances(void) {
    lin L;
    lin_make(&L, 1);
    double y0[LN] = {0};
    gk_flow *f = NULL;
    gk_error err;
    gk_flow_opts o = {GK_FLOW_RKF45, 0.0, 1e-9, 1, INFINITY, 0};
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_EINVAL && strstr(err.msg, "rtol=0"));
    GK_CHECK(f == NULL);
    o.rtol = 1e-6, o.atol = -1;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_EINVAL && strstr(err.msg, "atol=-1"));
    o.atol = NAN;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_EINVAL);
}

/* max_evals bounds the work of one advance: GK_ELIMIT naming max_evals, state untouched, for RK and BDF. */
static void test_max_evals(void) {
    for (int m = 0; m < 4; m++) {
        lin L;
        lin_make(&L, 3);
        double y0[LN] = {1, 1, 1, 1, 1, 1}, y[LN] = {42};
        gk_error err;
        gk_flow_opts o = {(gk_flow_method)m, 1e-10, 1e-12, 1, INFINITY, 200};
        gk_flow *f = NULL;
        GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
        gk_status s = gk_flow_advance(f, 1e6, y, NULL, &err);
        GK_CHECK_MSG(s == GK_ELIMIT && strstr(err.msg, "max_evals=200"), "method %d: status %d: %s", m, (int)s, err.msg);
        GK_CHECK_MSG(gk_flow_evals(f) >= 200 && gk_flow_evals(f) <= 200 + 60, "method %d: %ld evals", m, gk_flow_evals(f));
        GK_CHECK(y[0] == 42);
        gk_flow_free(f);
    }
}

static void test_failures_name_t(void) {
    lin L;
    lin_make(&L, 2);
    double y0[LN] = {1, 1, 1, 1, 1, 1}, y[LN];
    gk_error err;
    gk_flow_opts o = {GK_FLOW_RKF45, 1e-6, 1e-9, 1, INFINITY, 0};
    /* the derivative turns NaN after t = 1.5: the steps shrink to underflow at t = 1.5 */
    L.nan_after = 1.5;
    gk_flow *f = NULL;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    GK_CHECK(gk_flow_advance(f, 1.0, y, NULL, &err) == GK_OK);
    for (int i = 0; i < LN; i++) y[i] = 42;
    gk_status s = gk_flow_advance(f, 3.0, y, NULL, &err);
    GK_CHECK_MSG(s == GK_ENONFINITE, "status %d: %s", (int)s, err.msg);
    GK_CHECK_MSG(strstr(err.msg, "t = 1.5") && strstr(err.msg, "not finite"), "%s", err.msg);
    GK_CHECK(y[0] == 42); /* untouched */
    GK_CHECK(gk_flow_advance(f, 4.0, y, NULL, &err) == GK_EFAILED); /* no going on */
    gk_flow_free(f);
    /* NaN already at the start */
    L.nan_after = -1;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    GK_CHECK(gk_flow_advance(f, 1.0, y, NULL, &err) == GK_ENONFINITE && strstr(err.msg, "t = 0"));
    gk_flow_free(f);
    /* the callback's own error: its status and message, with t */
    L.nan_after = INFINITY;
    L.fail_after = 2.0;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    s = gk_flow_advance(f, 5.0, y, NULL, &err);
    GK_CHECK_MSG(s == GK_EFAILED && strstr(err.msg, "gradient flow at t = ") && strstr(err.msg, "refuses"), "%s", err.msg);
    gk_flow_free(f);
    /* a tolerance no step can meet: step size underflow at t = 0 */
    L.fail_after = INFINITY;
    o.rtol = 1e-300, o.atol = 1e-300;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    s = gk_flow_advance(f, 1.0, y, NULL, &err);
    GK_CHECK_MSG(s == GK_EFAILED && strstr(err.msg, "t = 0") && strstr(err.msg, "step size underflow"), "%s", err.msg);
    gk_flow_free(f);
    /* stop: interrupted, state kept, can go on */
    volatile int stop = 1;
    o.rtol = 1e-6, o.atol = 1e-9;
    GK_CHECK(gk_flow_create(&f, LN, lin_rhs, &L, &o, 0.0, y0, &err) == GK_OK);
    GK_CHECK(gk_flow_advance(f, 1.0, y, &stop, &err) == GK_EINTERRUPTED);
    stop = 0;
    GK_CHECK(gk_flow_advance(f, 1.0, y, &stop, &err) == GK_OK);
    gk_flow_free(f);
}

/* ---- a small diagonal net: flow vs GD at a tiny lr ------------------------------------------------ */
typedef struct dnet {
    gk_diag_data D;
    gk_model m;
    double wd, *f, *g;
} dnet;

static gk_status dnet_grad(dnet *N, const double *theta, double *grad, gk_error *err) {
    gk_status s = gk_model_forward(&N->m, theta, &N->D.train, N->D.train.n, N->f, err);
    if (s) return s;
    gk_logistic_loss(N->f, N->D.y_train, N->D.train.n, N->g, NULL);
    memset(grad, 0, N->m.params.size * sizeof(double));
    gk_model_backward(&N->m, theta, &N->D.train, N->D.train.n, N->g, grad);
    return GK_OK;
}

static gk_status dnet_rhs(void *ud, double t, const double *theta, double *dtheta, gk_error *err) {
    (void)t;
    dnet *N = ud;
    gk_status s = dnet_grad(N, theta, dtheta, err);
    for (size_t k = 0; k < N->m.params.size; k++) dtheta[k] = -(dtheta[k] + N->wd * theta[k]);
    return s;
}

static void test_diag_flow_vs_gd(void) {
    dnet N;
    gk_error err;
    const size_t d = 60;
    GK_CHECK(gk_diag_data_make(&N.D, GK_DIAG_SPARSE, 16, 50, d, 3, 0, 3, 1 << 20, &err) == GK_OK);
    GK_CHECK(gk_diag_model_create(&N.m, d, &err) == GK_OK);
    N.wd = 0.05;
    size_t P = N.m.params.size;
    double *th = malloc(P * sizeof(double)), *tf = malloc(P * sizeof(double)), *gr = malloc(P * sizeof(double));
    N.f = malloc(16 * sizeof(double)), N.g = malloc(16 * sizeof(double));
    gk_model_init(&N.m, 4.0, 0, th);
    gk_flow *fl = NULL;
    gk_flow_opts o = {GK_FLOW_RKF45, 1e-8, 1e-11, 1, 40.0, 0};
    GK_CHECK(gk_flow_create(&fl, P, dnet_rhs, &N, &o, 0.0, th, &err) == GK_OK);
    const double lr = 1e-3;
    double worst = 0;
    long step = 0;
    for (int k = 1; k <= 8; k++) { /* compare at t = 5, 10, ..., 40 */
        long target = k * 5000;
        for (; step < target; step++) {
            dnet_grad(&N, th, gr, &err);
            gk_gd_step(th, gr, P, lr, N.wd);
        }
        GK_CHECK(gk_flow_advance(fl, lr * (double)target, tf, NULL, &err) == GK_OK);
        worst = fmax(worst, gk_dist2(th, tf, P) / gk_norm2(tf, P));
    }
    /* GD is a first-order method: its distance to the flow is O(lr) */
    fprintf(stderr, "  GD (lr 1e-3) vs flow up to t = 40: max relative distance %.2e, %ld gradient evals vs %ld steps\n",
            worst, gk_flow_evals(fl), step);
    GK_CHECK_MSG(worst < 5e-3, "%.3g", worst);
    GK_CHECK(gk_flow_evals(fl) * 20 < step);
    gk_flow_free(fl);
    free(th), free(tf), free(gr), free(N.f), free(N.g);
    gk_model_free(&N.m);
    gk_diag_data_free(&N.D);
}

/* ---- through the run driver ------------------------------------------------------------------------ */
typedef struct table {
    int ncols, nrows;
    char names[64][32];
    double v[4096][64];
} table;

static int read_metrics(const char *dir, table *T) {
    char path[1024], line[8192];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    T->ncols = T->nrows = 0;
    if (fgets(line, sizeof line, fp)) {
        for (char *tok = strtok(line, ",\n"); tok && T->ncols < 64; tok = strtok(NULL, ",\n"))
            snprintf(T->names[T->ncols++], 32, "%s", tok);
    }
    while (T->nrows < 4096 && fgets(line, sizeof line, fp)) {
        int c = 0;
        for (char *tok = strtok(line, ",\n"); tok && c < 64; tok = strtok(NULL, ",\n")) T->v[T->nrows][c++] = strtod(tok, NULL);
        T->nrows++;
    }
    fclose(fp);
    return 1;
}

static int col_of(const table *T, const char *name) {
    for (int c = 0; c < T->ncols; c++)
        if (!strcmp(T->names[c], name)) return c;
    return -1;
}

static gk_status run_preset(const char *preset, const char **assign, int n, const char *dir, gk_run_result *res) {
    const gk_preset *p = gk_preset_find(preset);
    GK_ASSERT(p);
    gk_config cfg;
    gk_error err;
    gk_status s = gk_preset_config(p, assign, n, &cfg, &err);
    if (s) return s;
    gk_run_opts opts = {.out_dir = dir, .csv_interval = 1e9};
    return gk_run(p, &cfg, &opts, res, &err);
}

static void rm_dir(const char *dir) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    GK_CHECK(system(cmd) == 0);
}

#define SMALL "d=200", "n=32", "n_test=500", "alpha=16", "wd=5e-2", "lr=0.01", "steps=13900", "references=0", \
              "evals=60", "evals_lin=60"

static void test_run_halving_rtol(void) {
    char base[] = "/tmp/gk_flow_XXXXXX";
    GK_ASSERT(mkdtemp(base));
    char d1[1100], d2[1100];
    snprintf(d1, sizeof d1, "%s/a", base);
    snprintf(d2, sizeof d2, "%s/b", base);
    const char *a1[] = {SMALL, "rtol=1e-6"}, *a2[] = {SMALL, "rtol=5e-7"};
    gk_run_result r1, r2;
    GK_CHECK(run_preset("diag-sparse-flow", a1, 11, d1, &r1) == GK_OK && r1.status == GK_OK);
    GK_CHECK(run_preset("diag-sparse-flow", a2, 11, d2, &r2) == GK_OK && r2.status == GK_OK);
    static table A, B;
    GK_CHECK(read_metrics(d1, &A) && read_metrics(d2, &B));
    GK_CHECK(A.nrows == B.nrows && A.nrows > 50);
    int ce = col_of(&A, "grad_evals"), cs = col_of(&A, "flow_step");
    GK_CHECK(ce > 0 && cs > 0);
    GK_CHECK(B.v[B.nrows - 1][ce] > A.v[A.nrows - 1][ce]); /* tighter: more evaluations */
    /* stated bound: halving rtol moves every loss and norm by < 5e-4 relative, and every accuracy by at most
     * one test point in 500 */
    static const char *rel[] = {"train_loss", "test_loss", "param_norm", "w_l1"};
    static const char *acc[] = {"train_acc", "test_acc"};
    double worst_rel = 0, worst_acc = 0;
    for (int r = 0; r < A.nrows && r < B.nrows; r++) {
        for (int k = 0; k < 4; k++) {
            int c = col_of(&A, rel[k]);
            worst_rel = fmax(worst_rel, fabs(A.v[r][c] - B.v[r][c]) / fabs(B.v[r][c]));
        }
        for (int k = 0; k < 2; k++) {
            int c = col_of(&A, acc[k]);
            worst_acc = fmax(worst_acc, fabs(A.v[r][c] - B.v[r][c]));
        }
    }
    fprintf(stderr, "  rtol 1e-6 vs 5e-7: max relative change %.2e (losses, norms), %.4f (accuracies); evals %g vs %g\n",
            worst_rel, worst_acc, A.v[A.nrows - 1][ce], B.v[B.nrows - 1][ce]);
    GK_CHECK(worst_rel < 5e-4);
    GK_CHECK(worst_acc <= 0.002 + 1e-12);
    cJSON_Delete(r1.summary), cJSON_Delete(r2.summary);
    rm_dir(base);
}

static void test_run_failure_keeps_metrics(void) {
    char base[] = "/tmp/gk_flow_XXXXXX";
    GK_ASSERT(mkdtemp(base));
    const char *a[] = {SMALL, "rtol=1e-300", "atol=1e-300"};
    gk_run_result r;
    GK_CHECK(run_preset("diag-sparse-flow", a, 12, base, &r) == GK_OK);
    GK_CHECK(r.status == GK_EFAILED);
    GK_CHECK_MSG(strstr(r.error, "t = 0") && strstr(r.error, "step size underflow"), "%s", r.error);
    cJSON *st = cJSON_GetObjectItem(r.summary, "status");
    GK_CHECK(st && cJSON_IsString(st) && !strcmp(st->valuestring, "failed"));
    static table A;
    GK_CHECK(read_metrics(base, &A) && A.nrows == 1 && col_of(&A, "grad_evals") > 0);
    cJSON_Delete(r.summary);
    rm_dir(base);
}

int main(void) {
    GK_RUN(test_linear_closed_form);
    GK_RUN(test_dense_saves_steps);
    GK_RUN(test_method_names);
    GK_RUN(test_bdf_closed_form);
    GK_RUN(test_bad_tolerances);
    GK_RUN(test_failures_name_t);
    GK_RUN(test_max_evals);
    GK_RUN(test_diag_flow_vs_gd);
    GK_RUN(test_run_halving_rtol);
    GK_RUN(test_run_failure_keeps_metrics);
    return gk_test_summary();
}
