/* xor.c: Xu, Wang, Frei, Vardi, Hu (ICLR 2024) — benign overfitting and grokking of a two-layer ReLU net on
 * XOR cluster data with label noise. After ONE step of GD from a tiny init the net fits every noisy train
 * label (train acc 1) but behaves like the linear classifier sign(<sum_i y_i x_i, x>), which is at chance on
 * XOR (test acc ~0.5). A few steps later the positive neurons align with +-mu1 and the negative ones with
 * +-mu2: the test accuracy jumps to ~1 while the flipped train labels stay memorised (benign overfitting).
 *
 * Wiring: dataset (data/xor_data) -> model (model/relu2: only W trained, a fixed) -> logistic loss (mean) ->
 * full-batch GD, no weight decay. Two paths give the same run up to rounding (tests/test_xor.c):
 *  - path=span (default): GD moves w_j only along the train inputs, w_j(t) = w_j(0) + sum_i A_ji(t) x_i. The
 *    products K = X X^T, X W(0)^T, X_test X^T, X_test W(0)^T, <x_i, mu_k>, <w_j(0), mu_k>, ||w_j(0)||^2 are
 *    computed once (create, timed as setup_seconds), the inputs and W(0) then freed; a step costs n^2 m
 *    (H = X W(0)^T + K A^T, then A += ...), an eval (n + n_test) n m, whatever p (relu2.h).
 *  - path=direct: GD on W (m x p), fused: the backward dgemm adds -lr grad_W into W. n m p per step.
 * Training state (for a checkpoint): xor_exp.step and per run At (span) or theta (direct).
 *
 * Extra columns: train_acc_clean / train_acc_flipped (train points whose label was kept / flipped, both
 * measured against the observed label: train_acc_flipped = 1 means the noise is memorised);
 * align_{pos,neg}_mu{1,2} = mean over the neurons with a_j > 0 (pos) or a_j < 0 (neg) of
 * |cos(w_j, mu_k)| = |<w_j, mu_k>| / (||w_j|| ||mu||) (scale-free, ~1/sqrt(p) at init);
 * agree_linear = share of test points where sign f(x) = sign <sum_i y_i x_i, x>.
 * Figures (the paper's Figs. 2-4) at the steps of the key boundary_steps: boundary_step<t>.png (sign of f on
 * span(mu1, mu2)), neurons.png (each neuron at (<w_j, mu_1>, <w_j, mu_2>), one panel per step) and
 * hist_step<t>.png (<w_j, mu_1>, <w_j, mu_2> over the positive neurons); the scale of the projections is in
 * the axis labels. accuracy.png: train and test accuracy against step + 1, log axis, as the paper's Fig. 1.
 *
 * seeds=K trains K independent runs (seeds seed, seed+1, ...: their own data, a_j and init) side by side,
 * in lockstep, inside one run directory. metrics.csv keeps one row per eval point; every metric column holds
 * the mean over the runs (NaN-aware: train_acc_flipped of a run without flipped labels is left out), and
 * for K > 1 train_acc_{std,min,max}, test_acc_{std,min,max} describe the spread (std: sample standard
 * deviation, K - 1 in the denominator). accuracy.png shades mean +- std. seeds.csv (K > 1, written at the
 * end of the run) holds every run's metrics, one row per eval point and seed. The paper averages Fig. 1
 * over 100 runs (mean with a band); its Figs. 2-4 show one run, so the boundary, neuron and histogram
 * figures here are those of the first seed. */
#include "exp/exp.h"

