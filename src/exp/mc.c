/* mc.c: Lyu et al. (ICLR 2024) Sec. 3.3.3, Fig. 3 — overparameterized symmetric matrix completion groks.
 * W = U U^T - V V^T with U = V = alpha I at init, MSE on the observed entries, GD with coupled weight decay.
 * The train loss is fit in ~10 steps while W stays the zero fill (the kernel predictor of Cor. 3.11: observed
 * entries fitted, the rest 0); near t* = ln(alpha)/lambda W moves to the min-nuclear-norm completion, which
 * recovers a low-rank target: the test loss drops long after the fit.
 *
 * Wiring: data (data/mc_data) -> model (model/matfact) -> the trainer: GD by the fused sparse MSE + coupled-wd
 * step (O(n_obs d)), or gradient flow on the MSE objective -> theory references (zero fill, min nuclear norm
 * completion, computed once) -> metrics at eval points (W formed only there; its spectrum by LAPACKE_dsyevd
 * since W is symmetric).
 */
#include "exp/exp.h"

#include "data/mc_data.h"
#include "io/fsutil.h"
#include "fig/plot.h"
#include "report/snap_trio.h"
#include "model/matfact.h"
#include "theory/mc_refs.h"
#include "theory/theory.h"
#include "train/trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gk_param_spec mc_params[] = {
    {"target", GK_P_ENUM, "multiply", 0, 0, 0, 0, "multiply|lowrank|csv",
     "target X*: multiplication table i*j/d^2 (rank 1), random rank-`rank` symmetric, or read from target_csv"},
    {"target_csv", GK_P_STRING, "", 0, 0, 0, 0, NULL,
     "CSV file with a square symmetric matrix (implies target=csv; d is the file's size)"},
    {"d", GK_P_INT, "97", 2, 4096, 0, 0, NULL, "matrix size d (X* is d x d)"},
    {"rank", GK_P_INT, "2", 1, 4096, 0, 0, NULL, "rank of target=lowrank (<= d)"},
    {"obs_frac", GK_P_REAL, "0.05", 0, 1, 1, 0, NULL, "observed share of the d^2 entries (used when n_obs=0)"},
    {"n_obs", GK_P_INT, "0", 0, 1e8, 0, 0, NULL, "number of observed entries (0: round(obs_frac d^2)); <= d^2"},
    {"alpha", GK_P_REAL, "10", 0, INFINITY, 1, 0, NULL, "init scale: U = V = alpha I"},
    {"sigma", GK_P_REAL, "0", 0, INFINITY, 0, 0, NULL, "std of a Gaussian perturbation added to the init (Thm 3.12)"},
    {"wd", GK_P_REAL, "1e-4", 0, INFINITY, 0, 0, NULL, "weight decay lambda (coupled: grad + wd * theta)"},
    {"lr", GK_P_REAL, "0.1", 0, INFINITY, 1, 0, NULL, "learning rate of full-batch GD"},
    {"nuc_tol", GK_P_REAL, "1e-6", 0, 1, 1, 1, NULL, "relative tolerance of the min-nuclear-norm reference"},
    {"nuc_iters", GK_P_INT, "20000", 1, 1e7, 0, 0, NULL, "iteration limit of the min-nuclear-norm reference"},
    GK_FLOW_PARAMS,
    {"xaxis", GK_P_ENUM, "step", 0, 0, 0, 0, "step|tstar", "x axis of the standard figure: step, or t/t* (to overlay runs)"},
    GK_TRANSFORM_PARAMS,
    GK_SHARPNESS_PARAM,
    GK_COMMON_PARAMS("1500000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct mc_exp {
    gk_mc_data D;
    gk_model model;
    gk_matfact_plan plan;   /* the fused GD step */
    gk_matfact_input obs;   /* the observed pairs, for the objective (gradient flow) */
    gk_trainer tr;
    size_t d;
    double alpha, sigma, predicted; /* sigma: the init perturbation (0: W(0) = 0 exactly) */
    double *W, *A, *ev, *f, *dldf; /* f, dldf: n_obs outputs and dL/df */
    gk_mc_refs ref;                /* the theory references (theory/mc_refs.h) */
    /* matrices figure: W at init, on the kernel plateau (the eval nearest 0.3 t*), at the last eval */
    gk_snap_trio snap;
} mc_exp;

