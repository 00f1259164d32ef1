/* diag.c: Lyu et al. (ICLR 2024) Sec. 3.2.3, Fig. 1 — a diagonal linear net with a large init (alpha) and a
 * small weight decay (lambda) first follows the max-L2-margin (kernel) classifier, then near
 * t* = ln(alpha)/lambda switches to the max-L1-margin classifier. On sparse data that switch is grokking;
 * on data with a large L2 margin it is "misgrokking".
 *
 * Wiring: dataset (data/diag_data) -> model (model/diag) -> logistic loss -> GD with coupled weight decay.
 */
#include "exp/exp.h"

#include "data/diag_data.h"
#include "data/userdata.h"
#include "model/diag.h"
#include "theory/margin_refs.h"
#include "theory/theory.h"
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gk_param_spec diag_params[] = {
    {"data", GK_P_ENUM, "sparse", 0, 0, 0, 0, "sparse|l2sep|file",
     "dataset: sparse linear (grokking), large L2 margin (misgrokking), or your own (file: keys train and test)"},
    {"train", GK_P_STRING, "", 0, 0, 0, 0, NULL,
     "data=file: the train set, FILE.csv (features, then the label -1 or +1) or X.npy,y.npy; d, n, s are then the file's"},
    {"test", GK_P_STRING, "", 0, 0, 0, 0, NULL, "data=file: the test set, in the same form as train"},
    {"d", GK_P_INT, "1000", 1, 1e8, 0, 0, NULL, "input dimension"},
    {"n", GK_P_INT, "128", 1, 1e7, 0, 0, NULL, "train set size"},
    {"n_test", GK_P_INT, "2000", 1, 1e7, 0, 0, NULL, "test set size"},
    {"s", GK_P_INT, "3", 1, 1e8, 0, 0, NULL, "support size of w* for data=sparse (odd, <= d)"},
    {"gamma", GK_P_REAL, "25", 0, INFINITY, 1, 0, NULL, "L2 margin of data=l2sep: x = z + y (gamma/2) w*"},
    {"alpha", GK_P_REAL, "128", 0, INFINITY, 1, 0, NULL, "initial parameter norm ||theta_0||_2 (init scale)"},
    {"wd", GK_P_REAL, "1e-2", 0, INFINITY, 0, 0, NULL, "weight decay lambda (coupled: grad + wd * theta)"},
    {"lr", GK_P_REAL, "0.01", 0, INFINITY, 1, 0, NULL, "learning rate of full-batch GD"},
    {"references", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "compute the theory references (max L2- and L1-margin classifiers) and the agreement with them"},
    {"test_mem_mb", GK_P_INT, "1024", 0, 1e7, 0, 0, NULL, "largest dense test set held in memory (MB); larger ones are regenerated per eval"},
    GK_FLOW_PARAMS,
    {"xaxis", GK_P_ENUM, "step", 0, 0, 0, 0, "step|tstar", "x axis of the standard figure: step, or t/t* (to overlay runs)"},
    GK_TRANSFORM_PARAMS,
    GK_SHARPNESS_PARAM,
    GK_COMMON_PARAMS("121300"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct diag_exp {
    gk_diag_data D;
    int use_refs;
    gk_margin_ref ref[GK_NREFS]; /* theory/margin_refs.h */
    gk_model model;
    size_t d;
    double alpha;
    gk_trainer tr;
    double *f_train, *f_test, *dldf, *w;
} diag_exp;

static gk_status diag_check(const gk_config *cfg, gk_error *err) {
    long d = gk_config_int(cfg, "d"), s = gk_config_int(cfg, "s");
    if (!strcmp(gk_config_str(cfg, "data"), "file"))
        return gk_userdata_check_keys(gk_config_str(cfg, "train"), gk_config_str(cfg, "test"), err);
    if (!strcmp(gk_config_str(cfg, "data"), "sparse")) {
        if (s > d) return gk_fail(err, GK_EINVAL, "s=%ld is out of range: s must be an odd integer with 1 <= s <= d (d=%ld)", s, d);
        if (s % 2 == 0) return gk_fail(err, GK_EINVAL, "s=%ld is not allowed: s must be odd (so that sign(<w*, x>) has no ties)", s);
    }
    return GK_OK;
}

static void diag_destroy(void *state) {
    diag_exp *E = state;
    if (!E) return;
    gk_diag_data_free(&E->D);
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    free(E->f_train);
    free(E->f_test);
    free(E->dldf);
    free(E->w);
    gk_margin_refs_free(E->ref);
    free(E);
}

/* The training objective: the mean logistic loss on the train set and its gradient (for gradient flow). */
static gk_status diag_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    diag_exp *E = ud;
    gk_status s = gk_model_forward(&E->model, theta, &E->D.train, E->D.train.n, E->f_train, err);
    if (s) return s;
    *loss = gk_logistic_loss(E->f_train, E->D.y_train, E->D.train.n, E->dldf, NULL);
    if (isfinite(*loss)) gk_model_backward(&E->model, theta, &E->D.train, E->D.train.n, E->dldf, grad);
    return GK_OK;
}

/* One GD step on L(theta) + (wd/2)||theta||^2: backward and update fused (gk_diag_gd_step). */
static gk_status diag_gd_step(void *ud, gk_trainer *tr, gk_error *err) {
    diag_exp *E = ud;
    gk_status s = gk_model_forward(&E->model, tr->theta, &E->D.train, E->D.train.n, E->f_train, err);
    if (s) return s;
    s = gk_trainer_check_loss(tr, gk_logistic_loss(E->f_train, E->D.y_train, E->D.train.n, E->dldf, NULL), err);
    if (!s) gk_diag_gd_step(&E->model, tr->theta, &E->D.train, E->dldf, tr->o.lr, tr->o.wd);
    return s;
}

/* The generated data sets of the paper, or the user's own (data=file). */
static gk_status make_data(diag_exp *E, const gk_config *cfg, gk_error *err) {
    const char *data = gk_config_str(cfg, "data");
    if (!strcmp(data, "file")) {
        gk_userdata tr = {0}, te = {0};
        const char *trn = gk_config_str(cfg, "train"), *ten = gk_config_str(cfg, "test");
        gk_status s = gk_userdata_read_pair(trn, ten, &tr, &te, err);
        if (!s) s = gk_diag_data_from_user(&E->D, &tr, &te, trn, ten, err);
        gk_userdata_free(&tr);
        gk_userdata_free(&te);
        E->d = E->D.d;
        return s;
    }
    gk_diag_kind kind = strcmp(data, "sparse") ? GK_DIAG_L2SEP : GK_DIAG_SPARSE;
    return gk_diag_data_make(&E->D, kind, (size_t)gk_config_int(cfg, "n"), (size_t)gk_config_int(cfg, "n_test"), E->d,
                             (size_t)gk_config_int(cfg, "s"), gk_config_real(cfg, "gamma"),
                             (uint64_t)gk_config_int(cfg, "seed"), (size_t)gk_config_int(cfg, "test_mem_mb") << 20, err);
}

static gk_status diag_create(const gk_config *cfg, void **state, gk_error *err) {
    diag_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    *state = E;
    E->d = (size_t)gk_config_int(cfg, "d");
    E->alpha = gk_config_real(cfg, "alpha");
    gk_train_opts o = {.lr = gk_config_real(cfg, "lr"), .wd = gk_config_real(cfg, "wd")};
    gk_status s = make_data(E, cfg, err);
    size_t n = E->D.train.n, n_test = E->D.test.n;
    if (!s) s = gk_diag_model_create(&E->model, E->d, err);
    if (!s) s = gk_train_opts_flow_from_config(cfg, &o, err);
    gk_train_opts_transforms_from_config(cfg, &o);
    int fused = o.optim == GK_OPTIM_GD && !gk_trainer_transforms_on(&o);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, diag_objective, fused ? diag_gd_step : NULL, E, err);
    if (!s) {
        E->tr.table = &E->model.params;
        E->f_train = malloc(n * sizeof(double));
        E->dldf = malloc(n * sizeof(double));
        E->f_test = malloc(n_test * sizeof(double));
        E->w = malloc(E->d * sizeof(double));
        if (!E->f_train || !E->dldf || !E->f_test || !E->w) s = gk_fail(err, GK_ENOMEM, "out of memory for d = %zu", E->d);
    }
    if (!s) {
        gk_model_init(&E->model, E->alpha, 0, E->tr.theta);
        s = gk_trainer_start(&E->tr, err);
    }
    E->use_refs = gk_config_bool(cfg, "references");
    if (!s && E->use_refs) s = gk_margin_refs_make(E->ref, &E->D, err);
    if (s) {
        diag_destroy(E);
        *state = NULL;
    }
    return s;
}