#include "core/clock.h"
#include "core/machine.h"
#include "data/userdata.h"
#include "data/xor_data.h"
#include "io/fsutil.h"
#include "report/metrics_slice.h"
#include "fig/neuron_plots.h"
#include "report/seeds.h"
#include "fig/sign_plane.h"
#include "report/step_snaps.h"
#include "report/steps_list.h"
#include "fig/plot.h"
#include "model/relu2_span.h"
#include "model/relu2_span_init.h"
#include "theory/xor_refs.h"
#include "train/train.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const gk_param_spec xor_params[] = {
    {"data", GK_P_ENUM, "clusters", 0, 0, 0, 0, "clusters|file",
     "clusters: the XOR clusters of Def. 2.1; file: your own +-1 data (train=, test=: FILE.csv with the label last, "
     "or X.npy,y.npy); p, n, n_test are then the files', and the cluster alignments and figures are left out"},
    {"train", GK_P_STRING, "", 0, 0, 0, 0, NULL, "data=file: the train set"},
    {"test", GK_P_STRING, "", 0, 0, 0, 0, NULL, "data=file: the test set, in the same form as train"},
    {"p", GK_P_INT, "10000", 2, 1e8, 0, 0, NULL, "input dimension"},
    {"n", GK_P_INT, "200", 1, 1e7, 0, 0, NULL, "train set size"},
    {"n_test", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "test set size (clean labels)"},
    {"m", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "width (number of hidden ReLU neurons)"},
    {"eta", GK_P_REAL, "0.05", 0, 0.5, 0, 1, NULL, "label-noise rate: each train label flipped with this probability"},
    {"mu_scale", GK_P_REAL, "2.5", 0, INFINITY, 1, 0, NULL, "cluster mean norm ||mu|| = mu_scale sqrt(p/n) (unless mu_norm > 0)"},
    {"mu_norm", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "cluster mean norm ||mu||; 0 = use mu_scale sqrt(p/n)"},
    {"omega", GK_P_REAL, "1e-15", 0, INFINITY, 0, 0, NULL, "init scale: W ~ N(0, omega^2)"},
    {"lr", GK_P_REAL, "1e-10", 0, INFINITY, 1, 0, NULL, "step size alpha of full-batch GD"},
    {"path", GK_P_ENUM, "span", 0, 0, 0, 0, "span|direct",
     "span: w_j = w_j(0) + sum_i A_ji x_i, GD on the coefficients A (n x m) with the products X X^T, X W(0)^T, "
     "X_test X^T, X_test W(0)^T computed once (a step costs n^2 m, whatever p); direct: GD on W (m x p), a step "
     "costs n m p (kept for checks: the same run up to rounding)"},
    {"boundary_steps", GK_P_STRING, "0,1,15", 0, 0, 0, 0, NULL,
     "comma-separated steps (at most 6) for the decision-boundary, neuron and histogram figures; steps > `steps` draw the last step"},
    {"grid", GK_P_INT, "101", 3, 2000, 0, 0, NULL, "grid points per axis of the decision-boundary maps"},
    GK_COMMON_PARAMS("30"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

/* One independent run: its data, model and training state.
 * Training state (what a checkpoint must hold, with xor_exp.step): theta (direct path) or At (span path). */
typedef struct xor_rep {
    gk_xor_data D; /* span path: the inputs are dropped after set-up (labels and mu1, mu2 kept) */
    gk_model model;
    uint64_t seed;
    double *f_train, *f_test, *dldf;
    double *lin_test, *lin_train; /* scores of the linear reference sign <v, x>, v = sum_i y_i x_i */
    double *proj;                 /* 2m: <w_j, mu1>, then <w_j, mu2> (raw) */
    double *wnorm;                /* m: ||w_j|| */
    /* direct path */
    gk_relu2_input in_train, in_test;
    long fwd_step; /* the step whose train forward f_train and the model's cache hold (eval's), or -1 */
    double *theta, *theta0;
    /* span path (model/relu2_span.h): products computed once at set-up (directions mu1, mu2), then the
     * coefficients */
    gk_relu2_products S;
    double *At; /* n x m: A^T, At[i m + j] = A_ji (training state; zero at init) */
} xor_rep;

/* The per-run metrics (their mean over the runs; each run's in seeds.csv), then with seeds > 1 the spread of the
 * accuracies. Declared below, after the state. */
#define XOR_NMET (COL_agree_linear - 1)

typedef struct xor_exp {
    size_t p, n, nt, m, P;
    double lr, mu, eta, omega;
    long steps;
    gk_trainer tr;    /* the runs' training state, one slice each (At on the span path, W on the direct one);
                       * tr.step is shared by the runs (they advance in lockstep) */
    int grid;
    int K;          /* seeds */
    int span;       /* path=span */
    int user;       /* data=file: the sets read into utr, ute (freed once the run is set up) */
    gk_userdata utr, ute;
    const char *train_name, *test_name;
    double setup_seconds; /* wall time of create: data, init and (span) the products */
    xor_rep *rep;   /* K runs; rep[0] (the seed key) draws the boundary, neuron and histogram figures */
    double *GA, *H, *dn2; /* span scratch: max(n, nt) x m twice, m */
    gk_metrics per_seed; /* step, time, seed, the XOR_NMET metrics: one row per eval point and run */
    double *vals;   /* K x XOR_NMET, the last eval */
    gk_step_snaps snaps; /* 2m each (run 0): proj, taken when the step is reached */
} xor_exp;

static int several_seeds(const void *state) { return ((const xor_exp *)state)->K > 1; }

#define XOR_COLUMNS(X, F)                                                                                          \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean logistic loss on the train set")                         \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL, "share of train samples with sign f(x) = y")                    \
    X(train_acc_clean, "share", GK_ROLE_NONE, NULL, "train accuracy on the points whose label was kept")           \
    X(train_acc_flipped, "share", GK_ROLE_NONE, NULL,                                                             \
      "train accuracy on the points whose label was flipped, against the flipped label: 1 = the noise is "        \
      "memorised (benign overfitting)")                                                                           \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "mean logistic loss on the test set")                           \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "share of test samples with sign f(x) = y")                      \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                       \
    X(align_pos_mu1, "cosine", GK_ROLE_NONE, NULL,                                                                \
      "mean over the neurons with a positive output weight of cos(w_j, mu_1) in absolute value (about 1/sqrt(p) " \
      "at init; it grows as the neurons align with the cluster means)")                                           \
    X(align_pos_mu2, "cosine", GK_ROLE_NONE, NULL, "the same with mu_2")                                          \
    X(align_neg_mu1, "cosine", GK_ROLE_NONE, NULL, "the same over the neurons with a negative output weight, mu_1") \
    X(align_neg_mu2, "cosine", GK_ROLE_NONE, NULL, "the same, mu_2")                                              \
    X(agree_linear, "share", GK_ROLE_AGREEMENT, NULL,                                                             \
      "share of test points where sign f(x) = sign⟨Σ_i y_i x_i, x⟩, the linear classifier of the early phase")    \
    X(train_acc_std, "share", GK_ROLE_NONE, several_seeds,                                                        \
      "`seeds` > 1: the spread of `train_acc` over the seeds, the sample standard deviation")                     \
    X(train_acc_min, "share", GK_ROLE_NONE, several_seeds, "`seeds` > 1: the smallest `train_acc` of the seeds")  \
    X(train_acc_max, "share", GK_ROLE_NONE, several_seeds, "`seeds` > 1: the largest")                            \
    X(test_acc_std, "share", GK_ROLE_NONE, several_seeds, "`seeds` > 1: the same three of `test_acc`")            \
    X(test_acc_min, "share", GK_ROLE_NONE, several_seeds, "`seeds` > 1: the smallest `test_acc`")                 \
    X(test_acc_max, "share", GK_ROLE_NONE, several_seeds, "`seeds` > 1: the largest `test_acc`")
GK_COLUMNS(xor_cols, XOR_COLUMNS);

static double mu_norm_of(const gk_config *cfg) {
    double mu = gk_config_real(cfg, "mu_norm");
    if (mu > 0) return mu;
    return gk_config_real(cfg, "mu_scale") * sqrt((double)gk_config_int(cfg, "p") / (double)gk_config_int(cfg, "n"));
}

static int is_span(const gk_config *cfg) { return !strcmp(gk_config_str(cfg, "path"), "span"); }