static int target_is_csv(const gk_config *cfg) {
    return gk_config_str(cfg, "target_csv")[0] != '\0' || !strcmp(gk_config_str(cfg, "target"), "csv");
}

static gk_status mc_check(const gk_config *cfg, gk_error *err) {
    const char *target = gk_config_str(cfg, "target"), *csv = gk_config_str(cfg, "target_csv");
    int ti = gk_config_index(cfg, "target");
    long d = gk_config_int(cfg, "d"), n_obs = gk_config_int(cfg, "n_obs");
    if (csv[0] && cfg->set[ti] && strcmp(target, "csv"))
        return gk_fail(err, GK_EINVAL, "target_csv=%s is given with target=%s: use target=csv (or leave target unset)",
                       csv, target);
    if (!strcmp(target, "csv") && !csv[0])
        return gk_fail(err, GK_EINVAL, "target=csv needs target_csv=<file>: the CSV file with the matrix");
    if (!target_is_csv(cfg)) {
        if (n_obs > d * d)
            return gk_fail(err, GK_EINVAL, "n_obs=%ld is out of range: n_obs must be <= d^2 = %ld", n_obs, d * d);
        if (!strcmp(target, "lowrank") && gk_config_int(cfg, "rank") > d)
            return gk_fail(err, GK_EINVAL, "rank=%ld is out of range: rank must be <= d (d=%ld)",
                           gk_config_int(cfg, "rank"), d);
        if (n_obs == 0 && llround(gk_config_real(cfg, "obs_frac") * (double)(d * d)) < 1)
            return gk_fail(err, GK_EINVAL, "obs_frac=%s observes no entry of a %ld x %ld matrix: raise obs_frac or set n_obs",
                           gk_config_str(cfg, "obs_frac"), d, d);
    }
    return GK_OK;
}

static void mc_destroy(void *state) {
    mc_exp *E = state;
    if (!E) return;
    gk_mc_data_free(&E->D);
    gk_model_free(&E->model);
    gk_matfact_plan_free(&E->plan);
    gk_trainer_free(&E->tr);
    gk_mc_refs_free(&E->ref);
    free(E->W), free(E->A), free(E->ev), free(E->f), free(E->dldf);
    gk_snap_trio_free(&E->snap);
    free(E);
}

/* The target X* (d x d, malloc'd): from target_csv (d is the file's, data/mc_data.h), or built in. */
static gk_status make_target(const gk_config *cfg, uint64_t seed, double **X, size_t *d, gk_error *err) {
    *d = (size_t)gk_config_int(cfg, "d");
    const char *kind = target_is_csv(cfg) ? "csv" : gk_config_str(cfg, "target");
    return gk_mc_target_make(kind, gk_config_str(cfg, "target_csv"), (size_t)gk_config_int(cfg, "rank"), seed, X, d,
                             err);
}

/* The data: the target and its observed / test entries. */
static gk_status make_data(mc_exp *E, const gk_config *cfg, uint64_t seed, gk_error *err) {
    double *X = NULL;
    size_t d = 0;
    gk_status s = make_target(cfg, seed, &X, &d, err);
    if (s) return s;
    E->d = d;
    long n_obs = gk_config_int(cfg, "n_obs");
    if (n_obs > 0 && (size_t)n_obs > d * d) {
        free(X);
        return gk_fail(err, GK_EINVAL, "n_obs=%ld is out of range: n_obs must be <= d^2 = %zu", n_obs, d * d);
    }
    size_t nobs = n_obs > 0 ? (size_t)n_obs : (size_t)llround(gk_config_real(cfg, "obs_frac") * (double)(d * d));
    return gk_mc_data_make(&E->D, X, d, nobs < 1 ? 1 : nobs, seed, err); /* owns X */
}

