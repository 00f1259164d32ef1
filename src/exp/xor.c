/* xor.c: Xu, Wang, Frei, Vardi, Hu (ICLR 2024) — benign overfitting and grokking of a two-layer ReLU net on
 * XOR cluster data with label noise. After ONE step of GD from a tiny init the net fits every noisy train
 * label (train acc 1) but behaves like the linear classifier sign(<sum_i y_i x_i, x>), which is at chance on
 * XOR (test acc ~0.5). A few steps later the positive neurons align with +-mu1 and the negative ones with
 * +-mu2: the test accuracy jumps to ~1 while the flipped train labels stay memorised (benign overfitting).
 *
 * Wiring: dataset (data/xor_data) -> model (model/relu2: only W trained, a fixed) -> logistic loss (mean) ->
 * full-batch GD, no weight decay. The GD step is fused: the backward dgemm adds -lr * grad_W into W.
 *
 * Extra columns: train_acc_clean / train_acc_flipped (train points whose label was kept / flipped, both
 * measured against the observed label: train_acc_flipped = 1 means the noise is memorised);
 * align_{pos,neg}_mu{1,2} = mean over the neurons with a_j > 0 (pos) or a_j < 0 (neg) of
 * |cos(w_j, mu_k)| = |<w_j, mu_k>| / (||w_j|| ||mu||) (scale-free, ~1/sqrt(p) at init);
 * agree_linear = share of test points where sign f(x) = sign <sum_i y_i x_i, x>.
 * Figures: boundary_step<t>.png (sign of f on span(mu1, mu2)) and hist_step<t>.png (<w_j, mu_k>/||mu||)
 * at the steps of the key boundary_steps. */
#include "exp/exp.h"

#include "data/xor_data.h"
#include "io/fsutil.h"
#include "io/plot.h"
#include "model/relu2.h"
#include "train/train.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XOR_MAX_SNAPS 6