static int on_sparse(const void *state) { return ((const diag_exp *)state)->D.kind == GK_DIAG_SPARSE; }
static int on_l2sep(const void *state) { return ((const diag_exp *)state)->D.kind == GK_DIAG_L2SEP; }
static int with_refs(const void *state) { return ((const diag_exp *)state)->use_refs; }
static int by_flow(const void *state) { return ((const diag_exp *)state)->tr.flow != NULL; }

#define DIAG_COLUMNS(X, F)                                                                                          \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean logistic loss on the train set (no weight decay)")        \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL, "share of train samples with sign f(x) = y")                     \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "mean logistic loss on the test set")                             \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "share of test samples with sign f(x) = y")                        \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                         \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                        \
    X(norm_margin, "ratio", GK_ROLE_NONE, NULL,                                                                    \
      "normalised train margin min_i y_i f(x_i) / ‖theta‖², the quantity whose maximisation the late phase "      \
      "approaches")                                                                                                \
    X(u_norm, "norm", GK_ROLE_NONE, NULL, "‖u‖ (‖theta‖² = ‖u‖² + ‖v‖²)")                                          \
    X(v_norm, "norm", GK_ROLE_NONE, NULL, "‖v‖")                                                                   \
    X(w_l1, "norm", GK_ROLE_NONE, NULL, "‖w‖₁, the L1 norm of the effective predictor (the L1-margin solution minimises it)") \
    X(support_share, "share", GK_ROLE_NONE, on_sparse,                                                             \
      "`data=sparse`: share of ‖w‖₁ on the true support (the first s coordinates); 1 = the sparse L1 solution")    \
    X(cos_wstar, "cosine", GK_ROLE_NONE, on_l2sep,                                                                 \
      "`data=l2sep`: cos(w, w*) with w* the direction that generated the labels")                                  \
    X(agree_l2margin, "share", GK_ROLE_AGREEMENT, with_refs,                                                       \
      "`references=1`: share of test points where sign f = the sign of the max-L2-margin classifier (the kernel "  \
      "predictor of the early phase; a tie counts 1/2)")                                                           \
    X(agree_l1margin, "share", GK_ROLE_AGREEMENT, with_refs,                                                       \
      "`references=1`: the same for the max-L1-margin classifier (the late-phase predictor)")                      \
    X(grad_evals, "count", GK_ROLE_NONE, by_flow,                                                                  \
      "`opt=flow` (the `*-flow` presets): gradient evaluations the Runge-Kutta integrator has used so far")        \
    X(flow_step, "time", GK_ROLE_NONE, by_flow, "`opt=flow`: the step size (in `time` units) the integrator will try next")