/* Bytes a run needs. direct: every run holds its inputs and W, W(0). span: every run holds its products and
 * coefficients; the inputs and W(0) of the runs being set up (one per thread) exist only during set-up. */
static double xor_bytes(const gk_config *cfg) {
    double K = (double)gk_config_int(cfg, "seeds"), p = (double)gk_config_int(cfg, "p");
    double n = (double)gk_config_int(cfg, "n"), nt = (double)gk_config_int(cfg, "n_test");
    double m = (double)gk_config_int(cfg, "m");
    if (!is_span(cfg)) return 8.0 * K * p * (n + nt + 2.0 * m);
    long th = gk_config_int(cfg, "threads");
    double conc = fmin(K, (double)(th > 0 ? th : omp_get_max_threads()));
    double per_run = (n + nt) * (n + m) + n * m + 5.0 * m + 4.0 * (n + nt) + 2.0 * p;
    double setup = (n + nt + m) * p;
    return 8.0 * (K * per_run + conc * setup + 2.0 * fmax(n, nt) * m);
}

static gk_status xor_check(const gk_config *cfg, gk_error *err) {
    if (!strcmp(gk_config_str(cfg, "data"), "file")) {
        if (gk_config_int(cfg, "seeds") != 1)
            return gk_fail(err, GK_EINVAL, "seeds=%ld with data=file: one data set, one run (seeds=1)", gk_config_int(cfg, "seeds"));
        return gk_userdata_check_keys(gk_config_str(cfg, "train"), gk_config_str(cfg, "test"), err);
    }
    long tmp[GK_MAX_SNAPS];
    const char *bs = gk_config_str(cfg, "boundary_steps");
    if (gk_parse_steps(bs, tmp, GK_MAX_SNAPS) < 0)
        return gk_fail(err, GK_EINVAL,
                       "boundary_steps=%s is not allowed: give 0 to %d comma-separated non-negative integers, e.g. 0,1,15",
                       bs, GK_MAX_SNAPS);
    /* its own check rather than memory_bytes: the message names every size and, for path=direct, the span path */
    double bytes = xor_bytes(cfg);
    double mem = gk_machine_bytes();
    if (mem > 0 && bytes > mem)
        return gk_fail(err, GK_EINVAL,
                       "p=%ld is out of range for this n, n_test, m, seeds and path=%s: the run would need %.1f GB, "
                       "more than this machine's %.1f GB (lower p, n_test, m or seeds%s)",
                       gk_config_int(cfg, "p"), gk_config_str(cfg, "path"), bytes / 1e9, mem / 1e9,
                       is_span(cfg) ? "" : ", or use path=span");
    return GK_OK;
}

static void rep_free(xor_rep *R) {
    gk_xor_data_free(&R->D);
    gk_model_free(&R->model);
    gk_relu2_products_free(&R->S);
    double *bufs[] = {R->f_train, R->f_test, R->dldf, R->lin_test, R->lin_train, R->proj,
                      R->wnorm}; /* theta, theta0, At: the trainer's */
    for (size_t k = 0; k < sizeof bufs / sizeof *bufs; k++) free(bufs[k]);
}

static void xor_destroy(void *state) {
    xor_exp *E = state;
    if (!E) return;
    for (int k = 0; E->rep && k < E->K; k++) rep_free(&E->rep[k]);
    free(E->rep);
    free(E->vals);
    free(E->GA);
    free(E->H);
    free(E->dn2);
    gk_trainer_free(&E->tr);
    gk_metrics_free(&E->per_seed);
    gk_userdata_free(&E->utr), gk_userdata_free(&E->ute);
    gk_step_snaps_free(&E->snaps);
    free(E);
}

/* proj[j] = <w_j, mu1>, proj[m + j] = <w_j, mu2>. span: <w_j(0), mu_k> + sum_i A_ji <x_i, mu_k> (i in order). */
static void projections(const xor_exp *E, const xor_rep *R, double *proj) {
    const size_t m = E->m;
    if (E->span) gk_relu2_products_project(&R->S, R->At, proj);
    else gk_relu2_dense_project(R->theta, m, E->p, R->D.mu1, R->D.mu2, proj);
}

static void take_snapshots(xor_exp *E, long step) {
    int k = gk_step_snaps_due(&E->snaps, step);
    if (k >= 0) projections(E, &E->rep[0], E->snaps.val[k]);
}

static gk_status rep_alloc_common(const xor_exp *E, xor_rep *R, gk_error *err) {
    R->f_train = malloc(E->n * sizeof(double));
    R->dldf = malloc(E->n * sizeof(double));
    R->lin_train = malloc(E->n * sizeof(double));
    R->f_test = malloc(E->nt * sizeof(double));
    R->lin_test = malloc(E->nt * sizeof(double));
    R->proj = malloc(2 * E->m * sizeof(double));
    R->wnorm = malloc(E->m * sizeof(double));
    if (!(R->f_train && R->dldf && R->lin_train && R->f_test && R->lin_test && R->proj && R->wnorm))
        return gk_fail(err, GK_ENOMEM, "out of memory for n = %zu, m = %zu (seed %llu)", E->n, E->m,
                       (unsigned long long)R->seed);
    return GK_OK;
}

/* direct path: W and W(0) (m x p), the inputs kept; the linear reference from them (theory/xor_refs.h). */
static gk_status rep_create_direct(const xor_exp *E, xor_rep *R, gk_error *err) {
    R->fwd_step = -1;
    R->in_train = (gk_relu2_input){E->n, E->p, R->D.X_train};
    R->in_test = (gk_relu2_input){E->nt, E->p, R->D.X_test};
    gk_relu2_init(&R->model, E->omega, R->seed, R->theta);
    memcpy(R->theta0, R->theta, E->P * sizeof(double));
    return gk_linear_ref_scores(R->D.X_train, R->D.y_train, E->n, E->p, R->D.X_test, E->nt, R->lin_train,
                                R->lin_test, err);
}

