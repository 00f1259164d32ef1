/* teacher.c: teacher-student grokking (Liu, Michaud, Tegmark 2023 "Omnigrok" Fig. 2; Kumar, Bordelon, Gershman,
 * Pehlevan ICLR 2024 Fig. 8, App. 8.3.1). A 5-100-100-5 tanh student whose PyTorch-default init is multiplied by
 * init_scale (2) learns a random teacher of the same shape (default init) from 100 Gaussian inputs, by full-batch
 * AdamW (lr 3e-4, wd 0.05) on the MSE. Its output is multiplied by out_scale (Kumar's output scale alpha; paper
 * values 0.1 .. 3). "Accuracy" is the share of samples whose per-sample MSE, the mean over the d_out outputs of
 * (f - y)^2, is below `threshold` (0.001, the Omnigrok notebook's value; Kumar Fig. 17 sweeps it). The large init
 * fits the train set early with a test MSE far above the threshold; weight decay then shrinks the weights and the
 * test accuracy rises much later. Measured with the preset (1e5 steps, seed 1): train_acc >= 0.99 at step 891 with
 * test_acc 0.10, test_acc 0.5 at 7.9k, 0.9 at 22.4k, 0.95 at 27k, final 1.0; norm 17.4 -> 6.0. A larger output
 * scale delays the rise (step of test_acc >= 0.9: 681, 3.2k, 13.3k, 17.8k, 22.4k, 38.3k for out_scale 0.1, 0.25,
 * 0.5, 0.75, 1, 3; test_acc at the fit 0.82 .. 0.00), as Kumar's laziness picture predicts; init_scale 1 or 0.5
 * fits and generalises together; a smaller threshold lengthens the delay (Kumar Fig. 17).
 *
 * Wiring: data (data/teacher_data: x ~ N(0, I), y = teacher(x)) -> student (model/mlp_tanh) -> MSE mean over
 * n d_out entries (train/train.h gk_mse_loss, PyTorch's MSELoss) -> AdamW full batch (train/adamw.c).
 * center=1 trains the centred predictor f - f0 (Kumar Sec. 8.1); the notebook and the preset do not.
 *
 * Metrics: train/test loss (MSE) and accuracy, the parameter norm, and the distance from init relative to the
 * initial norm. */
#include "exp/exp.h"
#include "exp/teacher.h"

#include "data/teacher_task.h"
#include "model/mlp_tanh.h"
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STUDENT_STREAM UINT64_C(0x7473737475) /* "tsstu" */