static gk_status alloc_buffers(mc_exp *E, gk_error *err) {
    const size_t d = E->d, dd = d * d;
    E->W = malloc(dd * sizeof(double)), E->A = malloc(dd * sizeof(double));
    gk_status s = gk_snap_trio_init(&E->snap, dd, err);
    if (s) return s;
    E->ev = malloc(d * sizeof(double));
    E->f = malloc((E->D.nobs + 1) * sizeof(double));
    E->dldf = malloc((E->D.nobs + 1) * sizeof(double));
    return E->W && E->A && E->ev && E->f && E->dldf ? GK_OK : gk_fail(err, GK_ENOMEM, "out of memory for d = %zu", d);
}

/* The training objective: the MSE on the observed entries (model forward/backward, O(n_obs d)); gradient flow
 * integrates its field. */
static gk_status mc_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    mc_exp *E = ud;
    const size_t n = E->D.nobs;
    gk_status s = gk_model_forward(&E->model, theta, &E->obs, n, E->f, err);
    if (s) return s;
    *loss = gk_mse_loss(E->f, E->D.obs_y, n, E->dldf);
    if (isfinite(*loss)) gk_model_backward(&E->model, theta, &E->obs, n, E->dldf, grad);
    return GK_OK;
}

/* One GD step by the fused sparse kernel (O(n_obs d), W never formed). It writes the next iterate into the
 * trainer's gradient buffer (a step function leaves it unused), which then becomes theta. */
static gk_status mc_gd_step(void *ud, gk_trainer *tr, gk_error *err) {
    mc_exp *E = ud;
    if (gk_matfact_mse_gd_step(&E->plan, tr->theta, tr->grad, tr->o.lr, tr->o.wd)) return gk_trainer_check_loss(tr, NAN, err);
    double *next = tr->grad;
    tr->grad = tr->theta;
    tr->theta = next;
    return GK_OK;
}

static gk_status mc_create(const gk_config *cfg, void **state, gk_error *err) {
    *state = NULL;
    mc_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    E->alpha = gk_config_real(cfg, "alpha"), E->sigma = gk_config_real(cfg, "sigma");
    uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    gk_train_opts o = {.lr = gk_config_real(cfg, "lr"), .wd = gk_config_real(cfg, "wd")};
    gk_status s = make_data(E, cfg, seed, err);
    if (!s) s = gk_matfact_model_create(&E->model, E->d, err);
    if (!s) s = gk_matfact_plan_make(&E->plan, E->d, E->D.obs_i, E->D.obs_j, E->D.obs_y, E->D.nobs, err);
    if (!s) s = alloc_buffers(E, err);
    if (!s) s = gk_train_opts_flow_from_config(cfg, &o, err);
    gk_train_opts_transforms_from_config(cfg, &o);
    int fused = o.optim == GK_OPTIM_GD && !gk_trainer_transforms_on(&o);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, mc_objective, fused ? mc_gd_step : NULL, E, err);
    if (!s) {
        E->tr.table = &E->model.params;
        E->obs = (gk_matfact_input){E->D.obs_i, E->D.obs_j};
        gk_matfact_init(&E->model, E->alpha, gk_config_real(cfg, "sigma"), seed, E->tr.theta);
        s = gk_trainer_start(&E->tr, err);
    }
    if (!s) s = gk_mc_refs_make(&E->ref, &E->D, gk_config_real(cfg, "nuc_tol"), (int)gk_config_int(cfg, "nuc_iters"), err);
    if (s) {
        mc_destroy(E);
        return s;
    }
    E->predicted = o.wd > 0 && E->alpha > 1 ? gk_predicted_step(E->alpha, o.wd, o.lr) : NAN;
    *state = E;
    return GK_OK;
}