/* span path: W(0) drawn as the direct path draws it, the products computed, then the inputs and W(0) freed
 * (model/relu2_span_init.h); the linear reference from the products. */
static gk_status rep_create_span(const xor_exp *E, xor_rep *R, gk_error *err) {
    gk_status s = gk_relu2_products_from_init(&R->S, &R->model, E->omega, R->seed, R->D.X_train, E->n, E->nt, E->m,
                                              E->p, R->D.mu1, R->D.mu2, err);
    if (s) return s;
    gk_xor_data_drop_inputs(&R->D);
    gk_linear_ref_scores_span(&R->S, R->D.y_train, R->lin_train, R->lin_test);
    return GK_OK;
}

static gk_status xor_step(void *ud, gk_trainer *tr, gk_error *err);

/* The trainer holds every run's state in one buffer, run k's slice at k x (n m) (span: A^T, zero at init) or
 * k x (m p) (direct: W and W(0)). Plain GD by xor_step; no gradient buffer. */
static gk_status make_trainer(xor_exp *E, gk_error *err) {
    size_t per = E->span ? E->n * E->m : E->P;
    gk_train_opts o = {.optim = GK_OPTIM_GD, .lr = E->lr, .no_grad = 1};
    gk_status s = gk_trainer_init(&E->tr, per * (size_t)E->K, &o, NULL, xor_step, E, err);
    for (int k = 0; !s && k < E->K; k++) {
        xor_rep *R = &E->rep[k];
        if (E->span) R->At = E->tr.theta + (size_t)k * per;
        else R->theta = E->tr.theta + (size_t)k * per, R->theta0 = E->tr.theta0 + (size_t)k * per;
    }
    return s;
}

/* Builds run R from seed: data, model, init, the linear reference, and (span) the products. */
static gk_status rep_create(const xor_exp *E, xor_rep *R, uint64_t seed, gk_error *err) {
    R->seed = seed;
    gk_status s = E->user ? gk_xor_data_from_user(&R->D, &E->utr, &E->ute, E->train_name, E->test_name, err)
                          : gk_xor_data_make(&R->D, E->p, E->n, E->nt, E->mu, E->eta, seed, err);
    if (!s) s = gk_relu2_create(&R->model, E->p, E->m, err);
    if (!s) s = rep_alloc_common(E, R, err);
    if (!s) s = E->span ? rep_create_span(E, R, err) : rep_create_direct(E, R, err);
    return s;
}

/* Every run, in seed order. span with several runs: the runs are set up in parallel (one per thread, each
 * product single-threaded inside: the same fixed blocks, so the same bits); otherwise one after the other
 * with the threads inside. */