GK_COLUMNS(diag_cols, DIAG_COLUMNS);

/* The share of test points where the network's sign is reference k's (NaN: the reference is unavailable). */
static double agreement(const diag_exp *E, int k) {
    return E->ref[k].ok ? gk_sign_agreement(E->f_test, E->ref[k].test_score, E->D.test.n) : NAN;
}

static gk_status diag_eval(void *state, double *row, gk_error *err) {
    diag_exp *E = state;
    const size_t d = E->d, n = E->D.train.n, nt = E->D.test.n;
    const double *theta = E->tr.theta;
    gk_status s = gk_model_forward(&E->model, theta, &E->D.train, n, E->f_train, err);
    if (!s) s = gk_model_forward(&E->model, theta, &E->D.test, nt, E->f_test, err);
    if (s) return s;
    row[COL_train_loss] = gk_logistic_loss(E->f_train, E->D.y_train, n, NULL, &row[COL_train_acc]);
    row[COL_test_loss] = gk_logistic_loss(E->f_test, E->D.y_test, nt, NULL, &row[COL_test_acc]);
    const double norm = gk_trainer_param_norm(&E->tr);
    double min_margin = INFINITY;
    for (size_t i = 0; i < n; i++) min_margin = fmin(min_margin, E->D.y_train[i] * E->f_train[i]);
    gk_diag_effective_w(&E->model, theta, E->w);
    double l1 = 0, on_support = 0;
    for (size_t j = 0; j < d; j++) {
        l1 += fabs(E->w[j]);
        if (j < E->D.s) on_support += fabs(E->w[j]);
    }
    row[COL_param_norm] = norm, row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    row[COL_norm_margin] = min_margin / (norm * norm);
    row[COL_u_norm] = gk_norm2(theta, d), row[COL_v_norm] = gk_norm2(theta + d, d), row[COL_w_l1] = l1;
    if (E->D.kind == GK_DIAG_SPARSE) row[COL_support_share] = l1 > 0 ? on_support / l1 : NAN;
    if (E->D.kind == GK_DIAG_L2SEP) row[COL_cos_wstar] = gk_dot(E->w, E->D.wstar, d) / gk_norm2(E->w, d);
    if (E->use_refs) row[COL_agree_l2margin] = agreement(E, GK_REF_L2), row[COL_agree_l1margin] = agreement(E, GK_REF_L1);
    if (E->tr.flow) {
        row[COL_grad_evals] = (double)gk_flow_evals(E->tr.flow);
        row[COL_flow_step] = gk_flow_step_size(E->tr.flow);
    }
    return GK_OK;
}