static int by_flow(const void *state) { return ((const mc_exp *)state)->tr.flow != NULL; }

#define MC_COLUMNS(X, F)                                                                                            \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean squared error on the observed entries")                   \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "mean squared error on the unobserved entries")                   \
    X(test_loss_upper, "loss", GK_ROLE_NONE, NULL,                                                                 \
      "mean squared error on the unobserved pairs (i ≤ j) whose mirror (j, i) is not observed either: the entries " \
      "the kernel (zero-fill) predictor cannot know")                                                              \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                         \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                        \
    X(nuclear_norm, "norm", GK_ROLE_NONE, NULL,                                                                    \
      "‖W‖_* (sum of the singular values); the late phase approaches the min-nuclear-norm completion")             \
    X(sv1, "norm", GK_ROLE_NONE, NULL, "the largest singular value of W")                                          \
    X(sv2, "norm", GK_ROLE_NONE, NULL, "the second largest singular value of W")                                   \
    X(sv3, "norm", GK_ROLE_NONE, NULL, "the third")                                                                \
    X(sv4, "norm", GK_ROLE_NONE, NULL, "the fourth")                                                               \
    X(sv5, "norm", GK_ROLE_NONE, NULL, "the fifth")                                                                \
    X(eff_rank, "count", GK_ROLE_NONE, NULL, "effective rank (Σσ)² / Σσ²")                                         \
    X(dist_kernel, "ratio", GK_ROLE_NONE, NULL,                                                                    \
      "distance on the test entries to the zero-fill (kernel) completion, relative to the test norm of the target") \
    X(dist_nucnorm, "ratio", GK_ROLE_NONE, NULL, "the same to the min-nuclear-norm completion")                    \
    X(dist_target, "ratio", GK_ROLE_NONE, NULL, "the same to the target X* (the relative test error)")             \
    X(grad_evals, "count", GK_ROLE_NONE, by_flow,                                                                  \
      "`opt=flow` (`mc-multiply-flow`): gradient evaluations the Runge-Kutta integrator has used so far")          \
    X(flow_step, "time", GK_ROLE_NONE, by_flow, "`opt=flow`: the step size (in `time` units) the integrator will try next")
GK_COLUMNS(mc_cols, MC_COLUMNS);

static gk_status mc_eval(void *state, double *row, gk_error *err) {
    mc_exp *E = state;
    const gk_mc_data *D = &E->D;
    const size_t d = E->d;
    const long step = E->tr.step;
    gk_matfact_full(d, E->tr.theta, E->W);
    for (size_t t = 0; t < D->nobs; t++) E->f[t] = E->W[D->obs_i[t] * d + D->obs_j[t]];
    const double tr = gk_mse_loss(E->f, D->obs_y, D->nobs, NULL);
    row[COL_train_loss] = tr;
    row[COL_test_loss] = D->ntest ? gk_mc_test_sq(D, E->W, NULL, 0) / (double)D->ntest : NAN;
    row[COL_test_loss_upper] = D->nup ? gk_mc_test_sq(D, E->W, NULL, 1) / (double)D->nup : NAN;
    const double tn = E->ref.test_norm > 0 ? E->ref.test_norm : NAN;
    row[COL_dist_kernel] = sqrt(gk_mc_test_sq(D, E->W, E->ref.Wz, 0)) / tn;
    row[COL_dist_nucnorm] = sqrt(gk_mc_test_sq(D, E->W, E->ref.Wn, 0)) / tn;
    row[COL_dist_target] = sqrt(gk_mc_test_sq(D, E->W, NULL, 0)) / tn;
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr), row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    double nuc = NAN, sv[5] = {NAN, NAN, NAN, NAN, NAN}, er = NAN;
    if (isfinite(tr)) {
        int info = gk_matfact_singular_values(d, E->W, E->A, E->ev);
        if (info != 0) return gk_fail(err, GK_EFAILED, "LAPACKE_dsyevd failed on W (info = %d) at step %ld", info, step);
        double s1 = 0, s2 = 0;
        for (size_t k = 0; k < d; k++) s1 += E->ev[k], s2 += E->ev[k] * E->ev[k];
        nuc = s1;
        for (size_t k = 0; k < 5 && k < d; k++) sv[k] = E->ev[k];
        er = s2 > 0 ? s1 * s1 / s2 : NAN;
    }
    row[COL_nuclear_norm] = nuc, row[COL_eff_rank] = er;
    row[COL_sv1] = sv[0], row[COL_sv2] = sv[1], row[COL_sv3] = sv[2], row[COL_sv4] = sv[3], row[COL_sv5] = sv[4];
    if (E->tr.flow) {
        row[COL_grad_evals] = (double)gk_flow_evals(E->tr.flow);
        row[COL_flow_step] = gk_flow_step_size(E->tr.flow);
    }
    gk_snap_trio_take(&E->snap, step, 0.3 * E->predicted, E->W); /* for the matrices figure */
    return GK_OK;
}