static const gk_param_spec ts_params[] = {
    {"d_in", GK_P_INT, "5", 1, 100000, 0, 0, NULL, "input size (x ~ N(0, I_d_in))"},
    {"width", GK_P_INT, "100", 1, 100000, 0, 0, NULL, "hidden width (teacher and student)"},
    {"depth", GK_P_INT, "3", 1, GK_TANH_MAX_LAYERS, 0, 0, NULL, "linear layers (3: d_in -> width -> width -> d_out)"},
    {"d_out", GK_P_INT, "5", 1, 100000, 0, 0, NULL, "output size"},
    {"n_train", GK_P_INT, "100", 1, 1e7, 0, 0, NULL, "train samples"},
    {"n_test", GK_P_INT, "100", 1, 1e7, 0, 0, NULL, "test samples"},
    {"data_seed", GK_P_INT, "0", 0, 4294967295.0, 0, 0, NULL, "seed of the inputs and of the teacher (0: the same as seed)"},
    {"init_scale", GK_P_REAL, "2", 0, INFINITY, 1, 0, NULL, "the student's PyTorch default init times this (Omnigrok alpha)"},
    {"out_scale", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "output scale: f = out_scale (a W_L + b_L) (Kumar's alpha; paper 0.1 .. 3)"},
    {"center", GK_P_BOOL, "0", 0, 1, 0, 0, NULL, "train the centred predictor f - f0 (Kumar Sec. 8.1)"},
    {"threshold", GK_P_REAL, "0.001", 0, INFINITY, 1, 0, NULL,
     "a sample is correct if its MSE (mean over the d_out outputs) is below this"},
    {"lr", GK_P_REAL, "3e-4", 0, INFINITY, 1, 0, NULL, "AdamW learning rate"},
    {"wd", GK_P_REAL, "0.05", 0, INFINITY, 0, 0, NULL, "AdamW decoupled weight decay (theta *= 1 - lr wd)"},
    GK_ADAMW_PARAMS("0.999", "0"),
    GK_TRANSFORM_PARAMS,
    GK_INTERVENTION_PARAMS,
    GK_COMMON_PARAMS("100000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct ts_exp {
    gk_teacher_data data;
    gk_model model;
    gk_trainer tr;
    size_t dout;
    double threshold;
    double *f_train, *f_test, *dldf;
    double *t_train, *t_test; /* the regression targets: y, or y + f0 when centred */
} ts_exp;

gk_status gk_teacher_targets(gk_teacher_data *d, const size_t *widths, int nlayers, uint64_t seed, gk_error *err) {
    gk_model teacher;
    gk_status s = gk_mlp_tanh_create(&teacher, widths, nlayers, 1.0, GK_TEACHER_STREAM, err);
    if (!s) s = gk_model_reserve(&teacher, d->n_train > d->n_test ? d->n_train : d->n_test, err);
    double *theta = s ? NULL : malloc(teacher.params.size * sizeof(double));
    if (!s && !theta) s = gk_fail(err, GK_ENOMEM, "out of memory for the teacher");
    if (!s) {
        gk_model_init(&teacher, 1.0, seed, theta);
        d->teacher_norm = gk_norm2(theta, teacher.params.size);
        s = gk_model_forward(&teacher, theta, d->x_train, d->n_train, d->y_train, err);
    }
    if (!s) s = gk_model_forward(&teacher, theta, d->x_test, d->n_test, d->y_test, err);
    free(theta);
    gk_model_free(&teacher);
    return s;
}

static void ts_destroy(void *state) {
    ts_exp *E = state;
    if (!E) return;
    gk_teacher_data_free(&E->data);
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    free(E->f_train), free(E->f_test), free(E->dldf);
    free(E->t_train), free(E->t_test);
    free(E);
}

/* The training objective: the MSE on the (shifted) train targets and its gradient. */
static gk_status ts_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    ts_exp *E = ud;
    const size_t n = E->data.n_train;
    gk_status s = gk_model_forward(&E->model, theta, E->data.x_train, n, E->f_train, err);
    if (s) return s;
    *loss = gk_mse_loss(E->f_train, E->t_train, n * E->dout, E->dldf);
    if (isfinite(*loss)) gk_model_backward(&E->model, theta, E->data.x_train, n, E->dldf, grad);
    return GK_OK;
}