/* The references' own accuracies, and the step where the network's agreement crosses from the early
 * (L2, kernel) reference to the late (L1) one. */
static gk_status diag_references(void *state, cJSON *out, gk_error *err) {
    diag_exp *E = state;
    cJSON *refs = cJSON_AddObjectToObject(out, "references");
    for (int k = 0; k < GK_NREFS && E->use_refs; k++) {
        const gk_margin_ref *R = &E->ref[k];
        cJSON *r = cJSON_AddObjectToObject(refs, gk_margin_ref_names[k]);
        if (!R->ok) {
            cJSON_AddStringToObject(r, "unavailable", R->why);
            continue;
        }
        cJSON_AddNumberToObject(r, "train_acc", R->train_acc);
        cJSON_AddNumberToObject(r, "test_acc", R->test_acc);
        cJSON_AddNumberToObject(r, "margin", R->margin);
        cJSON_AddNumberToObject(r, "solve_seconds", R->seconds);
    }
    return GK_OK;
}

/* t* = ln(alpha) / lambda (Lyu et al. Thm 3.4); NaN where it predicts nothing (no decay, alpha <= 1). */
static double tstar_of(const diag_exp *E) {
    return E->tr.o.wd > 0 && E->alpha > 1 ? gk_predicted_time(E->alpha, E->tr.o.wd) : NAN;
}

/* t* = ln(alpha) / wd, and the references' own numbers. */
static gk_status diag_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    diag_exp *E = state;
    double tstar = tstar_of(E);
    if (isfinite(tstar)) cJSON_AddNumberToObject(sum, "tstar", tstar);
    return E->use_refs ? diag_references(state, sum, err) : GK_OK;
}

/* The step where the agreement with the late (L1) reference first passes the agreement with the early (L2,
 * kernel) one. (The transition's time, lr * test_grok_step, is its phenomenon's `time`; t / t* is the run
 * layer's grok_over_predicted.) */
static const gk_fact diag_facts[] = {
    GK_STEP_WHEN("switch_step", "agree_l2margin", GK_RULE_BELOW_OTHER, 1, "agree_l1margin"),
    {NULL},
};

static double diag_predicted(void *state) {
    diag_exp *E = state;
    return tstar_of(E) / E->tr.o.lr;
}

static gk_trainer *diag_trainer(void *state) { return &((diag_exp *)state)->tr; }

static gk_status diag_save(void *state, const char *dir, gk_error *err) {
    return gk_diag_data_save_csv(&((diag_exp *)state)->D, dir, err);
}

/* Grokking on sparse data (the test accuracy jumps near t*); misgrokking on l2sep data (it falls from 1). */
static const gk_rule diag_grok_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule diag_misgrok_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy fell", "test_acc", GK_RULE_FALL_FROM_MAX, 0.1, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *diag_rule_list(void *state) {
    return ((diag_exp *)state)->D.kind == GK_DIAG_L2SEP ? diag_misgrok_rules : diag_grok_rules;
}