/* The figure's snapshots change at eval points: a resumed run draws the same matrices. */
static void mc_visit(void *state, gk_state *s) {
    gk_snap_trio_visit(&((mc_exp *)state)->snap, "mc.snap", s);
}

static gk_trainer *mc_trainer(void *state) { return &((mc_exp *)state)->tr; }
static double mc_predicted(void *state) { return ((mc_exp *)state)->predicted; }

static gk_status mc_save(void *state, const char *dir, gk_error *err) {
    return gk_mc_data_save_csv(&((mc_exp *)state)->D, dir, err);
}

/* The references' own numbers. */
static void summarize_references(const mc_exp *E, cJSON *sum) {
    const gk_mc_data *D = &E->D;
    const size_t d = E->d;
    const double nt = D->ntest ? (double)D->ntest : NAN, nu = D->nup ? (double)D->nup : NAN;
    gk_error e2 = {{0}};
    cJSON_AddNumberToObject(sum, "d", (double)d);
    cJSON_AddNumberToObject(sum, "n_obs", (double)D->nobs);
    cJSON_AddNumberToObject(sum, "n_test", (double)D->ntest);
    cJSON_AddNumberToObject(sum, "n_test_upper", (double)D->nup);
    gk_json_number(sum, "init_test_mse", E->ref.test_norm * E->ref.test_norm / nt);
    gk_json_number(sum, "zero_fill_test_mse", gk_mc_test_sq(D, E->ref.Wz, NULL, 0) / nt);
    gk_json_number(sum, "zero_fill_test_mse_upper", gk_mc_test_sq(D, E->ref.Wz, NULL, 1) / nu);
    gk_json_number(sum, "nucnorm_test_mse", gk_mc_test_sq(D, E->ref.Wn, NULL, 0) / nt);
    gk_json_number(sum, "nucnorm_test_mse_upper", gk_mc_test_sq(D, E->ref.Wn, NULL, 1) / nu);
    gk_json_number(sum, "nucnorm_dist_target", sqrt(gk_mc_test_sq(D, E->ref.Wn, NULL, 0)) / E->ref.test_norm);
    gk_json_number(sum, "nucnorm_residual", E->ref.nuc_residual);
    if (E->ref.nuc_error[0]) cJSON_AddStringToObject(sum, "nucnorm_error", E->ref.nuc_error);
    gk_json_number(sum, "nuclear_norm_target", gk_nuclear_norm(D->target, d, &e2));
    gk_json_number(sum, "nuclear_norm_zero_fill", gk_nuclear_norm(E->ref.Wz, d, &e2));
    gk_json_number(sum, "nuclear_norm_nucnorm", isfinite(E->ref.Wn[0]) ? gk_nuclear_norm(E->ref.Wn, d, &e2) : NAN);
}

/* The references alone (groklab theory): the zero fill (the kernel predictor) and the min-nuclear-norm
 * completion, by their test MSE. */