static gk_status create_runs(xor_exp *E, uint64_t seed, gk_error *err) {
    const int K = E->K;
    gk_error *errs = calloc((size_t)K, sizeof *errs);
    gk_status *st = calloc((size_t)K, sizeof *st);
    if (!errs || !st) {
        free(errs);
        free(st);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
#pragma omp parallel for schedule(dynamic, 1) if (E->span && K > 1)
    for (int k = 0; k < K; k++) st[k] = rep_create(E, &E->rep[k], seed + (uint64_t)k, &errs[k]);
    gk_status s = GK_OK;
    for (int k = 0; k < K && !s; k++)
        if (st[k]) {
            s = st[k];
            *err = errs[k];
        }
    free(errs);
    free(st);
    return s;
}

static gk_status xor_create(const gk_config *cfg, void **state, gk_error *err) {
    double t0 = gk_now_seconds();
    xor_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    *state = E;
    E->p = (size_t)gk_config_int(cfg, "p");
    E->n = (size_t)gk_config_int(cfg, "n");
    E->nt = (size_t)gk_config_int(cfg, "n_test");
    E->m = (size_t)gk_config_int(cfg, "m");
    E->P = E->m * E->p;
    E->lr = gk_config_real(cfg, "lr");
    E->mu = mu_norm_of(cfg);
    E->eta = gk_config_real(cfg, "eta");
    E->omega = gk_config_real(cfg, "omega");
    E->steps = gk_config_int(cfg, "steps");
    E->grid = (int)gk_config_int(cfg, "grid");
    E->K = (int)gk_config_int(cfg, "seeds");
    E->span = is_span(cfg);
    gk_metrics_init(&E->per_seed);
    E->user = !strcmp(gk_config_str(cfg, "data"), "file");
    E->train_name = gk_config_str(cfg, "train"), E->test_name = gk_config_str(cfg, "test");
    if (E->user) {
        gk_status s = gk_userdata_read_pair(E->train_name, E->test_name, &E->utr, &E->ute, err);
        if (s) return s;
        E->p = E->utr.d, E->n = E->utr.n, E->nt = E->ute.n, E->P = E->m * E->p, E->mu = 0;
    }
    E->rep = calloc((size_t)E->K, sizeof *E->rep);
    E->vals = malloc((size_t)E->K * XOR_NMET * sizeof(double));
    gk_status s = E->rep && E->vals ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory");
    if (!s && E->span) {
        size_t big = (E->n > E->nt ? E->n : E->nt) * E->m;
        E->GA = malloc(big * sizeof(double));
        E->H = malloc(big * sizeof(double));
        E->dn2 = malloc(E->m * sizeof(double));
        if (!E->GA || !E->H || !E->dn2) s = gk_fail(err, GK_ENOMEM, "out of memory");
    }
    if (!s) s = make_trainer(E, err);
    if (!s) s = create_runs(E, (uint64_t)gk_config_int(cfg, "seed"), err);
    gk_userdata_free(&E->utr), gk_userdata_free(&E->ute); /* copied into the run's data */
    if (!s) s = gk_trainer_start(&E->tr, err);
    static const char *const lead[3] = {"step", "time", "seed"};
    for (int c = 0; c < 3 && !s; c++) s = gk_metrics_add_column(&E->per_seed, lead[c], err);
    for (int c = 0; c < XOR_NMET && !s; c++) s = gk_metrics_add_column(&E->per_seed, xor_cols[c].name, err);
    if (!s) s = gk_step_snaps_init(&E->snaps, gk_config_str(cfg, "boundary_steps"), E->steps, 2 * E->m, err);
    if (s) {
        xor_destroy(E);
        *state = NULL;
        return s;
    }
    take_snapshots(E, 0);
    E->setup_seconds = gk_now_seconds() - t0;
    return GK_OK;
}

/* The train loss and dout = -lr dL/df of run R from f_train; a non-finite loss stops the run. */
static gk_status rep_dout(const xor_exp *E, xor_rep *R, gk_error *err) {
    double loss = gk_logistic_loss(R->f_train, R->D.y_train, E->n, R->dldf, NULL);
    if (!isfinite(loss))
        return gk_fail(err, GK_ENONFINITE, "the train loss became non-finite at step %ld (seed %llu)", E->tr.step,
                       (unsigned long long)R->seed);
    for (size_t i = 0; i < E->n; i++) R->dldf[i] *= -E->lr;
    return GK_OK;
}

/* direct: one full-batch GD step of run R on the mean logistic loss, fused: W += G^T X with G from -lr dL/df. */
static gk_status rep_step_direct(xor_exp *E, xor_rep *R, gk_error *err) {
    gk_status s = R->fwd_step == E->tr.step ? GK_OK /* an eval at this step just did it */
                                         : gk_model_forward(&R->model, R->theta, &R->in_train, E->n, R->f_train, err);
    R->fwd_step = -1; /* backward spends the cache */
    if (!s) s = rep_dout(E, R, err);
    if (!s) gk_model_backward(&R->model, R->theta, &R->in_train, E->n, R->dldf, R->theta); /* see relu2.h: may alias */
    return s;
}

/* span: the same GD step on the coefficients A (relu2.h). */
static gk_status rep_step_span(xor_exp *E, xor_rep *R, gk_error *err) {
    gk_relu2_products_forward(&R->model, &R->S, 0, R->At, E->GA, E->H, R->f_train);
    gk_status s = rep_dout(E, R, err);
    if (!s) gk_relu2_span_update(&R->model, E->n, E->H, R->dldf, R->At);
    return s;
}

/* One GD step of every run, in lockstep (in seed order; each product uses the threads), run by the trainer.
 * The whole training state: the trainer's step and theta (per run, At on the span path or W on the direct
 * one), and the figure snapshots and per-run metrics (xor_visit). */
static gk_status xor_step(void *ud, gk_trainer *tr, gk_error *err) {
    xor_exp *E = ud;
    gk_status s = GK_OK;
    for (int k = 0; k < E->K && !s; k++)
        s = E->span ? rep_step_span(E, &E->rep[k], err) : rep_step_direct(E, &E->rep[k], err);
    if (!s) take_snapshots(E, tr->step + 1);
    return s;
}

/* The snapshots for the figures and the per-run metrics so far; the eval's forward cache is not kept (the next
 * step recomputes it, the same bits). */
static void xor_visit(void *state, gk_state *st) {
    xor_exp *E = state;
    gk_metrics_visit(&E->per_seed, "xor.per_seed", st);
    gk_step_snaps_visit(&E->snaps, "xor.snap", st);
    for (int k = 0; st->loading && k < E->K; k++) E->rep[k].fwd_step = -1;
}

static int sgn(double x) { return (x > 0) - (x < 0); }

/* direct: f_test, f_train, ||W||, ||W - W(0)|| / ||W(0)||, ||w_j|| from W. */
static gk_status fill_direct(const xor_exp *E, xor_rep *R, double *norm, double *rel, gk_error *err) {
    /* test first, train last: the train forward is then the one the next GD step needs (same W, same bits) */
    gk_status s = gk_model_forward(&R->model, R->theta, &R->in_test, E->nt, R->f_test, err);
    if (!s) s = gk_model_forward(&R->model, R->theta, &R->in_train, E->n, R->f_train, err);
    R->fwd_step = s ? -1 : E->tr.step;
    if (!s) gk_relu2_dense_norms(R->theta, R->theta0, E->m, E->p, R->wnorm, norm, rel);
    return s;
}

/* span: the same from the products (model/relu2_span.h). */
static void fill_span(xor_exp *E, xor_rep *R, double *norm, double *rel) {
    gk_relu2_products_forward(&R->model, &R->S, 1, R->At, E->GA, E->H, R->f_test);
    gk_relu2_products_forward(&R->model, &R->S, 0, R->At, E->GA, E->H, R->f_train); /* last: E->GA holds K At */
    gk_relu2_products_norms(&R->S, R->At, E->GA, R->wnorm, E->dn2, norm, rel);
}

/* The XOR_NMET metrics of run R at the current step, into vals (vals[COL_<name> - 2]). */
static gk_status rep_eval(xor_exp *E, xor_rep *R, double *vals, gk_error *err) {
    const size_t n = E->n, nt = E->nt;
    double norm = NAN, rel = NAN;
    gk_status s = GK_OK;
    if (E->span) fill_span(E, R, &norm, &rel);
    else s = fill_direct(E, R, &norm, &rel, err);
    if (s) return s;
    double tr_acc, te_acc;
    double tr_loss = gk_logistic_loss(R->f_train, R->D.y_train, n, NULL, &tr_acc);
    double te_loss = gk_logistic_loss(R->f_test, R->D.y_test, nt, NULL, &te_acc);
    double acc_clean = gk_sign_accuracy(R->D.y_train, R->f_train, R->D.flipped, 0, n);
    double acc_flip = gk_sign_accuracy(R->D.y_train, R->f_train, R->D.flipped, 1, n);
    projections(E, R, R->proj);
    double al[4] = {NAN, NAN, NAN, NAN}; /* pos mu1, pos mu2, neg mu1, neg mu2 (no clusters in the user's data) */
    if (!E->user) gk_relu2_alignment(&R->model, R->proj, R->wnorm, E->mu, al);
    double agree = 0;
    for (size_t i = 0; i < nt; i++) agree += sgn(R->f_test[i]) == sgn(R->lin_test[i]);
#define V(name) vals[COL_##name - 2]
    V(train_loss) = tr_loss, V(train_acc) = tr_acc, V(train_acc_clean) = acc_clean, V(train_acc_flipped) = acc_flip;
    V(test_loss) = te_loss, V(test_acc) = te_acc, V(param_norm) = norm, V(rel_dist_from_init) = rel;
    V(align_pos_mu1) = al[0], V(align_pos_mu2) = al[1], V(align_neg_mu1) = al[2], V(align_neg_mu2) = al[3];
    V(agree_linear) = agree / (double)nt;
#undef V
    return GK_OK;
}

static gk_status xor_eval(void *state, double *row, gk_error *err) {
    xor_exp *E = state;
    gk_status s = GK_OK;
    double prow[3 + XOR_NMET];
    for (int k = 0; k < E->K && !s; k++) {
        double *v = E->vals + (size_t)k * XOR_NMET;
        s = rep_eval(E, &E->rep[k], v, err);
        prow[0] = (double)E->tr.step, prow[1] = gk_trainer_time(&E->tr, E->tr.step), prow[2] = (double)E->rep[k].seed;
        memcpy(prow + 3, v, XOR_NMET * sizeof(double));
        if (!s) s = gk_metrics_append(&E->per_seed, prow, err);
    }
    if (s) return s;
    double st[4];
    for (int c = 2; c < 2 + XOR_NMET; c++) { /* the per-run metrics: their means, in declared order */
        gk_spread(E->vals + c - 2, E->K, XOR_NMET, st);
        row[c] = st[0];
        if (E->K == 1) continue; /* one run: no spread columns */
        if (c == COL_train_acc) row[COL_train_acc_std] = st[1], row[COL_train_acc_min] = st[2], row[COL_train_acc_max] = st[3];
        if (c == COL_test_acc) row[COL_test_acc_std] = st[1], row[COL_test_acc_min] = st[2], row[COL_test_acc_max] = st[3];
    }
    return GK_OK;
}

static gk_trainer *xor_trainer(void *state) { return &((xor_exp *)state)->tr; }

/* train.csv / test.csv of the first run (the seed key). The span path dropped its inputs: drawn again (the
 * same rows: each from its own stream). */
static gk_status xor_save(void *state, const char *dir, gk_error *err) {
    const xor_exp *E = state;
    if (!E->span) return gk_xor_data_save_csv(&E->rep[0].D, dir, err);
    gk_xor_data D;
    gk_userdata tr = {0}, te = {0};
    gk_status s = E->user ? gk_userdata_read_pair(E->train_name, E->test_name, &tr, &te, err) : GK_OK;
    if (!s) s = E->user ? gk_xor_data_from_user(&D, &tr, &te, E->train_name, E->test_name, err)
                        : gk_xor_data_make(&D, E->p, E->n, E->nt, E->mu, E->eta, E->rep[0].seed, err);
    gk_userdata_free(&tr), gk_userdata_free(&te);
    if (!s) s = gk_xor_data_save_csv(&D, dir, err);
    gk_xor_data_free(&D);
    return s;
}

/* ---- summary ------------------------------------------------------------------------------------------ */

/* Over the rows with 1 <= step <= sq: the minimum of column c (finite values). */
static double min_early(const gk_metrics *m, int c, long sq) {
    double mn = INFINITY;
    for (size_t r = 0; r < m->nrows; r++) {
        double st = gk_metrics_at(m, r, 0), v = gk_metrics_at(m, r, c);
        if (st >= 1 && st <= (double)sq && isfinite(v)) mn = fmin(mn, v);
    }
    return mn;
}

/* seeds.csv: every run's metrics (one row per eval point and seed), when there is more than one run. */
static gk_status write_seeds_csv(const xor_exp *E, const char *dir, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, "seeds.csv", err);
    return s ? s : gk_metrics_write_csv(&E->per_seed, path, err);
}