/* Peak memory: the train set (bits, or dense doubles for l2sep), the test set held (up to test_mem_mb), the
 * references' dense copy of the train set and GLPK's LP (~24 bytes a nonzero), the parameter buffers. */
static double diag_bytes(const gk_config *cfg, const char **key) {
    const char *data = gk_config_str(cfg, "data");
    if (!strcmp(data, "file")) return 0; /* bounded by the reader */
    double d = (double)gk_config_int(cfg, "d"), n = (double)gk_config_int(cfg, "n"), nt = (double)gk_config_int(cfg, "n_test");
    double per = !strcmp(data, "l2sep") ? 8.0 : 0.125;
    double test = fmin(per * nt * d, (double)gk_config_int(cfg, "test_mem_mb") * 1048576.0);
    double refs = gk_config_bool(cfg, "references") ? 32.0 * n * d : 0;
    *key = "d";
    return per * n * d + test + refs + 8.0 * 2 * d * 8;
}

static const gk_exp_type diag_type = {
    .memory_bytes = diag_bytes,
    .rules = diag_rule_list,
    .name = "diag",
    .params = diag_params,
    .check = diag_check,
    .create = diag_create,
    .destroy = diag_destroy,
    .cols = diag_cols,
    .columns_doc = "f(x) = ⟨u∘u − v∘v, x⟩ with theta = (u, v); w = u∘u − v∘v is the effective linear predictor.",
    .trainer = diag_trainer,
    .eval = diag_eval,
    .predicted_step = diag_predicted,
    .save_data = diag_save,
    .facts = diag_facts,
    .summarize = diag_summarize,
    .references = diag_references,
};

const gk_preset gk_presets_diag[] = {
    {"diag-sparse", &diag_type, "Lyu et al. 2024", "Fig. 1a (scaled down)",
     "grokking: a diagonal net fits sparse data like the L2-margin kernel classifier, then jumps to the L1 one near t*",
     "data=sparse d=1000 n=128 n_test=2000 s=3 alpha=128 wd=1e-2 lr=0.01 steps=121300"},
    {"diag-l2sep", &diag_type, "Lyu et al. 2024", "Fig. 1b (scaled down)",
     "misgrokking: 100% test accuracy early (L2 margin), then a drop as the net moves to the L1-margin solution",
     "data=l2sep d=30000 n=32 n_test=1000 gamma=25 alpha=128 wd=3e-2 lr=0.01 steps=64700"},
    {"diag-sparse-paper", &diag_type, "Lyu et al. 2024", "Fig. 1a (paper scale)",
     "grokking at the paper's size: d=1e5, n=256, alpha=128, wd=1e-3, 2e6 GD steps",
     "data=sparse d=100000 n=256 n_test=10000 s=3 alpha=128 wd=1e-3 lr=0.01 steps=2000000 evals=150 evals_lin=100 references=0"},
    {"diag-l2sep-paper", &diag_type, "Lyu et al. 2024", "Fig. 1b (paper scale)",
     "misgrokking at the paper's size: d=1e5, n=32, gamma=25, 2e6 GD steps (test set regenerated per eval)",
     "data=l2sep d=100000 n=32 n_test=10000 gamma=25 alpha=128 wd=1e-3 lr=0.01 steps=2000000 evals=100 evals_lin=60 references=0"},
    {"diag-sparse-flow", &diag_type, "Lyu et al. 2024", "Fig. 1a (scaled down), gradient flow",
     "diag-sparse by gradient flow (adaptive Runge-Kutta 4(5), rtol 1e-6): the same curves to 2.5 t* with ~1/100 of the gradients",
     "data=sparse d=1000 n=128 n_test=2000 s=3 alpha=128 wd=1e-2 lr=0.01 steps=121300 opt=flow rtol=1e-6 atol=1e-9"},
    {"diag-sparse-paper-flow", &diag_type, "Lyu et al. 2024", "Fig. 1a (paper scale), gradient flow",
     "grokking at the paper's size by gradient flow: d=1e5, n=256, alpha=128, wd=1e-3, to 2.5 t*",
     "data=sparse d=100000 n=256 n_test=2000 s=3 alpha=128 wd=1e-3 lr=0.01 steps=1213000 evals=100 evals_lin=60 references=0 opt=flow flow_method=rkck rtol=1e-6 atol=1e-9"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