static gk_status ts_create(const gk_config *cfg, void **state, gk_error *err) {
    *state = NULL;
    ts_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    const int L = (int)gk_config_int(cfg, "depth");
    size_t widths[GK_TANH_MAX_LAYERS + 1];
    widths[0] = (size_t)gk_config_int(cfg, "d_in");
    for (int l = 1; l < L; l++) widths[l] = (size_t)gk_config_int(cfg, "width");
    widths[L] = (size_t)gk_config_int(cfg, "d_out");
    const uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    const uint64_t dseed = gk_config_int(cfg, "data_seed") ? (uint64_t)gk_config_int(cfg, "data_seed") : seed;
    const size_t ntr = (size_t)gk_config_int(cfg, "n_train"), nte = (size_t)gk_config_int(cfg, "n_test");
    gk_status s = gk_teacher_data_make(&E->data, widths[0], widths[L], ntr, nte, dseed, err);
    if (!s) s = gk_teacher_targets(&E->data, widths, L, dseed, err);
    if (!s) s = gk_mlp_tanh_create(&E->model, widths, L, gk_config_real(cfg, "out_scale"), STUDENT_STREAM, err);
    if (!s) s = gk_model_reserve(&E->model, ntr > nte ? ntr : nte, err);
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW};
    gk_train_opts_adamw_from_config(cfg, &o);
    gk_train_opts_transforms_from_config(cfg, &o);
    gk_train_opts_interventions_from_config(cfg, &o);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, ts_objective, NULL, E, err);
    if (s) {
        ts_destroy(E);
        return s;
    }
    E->tr.table = &E->model.params;
    const size_t dout = E->dout = widths[L];
    double *theta = E->tr.theta;
    E->threshold = gk_config_real(cfg, "threshold");
    E->f_train = malloc(ntr * dout * sizeof(double));
    E->f_test = malloc(nte * dout * sizeof(double));
    E->dldf = malloc(ntr * dout * sizeof(double));
    E->t_train = malloc(ntr * dout * sizeof(double));
    E->t_test = malloc(nte * dout * sizeof(double));
    if (!E->f_train || !E->f_test || !E->dldf || !E->t_train || !E->t_test) {
        ts_destroy(E);
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu + %zu samples", ntr, nte);
    }
    gk_model_init(&E->model, gk_config_real(cfg, "init_scale"), seed, theta);
    memcpy(E->t_train, E->data.y_train, ntr * dout * sizeof(double));
    memcpy(E->t_test, E->data.y_test, nte * dout * sizeof(double));
    if (gk_config_bool(cfg, "center")) {
        /* (f - f0) - y = f - (y + f0): train f on the shifted targets */
        s = gk_model_forward(&E->model, theta, E->data.x_train, ntr, E->f_train, err);
        if (!s) s = gk_model_forward(&E->model, theta, E->data.x_test, nte, E->f_test, err);
        for (size_t k = 0; !s && k < ntr * dout; k++) E->t_train[k] += E->f_train[k];
        for (size_t k = 0; !s && k < nte * dout; k++) E->t_test[k] += E->f_test[k];
    }
    if (!s) s = gk_trainer_start(&E->tr, err);
    if (s) {
        ts_destroy(E);
        return s;
    }
    *state = E;
    return GK_OK;
}

#define TS_COLUMNS(X, F)                                                                                           \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean squared error over all outputs on the train set")        \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL,                                                                \
      "share of train samples whose own MSE (mean over the outputs) is below `threshold` (1e-3)")                 \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "the same loss on the test set")                                \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "the same accuracy on the test set")                             \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)
GK_COLUMNS(ts_cols, TS_COLUMNS);

static gk_status ts_eval(void *state, double *row, gk_error *err) {
    ts_exp *E = state;
    const size_t n = E->data.n_train, nt = E->data.n_test;
    gk_status s = gk_model_forward(&E->model, E->tr.theta, E->data.x_train, n, E->f_train, err);
    if (!s) s = gk_model_forward(&E->model, E->tr.theta, E->data.x_test, nt, E->f_test, err);
    if (s) return s;
    row[COL_train_loss] = gk_teacher_mse_acc(E->f_train, E->t_train, n, E->dout, E->threshold, &row[COL_train_acc]);
    row[COL_test_loss] = gk_teacher_mse_acc(E->f_test, E->t_test, nt, E->dout, E->threshold, &row[COL_test_acc]);
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr);
    row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    return GK_OK;
}

/* The teacher's size, and what "accuracy" means here. */
static gk_status ts_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    ts_exp *E = state;
    double y2 = 0;
    for (size_t k = 0; k < E->data.n_test * E->dout; k++) y2 += E->data.y_test[k] * E->data.y_test[k];
    cJSON_AddNumberToObject(sum, "teacher_norm", E->data.teacher_norm);
    cJSON_AddNumberToObject(sum, "test_target_mean_square", y2 / (double)(E->data.n_test * E->dout));
    cJSON_AddStringToObject(sum, "acc_rule", "per-sample MSE (mean over the outputs) < threshold");
    return GK_OK;
}