static gk_status mc_references(void *state, cJSON *o, gk_error *err) {
    const mc_exp *E = state;
    const gk_mc_data *D = &E->D;
    const double nt = D->ntest ? (double)D->ntest : NAN;
    cJSON *refs = cJSON_AddObjectToObject(o, "references");
    gk_json_number(cJSON_AddObjectToObject(refs, "zero_fill"), "test_loss", gk_mc_test_sq(D, E->ref.Wz, NULL, 0) / nt);
    cJSON *n = cJSON_AddObjectToObject(refs, "nucnorm");
    if (E->ref.nuc_error[0] && !isfinite(E->ref.nuc_residual)) {
        cJSON_AddStringToObject(n, "unavailable", E->ref.nuc_error);
        return GK_OK;
    }
    gk_json_number(n, "test_loss", gk_mc_test_sq(D, E->ref.Wn, NULL, 0) / nt);
    gk_json_number(n, "dist_target", sqrt(gk_mc_test_sq(D, E->ref.Wn, NULL, 0)) / E->ref.test_norm);
    return GK_OK;
}

static const gk_rule mc_rules[] = {
    {"train set fit", "train_loss", GK_RULE_FRAC_OF_START, 1e-3, NULL},
    {NULL, NULL, 0, 0, NULL},
};

/* The regression phenomena: when the train loss was fit (mc_rules[0]), the test-loss plateau that follows, and
 * when the test loss fell below a tenth of it. */
static void summarize_drop(const mc_exp *E, const gk_metrics *m, cJSON *sum) {
    int cte = gk_metrics_col(m, "test_loss");
    long fit = gk_rule_row(&mc_rules[0], m), drop = -1;
    double plateau = NAN;
    if (fit >= 0 && cte >= 0) {
        plateau = gk_metrics_at(m, (size_t)fit, cte);
        for (size_t r = (size_t)fit; r < m->nrows && drop < 0; r++)
            if (gk_metrics_at(m, r, cte) < 0.1 * plateau) drop = (long)r;
    }
    gk_json_number(sum, "train_fit_step", gk_metrics_step_of(m, fit));
    cJSON_AddStringToObject(sum, "train_fit_rule", "train MSE <= 1e-3 x its initial value");
    gk_json_number(sum, "plateau_test_loss", plateau);
    double st = gk_metrics_step_of(m, drop);
    gk_json_number(sum, "test_drop_step", st);
    gk_phenomenon_add(sum, "test loss dropped", "test_loss < 0.1 x its value when the train set was fit", m, drop,
                      E->predicted);
    if (drop >= 0) {
        gk_json_number(sum, "drop_over_predicted", isfinite(E->predicted) && E->predicted > 0 ? st / E->predicted : NAN);
        cJSON_AddNumberToObject(sum, "test_drop_time", gk_trainer_time(&E->tr, (long)st));
    }
}

static gk_status mc_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    summarize_references(state, sum);
    summarize_drop(state, m, sum);
    return GK_OK;
}

static const gk_fact mc_facts[] = {
    GK_MIN_OF("min_test_loss", "test_loss"),
    GK_FINAL_OF("final_test_loss_upper", "test_loss_upper"),
    GK_FINAL_OF("final_nuclear_norm", "nuclear_norm"),
    GK_FINAL_OF("final_eff_rank", "eff_rank"),
    GK_FINAL_OF("final_dist_kernel", "dist_kernel"),
    GK_FINAL_OF("final_dist_nucnorm", "dist_nucnorm"),
    GK_FINAL_OF("final_dist_target", "dist_target"),
    {NULL},
};