/* The linear reference's train and (clean) test accuracy, and the flipped labels: means over the runs. */
static void linear_means(const xor_exp *E, double *tr, double *te, double *nflip) {
    *tr = *te = *nflip = 0;
    for (int k = 0; k < E->K; k++) {
        const xor_rep *R = &E->rep[k];
        *tr += gk_sign_accuracy(R->D.y_train, R->lin_train, NULL, 0, E->n) / E->K;
        *te += gk_sign_accuracy(R->D.y_test, R->lin_test, NULL, 0, E->nt) / E->K;
        *nflip += (double)R->D.n_flipped / E->K;
    }
}

/* The theorem's checkpoint at step 1: the noisy labels fit, the test accuracy at chance, the net agreeing with the
 * linear classifier (metrics.csv: the means over the runs; xor_seed_facts: each run). */
#define XOR_STEP1_FACTS                                                                          \
    GK_VALUE_WHEN("train_acc_step1", "train_acc", "step", GK_RULE_EQUALS, 1, NULL),              \
    GK_VALUE_WHEN("test_acc_step1", "test_acc", "step", GK_RULE_EQUALS, 1, NULL),                \
    GK_VALUE_WHEN("agree_linear_step1", "agree_linear", "step", GK_RULE_EQUALS, 1, NULL)

static const gk_fact xor_facts[] = {
    XOR_STEP1_FACTS,
    GK_VALUE_WHEN("train_acc_flipped_step1", "train_acc_flipped", "step", GK_RULE_EQUALS, 1, NULL),
    {NULL},
};
static const gk_fact xor_seed_facts[] = {
    XOR_STEP1_FACTS,
    GK_STEP_WHEN("test_grok_step", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL),
    {NULL},
};