/* Fit, then generalise: the fit step (train_acc >= 0.99), the test accuracy and loss there, the first steps with
 * test_acc >= 0.5 and >= 0.9 and their ratio to the fit step, and the norms. */
static const gk_fact ts_facts[] = {
    GK_FIT_FACTS,
    GK_VALUE_AT("test_loss_at_fit", "test_loss", "train_fit_step"),
    GK_STEP_WHEN("test_acc50_step", "test_acc", GK_RULE_AT_LEAST, 0.5, NULL),
    GK_STEP_WHEN("test_acc90_step", "test_acc", GK_RULE_AT_LEAST, 0.9, NULL),
    GK_RATIO_OF("delay50_ratio", "test_acc50_step", "train_fit_step"),
    {NULL},
};

/* mse.png/svg: train and test MSE on a log axis with the accuracy threshold drawn as a dashed line (the mean
 * MSE falls below it before most samples do), and the parameter norm as the weight decay shrinks it. */
static const gk_curve_figure ts_curves[] = {
    {.file = "mse", .title = "teacher-student: the test MSE falls long after the train MSE",
     .panels = {{.title = "MSE (mean over samples and outputs)", .ylabel = "MSE", .logy = 1,
                 .curves = {{"train_loss", "train", 0}, {"test_loss", "test", 0}},
                 .hline_key = "threshold", .hline_label = "accuracy threshold"},
                {.title = "parameter norm", .ylabel = "||#gh||", .curves = {{"param_norm", "||#gh||", 0}}}}},
    {NULL},
};

/* --save-data: the inputs and the teacher's outputs (the raw targets, without the centring shift). */
static gk_status ts_save(void *state, const char *dir, gk_error *err) {
    return gk_teacher_data_save_csv(&((ts_exp *)state)->data, dir, err);
}

static gk_trainer *ts_trainer(void *state) { return &((ts_exp *)state)->tr; }

/* Fit, then generalise: the share of test samples with MSE below the threshold rises long after the fit. */
static const gk_rule ts_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy rose", "test_acc", GK_RULE_AT_LEAST, 0.5, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, 0.9, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *ts_rule_list(void *state) { return ts_rules; }

static const gk_exp_type teacher_type = {
    .rules = ts_rule_list,
    .name = "teacher",
    .params = ts_params,
    .create = ts_create,
    .destroy = ts_destroy,
    .cols = ts_cols,
    .trainer = ts_trainer,
    .eval = ts_eval,
    .save_data = ts_save,
    .facts = ts_facts,
    .curves = ts_curves,
    .summarize = ts_summarize,
};

const gk_preset gk_presets_teacher[] = {
    {"kumar-teacher", &teacher_type, "Kumar et al. 2024 (setup of Omnigrok Fig. 2)", "Fig. 8, App. 8.3.1",
     "teacher-student 5-100-100-5 tanh MLP, student init x2, AdamW: the train set is fit at step ~900 with test "
     "accuracy (per-sample MSE < 1e-3) 0.1, which reaches 0.95 ~30x later; a larger output scale out_scale (paper "
     "0.1 .. 3) delays it more, 0.1 removes the delay",
     "d_in=5 width=100 depth=3 d_out=5 n_train=100 n_test=100 init_scale=2 out_scale=1 lr=3e-4 wd=0.05 "
     "threshold=0.001 steps=100000 evals=100 evals_lin=100"},
    {"goldilocks-teacher", &teacher_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "Fig. 2 (teacher-student landscape)",
     "the 5-100-100-5 tanh student trained with its parameter norm held at the init's (fixed_norm, wd 0, Adam lr 3e-4, "
     "full batch): sweep init_scale (alpha) for the final train loss (L) and test loss (U) against the norm",
     "d_in=5 width=100 depth=3 d_out=5 n_train=100 n_test=100 init_scale=1 out_scale=1 lr=3e-4 wd=0 fixed_norm=1 "
     "threshold=0.001 steps=10000 evals=40 evals_lin=20"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