static gk_status mc_figures(void *state, const gk_metrics *m, const char *dir, gk_error *err) {
    mc_exp *E = state;
    if (E->snap.end_step < 0) return GK_OK;
    char t1[64], t2[64], base[1024], title[128];
    int has_t = isfinite(E->predicted) && E->predicted > 0;
    if (has_t) snprintf(t2, sizeof t2, "W, end (%.2g t*)", (double)E->snap.end_step / E->predicted);
    else snprintf(t2, sizeof t2, "W, step %ld", E->snap.end_step);
    const char *titles[4];
    const double *mats[4];
    int n = 0;
    titles[n] = E->sigma > 0 ? "W at init" : "W at init (= 0: U = V)", mats[n++] = E->snap.init;
    if (has_t && E->snap.plateau_step > 0 && E->snap.plateau_step < E->snap.end_step) {
        snprintf(t1, sizeof t1, "W, plateau (%.2g t*)", (double)E->snap.plateau_step / E->predicted);
        titles[n] = t1, mats[n++] = E->snap.plateau;
    }
    titles[n] = t2, mats[n++] = E->snap.end;
    titles[n] = "target X*", mats[n++] = E->D.target;
    snprintf(title, sizeof title, "matrix completion, d = %zu, %zu observed entries", E->d, E->D.nobs);
    gk_status s = gk_path_join(base, sizeof base, dir, "matrices", err);
    return s ? s : gk_plot_matrices(base, title, titles, mats, n, E->d, E->d, "entry value", err);
}

static const gk_rule *mc_rule_list(void *state) { return mc_rules; }

/* Peak memory: about 16 d x d matrices (the target, the references, the factors, the SVD workspaces). */
static double mc_bytes(const gk_config *cfg, const char **key) {
    double d = (double)gk_config_int(cfg, "d");
    *key = "d";
    return 16.0 * 8.0 * d * d;
}

static const gk_exp_type mc_type = {
    .memory_bytes = mc_bytes,
    .references = mc_references,
    .rules = mc_rule_list,
    .name = "mc",
    .params = mc_params,
    .check = mc_check,
    .create = mc_create,
    .destroy = mc_destroy,
    .cols = mc_cols,
    .columns_doc = "W = U Uᵀ − V Vᵀ (symmetric); the singular values are the absolute eigenvalues of W.",
    .trainer = mc_trainer,
    .visit = mc_visit,
    .eval = mc_eval,
    .predicted_step = mc_predicted,
    .save_data = mc_save,
    .facts = mc_facts,
    .summarize = mc_summarize,
    .figures = mc_figures,
};

const gk_preset gk_presets_mc[] = {
    {"mc-multiply", &mc_type, "Lyu et al. 2024", "Fig. 3",
     "matrix completion groks: the multiplication table, 5% observed, fit in ~10 steps, test loss drops near t*",
     "d=97 obs_frac=0.05 alpha=10 lr=0.1 wd=1e-4 steps=1500000 evals=150 evals_lin=150"},
    {"mc-multiply-fast", &mc_type, "Lyu et al. 2024", "Fig. 3 (scaled down)",
     "the same grokking on a 40 x 40 multiplication table in a few seconds",
     "d=40 obs_frac=0.15 alpha=10 lr=0.1 wd=1e-3 steps=150000 evals=100 evals_lin=100"},
    {"mc-lowrank", &mc_type, "Lyu et al. 2024", "Sec. 3.3.3 (rank-2 target)",
     "grokking on a random rank-2 symmetric target: zero fill first, the min-nuclear-norm completion after t*",
     "target=lowrank rank=2 d=97 obs_frac=0.1 alpha=10 lr=0.1 wd=1e-4 steps=1500000 evals=150 evals_lin=150"},
    {"mc-multiply-flow", &mc_type, "Lyu et al. 2024", "Fig. 3, gradient flow",
     "mc-multiply by gradient flow (implicit BDF, matrix-free): the plateau and the drop to 6.5 t* with ~1/500 of the gradients",
     "d=97 obs_frac=0.05 alpha=10 lr=0.1 wd=1e-4 steps=1500000 evals=150 evals_lin=150 opt=flow flow_method=bdf rtol=1e-6 atol=1e-9"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