static const gk_param_spec xor_params[] = {
    {"p", GK_P_INT, "10000", 2, 1e8, 0, 0, NULL, "input dimension"},
    {"n", GK_P_INT, "200", 1, 1e7, 0, 0, NULL, "train set size"},
    {"n_test", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "test set size (clean labels)"},
    {"m", GK_P_INT, "500", 1, 1e7, 0, 0, NULL, "width (number of hidden ReLU neurons)"},
    {"eta", GK_P_REAL, "0.05", 0, 0.5, 0, 1, NULL, "label-noise rate: each train label flipped with this probability"},
    {"mu_scale", GK_P_REAL, "2.5", 0, INFINITY, 1, 0, NULL, "cluster mean norm ||mu|| = mu_scale sqrt(p/n) (unless mu_norm > 0)"},
    {"mu_norm", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "cluster mean norm ||mu||; 0 = use mu_scale sqrt(p/n)"},
    {"omega", GK_P_REAL, "1e-15", 0, INFINITY, 0, 0, NULL, "init scale: W ~ N(0, omega^2)"},
    {"lr", GK_P_REAL, "1e-10", 0, INFINITY, 1, 0, NULL, "step size alpha of full-batch GD"},
    {"boundary_steps", GK_P_STRING, "0,1,15", 0, 0, 0, 0, NULL,
     "comma-separated steps (at most 6) for the decision-boundary and histogram figures; steps > `steps` draw the last step"},
    {"grid", GK_P_INT, "101", 3, 2000, 0, 0, NULL, "grid points per axis of the decision-boundary maps"},
    GK_COMMON_PARAMS("30"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct xor_exp {
    gk_xor_data D;
    gk_model model;
    gk_relu2_input in_train, in_test;
    size_t p, n, nt, m, P;
    double lr, mu;
    long step, steps;
    int grid;
    double *theta, *theta0, *f_train, *f_test, *dldf;
    double *v, *lin_test, *lin_train; /* v = sum_i y_i x_i and its scores */
    double *proj;                     /* 2m: <w_j, mu1>/||mu||, <w_j, mu2>/||mu|| */
    double *wnorm;                    /* m */
    int nsnap;
    long snap_step[XOR_MAX_SNAPS];
    double *snap[XOR_MAX_SNAPS]; /* 2m each, taken when the step is reached */
    int snap_done[XOR_MAX_SNAPS];
} xor_exp;

/* Parses "0,1,15" into steps (sorted input not required). Returns the count, or -1 if malformed. */
static int parse_steps(const char *s, long *out, int cap) {
    int k = 0;
    const char *c = s;
    while (*c) {
        char *end;
        if (*c < '0' || *c > '9') return -1;
        long v = strtol(c, &end, 10);
        if (end == c || v < 0 || k >= cap) return -1;
        out[k++] = v;
        c = end;
        if (*c == ',') {
            c++;
            if (!*c) return -1;
        } else if (*c) return -1;
    }
    return k;
}

static double mu_norm_of(const gk_config *cfg) {
    double mu = gk_config_real(cfg, "mu_norm");
    if (mu > 0) return mu;
    return gk_config_real(cfg, "mu_scale") * sqrt((double)gk_config_int(cfg, "p") / (double)gk_config_int(cfg, "n"));
}

static gk_status xor_check(const gk_config *cfg, gk_error *err) {
    long tmp[XOR_MAX_SNAPS];
    const char *bs = gk_config_str(cfg, "boundary_steps");
    if (parse_steps(bs, tmp, XOR_MAX_SNAPS) < 0)
        return gk_fail(err, GK_EINVAL,
                       "boundary_steps=%s is not allowed: give 0 to %d comma-separated non-negative integers, e.g. 0,1,15",
                       bs, XOR_MAX_SNAPS);
    double bytes = 8.0 * (double)gk_config_int(cfg, "p") *
                   ((double)gk_config_int(cfg, "n") + (double)gk_config_int(cfg, "n_test") + 2.0 * (double)gk_config_int(cfg, "m"));
    if (bytes > 64e9)
        return gk_fail(err, GK_EINVAL, "p=%ld is out of range for this n, n_test, m: the run would need %.0f GB",
                       gk_config_int(cfg, "p"), bytes / 1e9);
    return GK_OK;
}

static void xor_destroy(void *state) {
    xor_exp *E = state;
    if (!E) return;
    gk_xor_data_free(&E->D);
    gk_model_free(&E->model);
    free(E->theta);
    free(E->theta0);
    free(E->f_train);
    free(E->f_test);
    free(E->dldf);
    free(E->v);
    free(E->lin_test);
    free(E->lin_train);
    free(E->proj);
    free(E->wnorm);
    for (int k = 0; k < XOR_MAX_SNAPS; k++) free(E->snap[k]);
    free(E);
}

/* proj[j] = <w_j, mu1>/||mu||, proj[m + j] = <w_j, mu2>/||mu||. */
/* out[i] = <A_i, x> for the rows of A (rows x p): gk_dot per row, so the result does not depend on threads
 * (a threaded dgemv may split the reduction). */
static void rows_dot(const double *A, size_t rows, size_t p, const double *x, double scale, double *out) {
    const long r = (long)rows;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < r; i++) out[i] = scale * gk_dot(A + (size_t)i * p, x, p);
}

static void projections(xor_exp *E, double *proj) {
    double inv = E->mu > 0 ? 1.0 / E->mu : 0.0;
    rows_dot(E->theta, E->m, E->p, E->D.mu1, inv, proj);
    rows_dot(E->theta, E->m, E->p, E->D.mu2, inv, proj + E->m);
}

static void take_snapshots(xor_exp *E) {
    for (int k = 0; k < E->nsnap; k++)
        if (!E->snap_done[k] && E->snap_step[k] == E->step) {
            projections(E, E->snap[k]);
            E->snap_done[k] = 1;
        }
}

static gk_status xor_create(const gk_config *cfg, void **state, gk_error *err) {
    xor_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    *state = E;
    E->p = (size_t)gk_config_int(cfg, "p");
    E->n = (size_t)gk_config_int(cfg, "n");
    E->nt = (size_t)gk_config_int(cfg, "n_test");
    E->m = (size_t)gk_config_int(cfg, "m");
    E->lr = gk_config_real(cfg, "lr");
    E->mu = mu_norm_of(cfg);
    E->steps = gk_config_int(cfg, "steps");
    E->grid = (int)gk_config_int(cfg, "grid");
    uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    gk_status s = gk_xor_data_make(&E->D, E->p, E->n, E->nt, E->mu, gk_config_real(cfg, "eta"), seed, err);
    if (!s) s = gk_relu2_create(&E->model, E->p, E->m, err);
    if (s) {
        xor_destroy(E);
        *state = NULL;
        return s;
    }
    E->in_train = (gk_relu2_input){E->n, E->p, E->D.X_train};
    E->in_test = (gk_relu2_input){E->nt, E->p, E->D.X_test};
    E->P = E->model.params.size;
    E->theta = malloc(E->P * sizeof(double));
    E->theta0 = malloc(E->P * sizeof(double));
    E->f_train = malloc(E->n * sizeof(double));
    E->dldf = malloc(E->n * sizeof(double));
    E->lin_train = malloc(E->n * sizeof(double));
    E->f_test = malloc(E->nt * sizeof(double));
    E->lin_test = malloc(E->nt * sizeof(double));
    E->v = malloc(E->p * sizeof(double));
    E->proj = malloc(2 * E->m * sizeof(double));
    E->wnorm = malloc(E->m * sizeof(double));
    int ok = E->theta && E->theta0 && E->f_train && E->dldf && E->lin_train && E->f_test && E->lin_test && E->v &&
             E->proj && E->wnorm;
    long req[XOR_MAX_SNAPS];
    int nreq = parse_steps(gk_config_str(cfg, "boundary_steps"), req, XOR_MAX_SNAPS);
    GK_ASSERT(nreq >= 0); /* check() ran */
    for (int k = 0; k < nreq; k++) {
        long t = req[k] > E->steps ? E->steps : req[k];
        int dup = 0;
        for (int q = 0; q < E->nsnap; q++) dup |= E->snap_step[q] == t;
        if (dup) continue;
        E->snap_step[E->nsnap] = t;
        E->snap[E->nsnap] = malloc(2 * E->m * sizeof(double));
        ok = ok && E->snap[E->nsnap];
        E->nsnap++;
    }
    if (!ok) {
        size_t p = E->p, m = E->m;
        xor_destroy(E);
        *state = NULL;
        return gk_fail(err, GK_ENOMEM, "out of memory for p = %zu, m = %zu", p, m);
    }
    gk_relu2_init(&E->model, gk_config_real(cfg, "omega"), seed, E->theta);
    memcpy(E->theta0, E->theta, E->P * sizeof(double));
    /* The linear reference: v = sum_i y_i x_i (noisy labels), the direction of the first GD step. */
    memset(E->v, 0, E->p * sizeof(double));
    for (size_t i = 0; i < E->n; i++) { /* fixed order over i */
        const double *x = E->D.X_train + i * E->p, yi = E->D.y_train[i];
        for (size_t j = 0; j < E->p; j++) E->v[j] += yi * x[j];
    }
    rows_dot(E->D.X_test, E->nt, E->p, E->v, 1.0, E->lin_test);
    rows_dot(E->D.X_train, E->n, E->p, E->v, 1.0, E->lin_train);
    take_snapshots(E);
    return GK_OK;
}

static gk_status xor_columns(void *state, gk_metrics *m, gk_error *err) {
    static const char *cols[] = {"train_loss", "train_acc", "train_acc_clean", "train_acc_flipped", "test_loss",
                                 "test_acc", "param_norm", "rel_dist_from_init", "align_pos_mu1", "align_pos_mu2",
                                 "align_neg_mu1", "align_neg_mu2", "agree_linear"};
    gk_status s = GK_OK;
    for (size_t k = 0; k < sizeof cols / sizeof *cols && !s; k++) s = gk_metrics_add_column(m, cols[k], err);
    return s;
}

/* One full-batch GD step on the mean logistic loss, fused: W += G^T X with G built from -lr dL/df. */
static gk_status xor_step(xor_exp *E, gk_error *err) {
    gk_status s = gk_model_forward(&E->model, E->theta, &E->in_train, E->n, E->f_train, err);
    if (s) return s;
    double loss = gk_logistic_loss(E->f_train, E->D.y_train, E->n, E->dldf, NULL);
    if (!isfinite(loss)) return gk_fail(err, GK_ENONFINITE, "the train loss became non-finite at step %ld", E->step);
    for (size_t i = 0; i < E->n; i++) E->dldf[i] *= -E->lr;
    gk_model_backward(&E->model, E->theta, &E->in_train, E->n, E->dldf, E->theta); /* see relu2.h: may alias */
    E->step++;
    take_snapshots(E);
    return GK_OK;
}

static gk_status xor_advance(void *state, long target, const volatile int *stop, long *reached, gk_error *err) {
    xor_exp *E = state;
    gk_status s = GK_OK;
    while (E->step < target && !s && !(stop && *stop)) s = xor_step(E, err);
    *reached = E->step;
    return s;
}

/* Accuracy against labels y on the points with mask[i] == want (ties f = 0 count 1/2); NAN if none. */
static double masked_acc(const double *f, const double *y, const unsigned char *mask, int want, size_t n) {
    double hit = 0, cnt = 0;
    for (size_t i = 0; i < n; i++) {
        if ((mask[i] != 0) != (want != 0)) continue;
        double z = y[i] * f[i];
        hit += z > 0 ? 1.0 : z == 0 ? 0.5 : 0.0;
        cnt += 1;
    }
    return cnt > 0 ? hit / cnt : NAN;
}

static int sgn(double x) { return (x > 0) - (x < 0); }

static gk_status xor_eval(void *state, double *row, gk_error *err) {
    xor_exp *E = state;
    const size_t n = E->n, nt = E->nt, m = E->m, p = E->p;
    gk_status s = gk_model_forward(&E->model, E->theta, &E->in_train, n, E->f_train, err);
    if (!s) s = gk_model_forward(&E->model, E->theta, &E->in_test, nt, E->f_test, err);
    if (s) return s;
    double tr_acc, te_acc;
    double tr_loss = gk_logistic_loss(E->f_train, E->D.y_train, n, NULL, &tr_acc);
    double te_loss = gk_logistic_loss(E->f_test, E->D.y_test, nt, NULL, &te_acc);
    double acc_clean = masked_acc(E->f_train, E->D.y_train, E->D.flipped, 0, n);
    double acc_flip = masked_acc(E->f_train, E->D.y_train, E->D.flipped, 1, n);
    double norm = gk_norm2(E->theta, E->P);
    double n0 = gk_norm2(E->theta0, E->P);
    double rel = n0 > 0 ? gk_dist2(E->theta, E->theta0, E->P) / n0 : NAN;
    projections(E, E->proj);
    const long mm = (long)m;
#pragma omp parallel for schedule(static)
    for (long j = 0; j < mm; j++) E->wnorm[j] = gk_norm2(E->theta + (size_t)j * p, p);
    const double *a = gk_relu2_a(&E->model);
    double al[4] = {0, 0, 0, 0}, cnt[2] = {0, 0}; /* pos mu1, pos mu2, neg mu1, neg mu2 */
    for (size_t j = 0; j < m; j++) {
        int g = a[j] > 0 ? 0 : 1;
        double c1 = E->wnorm[j] > 0 ? fabs(E->proj[j]) / E->wnorm[j] : 0.0;
        double c2 = E->wnorm[j] > 0 ? fabs(E->proj[m + j]) / E->wnorm[j] : 0.0;
        al[2 * g] += c1;
        al[2 * g + 1] += c2;
        cnt[g] += 1;
    }
    for (int k = 0; k < 4; k++) al[k] = cnt[k / 2] > 0 ? al[k] / cnt[k / 2] : NAN;
    double agree = 0;
    for (size_t i = 0; i < nt; i++) agree += sgn(E->f_test[i]) == sgn(E->lin_test[i]);
    double vals[] = {tr_loss, tr_acc, acc_clean, acc_flip, te_loss, te_acc, norm, rel,
                     al[0],   al[1],  al[2],     al[3],    agree / (double)nt};
    memcpy(row + 2, vals, sizeof vals);
    return GK_OK;
}

static double xor_time(void *state, long step) { return ((xor_exp *)state)->lr * (double)step; }

/* The paper proves no transition time beyond "a few steps" (C n^0.01 <= t): no predicted step. */
static double xor_predicted(void *state) { return NAN; }

static gk_status xor_save(void *state, const char *dir, gk_error *err) {
    return gk_xor_data_save_csv(&((xor_exp *)state)->D, dir, err);
}

/* ---- summary ------------------------------------------------------------------------------------------ */

static long row_of_step(const gk_metrics *m, long step) {
    for (size_t r = 0; r < m->nrows; r++)
        if ((long)gk_metrics_at(m, r, 0) == step) return (long)r;
    return -1;
}

static void add_num(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

static gk_status xor_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    xor_exp *E = state;
    double lin_te = 0, lin_tr = 0;
    for (size_t i = 0; i < E->nt; i++) lin_te += E->D.y_test[i] * E->lin_test[i] > 0 ? 1.0 : E->lin_test[i] == 0 ? 0.5 : 0.0;
    for (size_t i = 0; i < E->n; i++) lin_tr += E->D.y_train[i] * E->lin_train[i] > 0 ? 1.0 : E->lin_train[i] == 0 ? 0.5 : 0.0;
    add_num(sum, "linear_test_acc", lin_te / (double)E->nt);
    add_num(sum, "linear_train_acc", lin_tr / (double)E->n);
    add_num(sum, "mu_norm", E->mu);
    cJSON_AddNumberToObject(sum, "n_flipped", (double)E->D.n_flipped);
    /* The theorem's checkpoints: step 1 (fit + chance + linear), and train accuracy through step sqrt(n). */
    long r1 = row_of_step(m, 1);
    const char *at1[][2] = {{"train_acc", "train_acc_step1"}, {"test_acc", "test_acc_step1"},
                            {"agree_linear", "agree_linear_step1"}, {"train_acc_flipped", "train_acc_flipped_step1"}};
    for (size_t k = 0; k < sizeof at1 / sizeof *at1; k++) {
        int c = gk_metrics_col(m, at1[k][0]);
        add_num(sum, at1[k][1], r1 >= 0 && c >= 0 ? gk_metrics_at(m, (size_t)r1, c) : NAN);
    }
    long sq = (long)floor(sqrt((double)E->n));
    cJSON_AddNumberToObject(sum, "sqrt_n_step", (double)sq);
    int tr = gk_metrics_col(m, "train_acc"), trf = gk_metrics_col(m, "train_acc_flipped");
    double mn = INFINITY, mnf = INFINITY;
    for (size_t r = 0; r < m->nrows; r++) {
        double st = gk_metrics_at(m, r, 0);
        if (st < 1 || st > (double)sq) continue;
        mn = fmin(mn, gk_metrics_at(m, r, tr));
        if (isfinite(gk_metrics_at(m, r, trf))) mnf = fmin(mnf, gk_metrics_at(m, r, trf));
    }
    add_num(sum, "min_train_acc_steps_1_to_sqrt_n", mn);
    add_num(sum, "min_train_acc_flipped_steps_1_to_sqrt_n", mnf);
    (void)err;
    return GK_OK;
}

/* ---- figures ---------------------------------------------------------------------------------------- */

static gk_status boundary_figure(xor_exp *E, int k, const char *dir, int grid, gk_error *err) {
    const size_t g = (size_t)grid;
    double *x = malloc(g * sizeof(double)), *z = malloc(g * g * sizeof(double));
    if (!x || !z) {
        free(x);
        free(z);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    const double lim = 2.0 * E->mu;
    for (size_t i = 0; i < g; i++) x[i] = -lim + 2.0 * lim * (double)i / (double)(g - 1);
    const double *P1 = E->snap[k], *P2 = E->snap[k] + E->m;
    /* x = u mu1/||mu|| + v mu2/||mu||: <w_j, x> = u P1_j + v P2_j. */
    const long gg = (long)g;
#pragma omp parallel for schedule(static)
    for (long iy = 0; iy < gg; iy++)
        for (size_t ix = 0; ix < g; ix++)
            z[(size_t)iy * g + ix] = sgn(gk_relu2_eval_plane(&E->model, P1, P2, x[ix], x[iy]));
    double mx[4] = {E->mu, -E->mu, 0, 0}, my[4] = {0, 0, E->mu, -E->mu};
    char name[64], base[1024], title[160];
    snprintf(name, sizeof name, "boundary_step%ld", E->snap_step[k]);
    snprintf(title, sizeof title, "sign f on span(mu1, mu2) at step %ld", E->snap_step[k]);
    gk_status s = gk_path_join(base, sizeof base, dir, name, err);
    if (!s)
        s = gk_plot_heatmap(base, title, "<x, mu1>/||mu||", "<x, mu2>/||mu||", "sign f", x, g, x, g, z, 0, 0, mx, my, 4,
                            err);
    free(x);
    free(z);
    return s;
}

static gk_status hist_figure(xor_exp *E, int k, const char *dir, gk_error *err) {
    const size_t m = E->m;
    const double *a = gk_relu2_a(&E->model);
    double *buf = malloc(2 * m * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    size_t np = 0;
    for (size_t j = 0; j < m; j++) np += a[j] > 0;
    const size_t nn = m - np;
    double *pos1 = buf, *pos2 = buf + np, *neg1 = buf + 2 * np, *neg2 = buf + 2 * np + nn;
    size_t ip = 0, in = 0;
    for (size_t j = 0; j < m; j++) {
        if (a[j] > 0) pos1[ip] = E->snap[k][j], pos2[ip++] = E->snap[k][m + j];
        else neg1[in] = E->snap[k][j], neg2[in++] = E->snap[k][m + j];
    }
    const char *labels[4] = {"pos <w,mu1>", "pos <w,mu2>", "neg <w,mu1>", "neg <w,mu2>"};
    const double *samples[4] = {pos1, pos2, neg1, neg2};
    size_t counts[4] = {np, np, nn, nn};
    char name[64], base[1024], title[160];
    snprintf(name, sizeof name, "hist_step%ld", E->snap_step[k]);
    snprintf(title, sizeof title, "<w_j, mu_k>/||mu|| at step %ld (pos: a_j > 0)", E->snap_step[k]);
    gk_status s = gk_path_join(base, sizeof base, dir, name, err);
    if (!s) s = gk_plot_histograms(base, title, "<w_j, mu_k> / ||mu||", labels, samples, counts, 4, 0, err);
    free(buf);
    return s;
}

static gk_status xor_figures(void *state, const gk_metrics *m, const char *dir, gk_error *err) {
    xor_exp *E = state;
    (void)m;
    gk_status s = GK_OK;
    for (int k = 0; k < E->nsnap && !s; k++) {
        if (!E->snap_done[k]) continue; /* the run stopped before this step */
        s = boundary_figure(E, k, dir, E->grid, err);
        if (!s) s = hist_figure(E, k, dir, err);
    }
    return s;
}

static const gk_exp_type xor_type = {
    .name = "xor",
    .params = xor_params,
    .check = xor_check,
    .create = xor_create,
    .destroy = xor_destroy,
    .columns = xor_columns,
    .advance = xor_advance,
    .eval = xor_eval,
    .time_of_step = xor_time,
    .predicted_step = xor_predicted,
    .save_data = xor_save,
    .summarize = xor_summarize,
    .figures = xor_figures,
};

const gk_preset gk_presets_xor[] = {
    {"xor", &xor_type, "Xu et al. 2024", "Fig. 1-left (scaled down)",
     "benign overfitting then grokking: after 1 GD step train acc 1 and test acc ~0.5 (linear), then test acc -> 1",
     "p=10000 n=200 n_test=1000 m=500 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-10 steps=30 boundary_steps=0,1,15"},
    {"xor-paper", &xor_type, "Xu et al. 2024", "Fig. 1-left, 2, 3 (paper scale)",
     "the paper's run: p=40000, n=200, m=1000, eta=0.05, lr 1e-12, 60 GD steps (about 1 s/step)",
     "p=40000 n=200 n_test=1000 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-12 steps=60 boundary_steps=0,1,15"},
    {"xor-slow", &xor_type, "Xu et al. 2024", "Fig. 1-right, 4 (paper scale)",
     "small step 1e-16: train acc reaches 1 after ~40 steps, test acc after ~3000 (8000 steps, hours)",
     "p=40000 n=200 n_test=1000 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-16 steps=8000 evals=150 evals_lin=100 "
     "boundary_steps=0,40,1000,8000"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