static gk_status xor_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    xor_exp *E = state;
    double lin_te, lin_tr, nflip;
    linear_means(E, &lin_tr, &lin_te, &nflip);
    cJSON_AddNumberToObject(sum, "seeds", E->K);
    cJSON_AddStringToObject(sum, "path", E->span ? "span" : "direct");
    /* create: data, init and (span) the products X X^T, X W(0)^T, X_test X^T, X_test W(0)^T of every run */
    cJSON_AddNumberToObject(sum, "setup_seconds", E->setup_seconds);
    gk_json_number(sum, "linear_test_acc", lin_te); /* means over the runs */
    gk_json_number(sum, "linear_train_acc", lin_tr);
    gk_json_number(sum, "mu_norm", E->mu);
    cJSON_AddNumberToObject(sum, "n_flipped", nflip);
    /* The theorem's checkpoints: step 1 (xor_facts), and the train accuracy through step sqrt(n). */
    long sq = (long)floor(sqrt((double)E->n));
    cJSON_AddNumberToObject(sum, "sqrt_n_step", (double)sq);
    int tr = gk_metrics_col(m, "train_acc"), trf = gk_metrics_col(m, "train_acc_flipped");
    gk_json_number(sum, "min_train_acc_steps_1_to_sqrt_n", min_early(m, tr, sq));
    gk_json_number(sum, "min_train_acc_flipped_steps_1_to_sqrt_n", min_early(m, trf, sq));
    /* Each run on its own: the per_seed table has the runs' rows interleaved (K per eval point). */
    cJSON *arr = cJSON_AddArrayToObject(sum, "per_seed");
    const int ptr = gk_metrics_col(&E->per_seed, "train_acc"); /* the slices keep the columns */
    gk_status s = GK_OK;
    for (int k = 0; k < E->K && arr && !s; k++) {
        const xor_rep *R = &E->rep[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddNumberToObject(o, "seed", (double)R->seed);
        cJSON_AddNumberToObject(o, "n_flipped", (double)R->D.n_flipped);
        gk_json_number(o, "linear_test_acc", gk_sign_accuracy(R->D.y_test, R->lin_test, NULL, 0, E->nt));
        gk_metrics run;
        s = gk_metrics_slice(&E->per_seed, (size_t)k, (size_t)E->K, &run, err);
        if (!s) gk_summarize_facts(xor_seed_facts, &run, o);
        if (!s) gk_json_number(o, "min_train_acc_steps_1_to_sqrt_n", min_early(&run, ptr, sq));
        gk_metrics_free(&run);
    }
    return s;
}

/* ---- figures ---------------------------------------------------------------------------------------- */

/* boundary_step<t>.png (the paper's Fig. 2, left): the signs of run 0's net at snapshot k. */
typedef struct plane_ctx {
    const xor_exp *E;
    int k;
} plane_ctx;

static void plane_signs(void *ctx, const double *x, size_t g, double *z) {
    const xor_exp *E = ((const plane_ctx *)ctx)->E;
    const int k = ((const plane_ctx *)ctx)->k;
    /* x = u mu1/||mu|| + v mu2/||mu||, and f is positively homogeneous: sign f(x) = sign f(u mu1 + v mu2) */
    gk_relu2_plane_signs(&E->rep[0].model, E->snaps.val[k], E->snaps.val[k] + E->m, x, g, z);
}

/* The projections of run 0's neurons at snapshot k. */
static gk_neuron_snap snap_of(const xor_exp *E, int k) {
    return (gk_neuron_snap){E->snaps.step[k], E->snaps.val[k], E->snaps.val[k] + E->m};
}

/* hist_step<t>.png (the paper's Figs. 3-4): <w_j, mu_1> and <w_j, mu_2> over the positive neurons. */
static gk_status hist_figure(const xor_exp *E, int k, const char *dir, gk_error *err) {
    char name[64], base[1024], title[160];
    snprintf(name, sizeof name, "hist_step%ld", E->snaps.step[k]);
    snprintf(title, sizeof title, "positive neurons (a#dj#u > 0) at step %ld", E->snaps.step[k]);
    gk_neuron_snap S = snap_of(E, k);
    gk_status s = gk_path_join(base, sizeof base, dir, name, err);
    return s ? s : gk_plot_neuron_hist(base, title, "<w#dj#u, #gm#dk#u>", "<w#dj#u, #gm#d1#u>", "<w#dj#u, #gm#d2#u>",
                                       gk_relu2_a(&E->rep[0].model), E->m, &S, err);
}

/* neurons.png (the paper's Fig. 2, right): every neuron as the point (<w_j, mu_1>, <w_j, mu_2>), positive
 * and negative neurons apart, one panel per snapshot step, each with its own scale (short axis names: the
 * panels are stacked). */
static gk_status neurons_figure(const xor_exp *E, const char *dir, gk_error *err) {
    gk_neuron_snap S[GK_MAX_SNAPS];
    int n = 0;
    for (int k = 0; k < E->snaps.n; k++)
        if (E->snaps.done[k]) S[n++] = snap_of(E, k);
    char base[1024];
    gk_status s = n ? gk_path_join(base, sizeof base, dir, "neurons", err) : GK_OK;
    if (!s && n)
        s = gk_plot_neuron_points(base, "neurons at (<w#dj#u, #gm#d1#u>, <w#dj#u, #gm#d2#u>)", "<w#dj#u, #gm#d1#u>",
                                  "<w#dj#u, #gm#d2#u>", gk_relu2_a(&E->rep[0].model), E->m, S, n, err);
    return s;
}

/* accuracy.png: train and test accuracy (mean over the runs) against step + 1 on a log axis, as the paper's
 * Fig. 1, with mean +- std shaded (clipped to [0, 1]) when there is more than one run. */
static const gk_curve_figure accuracy_curves = {
    .file = "accuracy", .x = GK_X_STEP_PLUS_1,
    .panels = {{.title = "", .ylabel = "accuracy", .ymax = 1.02, .band_max = 1,
                .curves = {{"train_acc", "train (noisy labels)", 0, "train_acc_std"},
                           {"test_acc", "test (clean)", 0, "test_acc_std"}}}},
};

static gk_status accuracy_figure(const xor_exp *E, const gk_metrics *m, const char *dir, gk_error *err) {
    gk_curve_figure F = accuracy_curves;
    char title[160];
    if (E->K > 1) {
        snprintf(title, sizeof title, "accuracy, %d runs (seeds %llu-%llu): mean, band mean ± one std", E->K,
                 (unsigned long long)E->rep[0].seed, (unsigned long long)E->rep[E->K - 1].seed);
        F.panels[0].curves[0].label = "train (noisy labels), mean";
        F.panels[0].curves[1].label = "test (clean), mean";
    } else {
        snprintf(title, sizeof title, "accuracy (seed %llu)", (unsigned long long)E->rep[0].seed);
    }
    F.title = title;
    return gk_plot_curves(&F, m, NULL, NAN, dir, err);
}

static gk_status xor_figures(void *state, const gk_metrics *m, const char *dir, gk_error *err) {
    xor_exp *E = state;
    gk_status s = E->K > 1 ? write_seeds_csv(E, dir, err) : GK_OK; /* a file, not a figure: first */
    if (!s) s = accuracy_figure(E, m, dir, err);
    if (E->user) return s; /* the other figures are on span(mu1, mu2) */
    if (!s) s = neurons_figure(E, dir, err);
    for (int k = 0; k < E->snaps.n && !s; k++) {
        if (!E->snaps.done[k]) continue; /* the run stopped before this step */
        plane_ctx c = {E, k};
        s = gk_plot_sign_plane(dir, E->snaps.step[k], E->mu, E->grid, plane_signs, &c, err);
        if (!s) s = hist_figure(E, k, dir, err);
    }
    return s;
}

/* The reference alone (groklab theory): the linear classifier sign(<sum_i y_i x_i, x>) of the kernel regime
 * (Xu et al. Thm 3.3), its train and (clean) test accuracy, the mean over the runs. */
static gk_status xor_references(void *state, cJSON *out, gk_error *err) {
    const xor_exp *E = state;
    double tr, te, nflip;
    linear_means(E, &tr, &te, &nflip);
    cJSON *lin = cJSON_AddObjectToObject(cJSON_AddObjectToObject(out, "references"), "linear");
    cJSON_AddNumberToObject(lin, "train_acc", tr);
    cJSON_AddNumberToObject(lin, "test_acc", te);
    return GK_OK;
}

static const gk_exp_type xor_type = {
    .lockstep_seeds = 1, /* seeds=K: the runs side by side (the key is GK_COMMON_PARAMS') */
    .references = xor_references,
    .name = "xor",
    .params = xor_params,
    .check = xor_check,
    .create = xor_create,
    .destroy = xor_destroy,
    .cols = xor_cols,
    .columns_doc = "With `seeds=K` every column of a run is the mean over the K runs (NaN-aware) and `seeds.csv` holds "
                   "each run's values (columns `step, time, seed`, then the per-run ones, `train_loss` to `agree_linear`).",
    .trainer = xor_trainer,
    .visit = xor_visit,
    .eval = xor_eval,
    /* no predicted_step: the paper proves no transition time beyond "a few steps" (C n^0.01 <= t) */
    .save_data = xor_save,
    .facts = xor_facts,
    .summarize = xor_summarize,
    .figures = xor_figures,
};

const gk_preset gk_presets_xor[] = {
    /* p scaled down 4x (p/n = 50), the paper's width m = 1000: with m = 500 the agreement with the linear
     * classifier at step 1 sat at 0.950 (seed 1); the a_j sign imbalance ~ sqrt(m) biases f away from it. */
    {"xor", &xor_type, "Xu et al. 2024", "Fig. 1-left (scaled down)",
     "benign overfitting then grokking: after 1 GD step train acc 1 and test acc ~0.5 (linear), then test acc -> 1",
     "p=10000 n=200 n_test=1000 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-10 steps=30 evals=12 evals_lin=10 "
     "boundary_steps=0,1,15"},
    {"xor-paper", &xor_type, "Xu et al. 2024", "Fig. 1-left, 2, 3 (paper scale)",
     "the paper's run: p=40000, n=200, m=1000, eta=0.05, lr 1e-12, 60 GD steps (span path: seconds)",
     "p=40000 n=200 n_test=1000 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-12 steps=60 boundary_steps=0,1,15"},
    {"xor-slow", &xor_type, "Xu et al. 2024", "Fig. 1-right, 4 (paper scale)",
     "small step 1e-16: train acc reaches 1 after ~40-90 steps, test acc after ~3000 (8000 steps, span path: minutes)",
     "p=40000 n=200 n_test=1000 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-16 steps=8000 evals=150 evals_lin=100 "
     "boundary_steps=0,40,1000,8000"},
    /* The paper's Fig. 1 is the mean of 100 runs with a band: the two runs above, 100 seeds each, with the
     * paper's 200 test points per run ("number of train/test samples n=200", App. A.7): the test set is 5/6 of
     * a run's set-up at n_test = 1000 (X_test W(0)^T: n_test m p), and 100 runs x 200 points average enough. */
    {"xor-paper-100", &xor_type, "Xu et al. 2024", "Fig. 1-left (100 runs, paper scale)",
     "xor-paper over seeds 1-100 (200 test points each): mean train/test accuracy with a +-std band (minutes)",
     "p=40000 n=200 n_test=200 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-12 steps=60 seeds=100 "
     "evals=30 evals_lin=0 boundary_steps=0,1,15"},
    {"xor-slow-100", &xor_type, "Xu et al. 2024", "Fig. 1-right (100 runs, paper scale)",
     "xor-slow over seeds 1-100 (200 test points each): mean train/test accuracy with a +-std band",
     "p=40000 n=200 n_test=200 m=1000 eta=0.05 mu_scale=2.5 omega=1e-15 lr=1e-16 steps=8000 evals=150 evals_lin=100 "
     "seeds=100 boundary_steps=0,40,1000,8000"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
