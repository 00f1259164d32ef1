/* power.c: the original grokking experiment (Power, Burda, Edwards, Babuschkin, Misra 2022): a decoder-only
 * transformer (model/transformer, 2 layers, width 128, 4 heads in the paper) trained with minibatch AdamW
 * (lr 1e-3, betas 0.9/0.98, weight decay 1, 10 warmup steps, batch min(512, half the train set)) on one
 * binary operation table (data/power_ops: nine on Z_97, three on S_5), the loss on the answer only. The train
 * set is fit within ~1e3 steps; the validation accuracy follows much later.
 *
 * Wiring: dataset (data/power_ops) -> model (model/transformer on <x><op><y><=>, logits over the N elements at
 * '=') -> softmax cross-entropy of the answer -> AdamW on minibatches. The "test" columns are the paper's
 * validation set (the equations not trained on).
 *
 * Minibatches are the trainer's (epoch shuffles or with replacement, checkpointed); the batch is capped at half
 * the train set unless batch_half=0. Dropout masks are seeded by the trainer's step seed, so a resumed run
 * draws the same masks. The trainer's interventions (gradient and weight noise, decay toward init, fixed
 * norm) are keys of this experiment (Fig. 2 left).
 *
 * Metrics: train/test loss and accuracy (argmax; ties count as wrong), with label noise the train accuracy on
 * the clean rows and on the corrupted rows (against the labels trained on: memorised?), the parameter norm, the
 * distance from init and the norm of each tensor (norm_W_U: the output layer).
 *
 * A second type, power-slingshot (preset slingshot-power-fast), is this experiment whose summary also lists the
 * slingshot's cycles in norm_W_U (Thilak et al. 2022; report/slingshot.c). */
#include "exp/exp.h"

#include "data/power_ops.h"
#include "exp/power_weights.h"
#include "model/transformer.h"
#include "report/slingshot.h"
#include "report/tensor_norms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EVAL_CHUNK 1024 /* sequences per forward at an eval */

static const gk_param_spec power_params[] = {
    {"op", GK_P_ENUM, "add", 0, 0, 0, 0, GK_POWER_OP_CHOICES,
     "the table: x+y, x-y, x/y, x/y if y odd else x-y, x^2+y^2, x^2+xy+y^2, x^2+xy+y^2+x, x^3+xy, x^3+xy^2+y (mod p); "
     "x.y, x.y.x^-1, x.y.x (on S_sn)"},
    {"p", GK_P_INT, "97", 2, 4000, 0, 0, NULL, "modulus of the Z_p operations (prime for div and div_odd)"},
    {"sn", GK_P_INT, "5", 3, 6, 0, 0, NULL, "n of the symmetric group S_n of the perm_* operations"},
    {"frac", GK_P_REAL, "0.5", 0, 1, 1, 1, NULL, "train fraction of all equations (the rest is the validation set)"},
    {"split_seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of the train/validation split"},
    {"label_noise", GK_P_REAL, "0", 0, 1, 0, 0, NULL, "fraction of the train rows given a random wrong answer"},
    {"noise_seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of which rows are corrupted and how"},
    {"layers", GK_P_INT, "2", 1, 64, 0, 0, NULL, "transformer layers"},
    {"d_model", GK_P_INT, "128", 1, 65536, 0, 0, NULL, "residual width (a multiple of heads)"},
    {"heads", GK_P_INT, "4", 1, 65536, 0, 0, NULL, "attention heads (d_head = d_model / heads)"},
    {"d_ff", GK_P_INT, "512", 1, 1048576, 0, 0, NULL, "feed-forward hidden width"},
    {"ln", GK_P_ENUM, "post", 0, 0, 0, 0, GK_TF_LN_CHOICES,
     "LayerNorm after each residual add (the authors' code), before each sublayer (with a final LN), or none"},
    {"pos", GK_P_ENUM, "sin", 0, 0, 0, 0, GK_TF_POS_CHOICES, "positions: fixed sinusoids or learned"},
    {"act", GK_P_ENUM, "relu", 0, 0, 0, 0, GK_TF_ACT_CHOICES, "feed-forward activation"},
    {"dropout", GK_P_REAL, "0", 0, 1, 0, 1, NULL, "dropout on the feed-forward output (residual dropout; Fig. 2 left: 0.1)"},
    {"alpha", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "init scale: PyTorch's default init times alpha"},
    {"precision", GK_P_ENUM, "f64", 0, 0, 0, 0, "f64|f32",
     "the transformer's arithmetic: f32 runs forward and backward in float32 and rounds theta to float after each "
     "update (the loss stays in double unless softmax_precision=f32)"},
    {"softmax_precision", GK_P_ENUM, "f64", 0, 0, 0, 0, "f64|f32",
     "the training step's softmax cross-entropy and its gradient per sample in float32, as PyTorch on float32 logits "
     "(the answer's probability rounds to 1 once its margin passes ~17 nats, near a loss of 1e-7: the softmax "
     "collapse), or in double (near 1e-16); the eval's losses stay in double"},
    {"lr", GK_P_REAL, "1e-3", 0, INFINITY, 1, 0, NULL, "AdamW learning rate"},
    {"wd", GK_P_REAL, "1", 0, INFINITY, 0, 0, NULL, "AdamW decoupled weight decay (0: Adam)"},
    GK_ADAMW_PARAMS("0.98", "10"),
    GK_BATCH_PARAMS("512"),
    GK_INTERVENTION_PARAMS,
    {"batch_half", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "cap the batch at half the train set (the paper's min(512, n/2))"},
    GK_COMMON_PARAMS("100000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct power_exp {
    gk_power_data D;
    gk_tf_dims dims;
    gk_model model;
    gk_trainer tr;
    uint64_t seed;
    size_t batch;                /* rows per step (n_train: full batch) */
    size_t cap;                  /* rows of a batch or an eval chunk the buffers hold */
    int *btok, *by;              /* the batch's tokens and labels */
    double *f, *dldf;            /* logits and their gradient (batch or eval chunk rows) */
    double *f_all;               /* logits of every equation at an eval (n_total x N) */
    char norm_names[GK_MAX_TENSORS][40];
    gk_wu_snaps wu;              /* the unembedding at the start and at the fit (Fig. 3) */
    size_t wu_offset;            /* W_U in theta */
    int sm32;                    /* softmax_precision=f32 */
} power_exp;

static gk_tf_dims dims_of(const gk_config *cfg, size_t N) {
    return (gk_tf_dims){N + 2, 4, N, (size_t)gk_config_int(cfg, "layers"), (size_t)gk_config_int(cfg, "d_model"),
                        (size_t)gk_config_int(cfg, "heads"), (size_t)gk_config_int(cfg, "d_ff"),
                        (gk_tf_ln)gk_config_int(cfg, "ln"), (gk_tf_pos)gk_config_int(cfg, "pos"),
                        (gk_tf_act)gk_config_int(cfg, "act"), gk_config_real(cfg, "dropout"),
                        !strcmp(gk_config_str(cfg, "precision"), "f32")};
}
static int m_of(const gk_config *cfg, gk_power_op op) {
    return (int)gk_config_int(cfg, gk_power_op_is_perm(op) ? "sn" : "p");
}
static size_t elements_of(gk_power_op op, int m) {
    size_t N = 1;
    for (int k = 2; k <= m && gk_power_op_is_perm(op); k++) N *= (size_t)k;
    return gk_power_op_is_perm(op) ? N : (size_t)m;
}

static gk_status power_check(const gk_config *cfg, gk_error *err) {
    gk_power_op op;
    gk_status s = gk_power_op_parse(gk_config_str(cfg, "op"), &op, err);
    if (s) return s;
    const int m = m_of(cfg, op);
    s = gk_power_check(op, m, gk_config_real(cfg, "frac"), gk_config_real(cfg, "label_noise"), err);
    const gk_tf_dims d = dims_of(cfg, elements_of(op, m));
    return s ? s : gk_tf_check(&d, err);
}

static void power_destroy(void *state) {
    power_exp *E = state;
    if (!E) return;
    gk_power_data_free(&E->D);
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    free(E->btok), free(E->by), free(E->f), free(E->dldf);
    free(E->f_all);
    gk_wu_snaps_free(&E->wu);
    free(E);
}

/* The mean cross-entropy of train rows idx[0..n) and its gradient (the minibatch objective). */
static gk_status batch_objective(void *ud, const double *theta, const size_t *idx, size_t n, double *grad, double *loss,
                                 gk_error *err) {
    power_exp *E = ud;
    for (size_t j = 0; j < n; j++) {
        memcpy(E->btok + 4 * j, E->D.tok + 4 * idx[j], 4 * sizeof(int));
        E->by[j] = E->D.y[idx[j]];
    }
    const gk_seq_input in = {n, 4, E->btok};
    if (n > E->cap)
        return gk_fail(err, GK_EINVAL, "power: a batch of %zu rows, but room for %zu (the full-batch objective is not "
                       "available at this size)", n, E->cap);
    gk_tf_set_dropout(&E->model, 1, gk_trainer_step_seed(&E->tr, 0x64726f70));
    gk_status s = gk_model_forward(&E->model, theta, &in, n, E->f, err);
    gk_tf_set_dropout(&E->model, 0, 0);
    if (s) return s;
    *loss = (E->sm32 ? gk_softmax_xent_loss_f32 : gk_softmax_xent_loss)(E->f, E->by, n, E->D.N, E->dldf);
    if (isfinite(*loss)) gk_model_backward(&E->model, theta, &in, n, E->dldf, grad);
    return GK_OK;
}

static size_t batch_of(const gk_config *cfg, size_t n_train) {
    size_t B = (size_t)gk_config_int(cfg, "batch");
    if (B == 0 || B > n_train) B = n_train;
    if (gk_config_bool(cfg, "batch_half") && B > n_train / 2 && n_train >= 2) B = n_train / 2;
    return B;
}

static gk_status alloc_buffers(power_exp *E, gk_error *err) {
    const size_t n = E->D.n_train, B = E->batch < n ? E->batch : n, N = E->D.N;
    const size_t rows = B > EVAL_CHUNK ? B : EVAL_CHUNK;
    E->cap = rows;
    E->btok = malloc(4 * rows * sizeof(int));
    E->by = malloc(rows * sizeof(int));
    E->f = malloc(rows * N * sizeof(double));
    E->dldf = malloc(rows * N * sizeof(double));
    E->f_all = malloc(E->D.n_total * N * sizeof(double));
    if (!E->btok || !E->by || !E->f || !E->dldf || !E->f_all)
        return gk_fail(err, GK_ENOMEM, "out of memory for %zu equations", E->D.n_total);
    return gk_model_reserve(&E->model, rows, err);
}

/* The unembedding's place in theta and its snapshot at the start. */
static gk_status wu_start(power_exp *E, gk_error *err) {
    for (int k = 0; k < E->model.params.count; k++)
        if (!strcmp(E->model.params.t[k].name, "W_U")) E->wu_offset = E->model.params.t[k].offset;
    return gk_wu_snaps_init(&E->wu, E->dims.d_model, E->D.N, E->tr.theta + E->wu_offset, err);
}

static gk_status power_create(const gk_config *cfg, void **state, gk_error *err) {
    *state = NULL;
    power_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_power_op op;
    gk_status s = gk_power_op_parse(gk_config_str(cfg, "op"), &op, err);
    const int m = s ? 0 : m_of(cfg, op);
    if (!s)
        s = gk_power_data_make(&E->D, op, m, gk_config_real(cfg, "frac"), (uint64_t)gk_config_int(cfg, "split_seed"),
                               gk_config_real(cfg, "label_noise"), (uint64_t)gk_config_int(cfg, "noise_seed"), err);
    E->seed = (uint64_t)gk_config_int(cfg, "seed");
    E->sm32 = !strcmp(gk_config_str(cfg, "softmax_precision"), "f32");
    if (!s) {
        E->dims = dims_of(cfg, E->D.N);
        E->batch = batch_of(cfg, E->D.n_train);
        s = gk_tf_create(&E->model, &E->dims, err);
    }
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW, .f32_params = E->dims.f32};
    gk_train_opts_from_config(cfg, &o);
    o.batch = (long)E->batch; /* with the cap at half the train set */
    if (!s) s = alloc_buffers(E, err);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, NULL, NULL, E, err);
    if (!s) s = gk_trainer_set_batch_objective(&E->tr, batch_objective, E->D.n_train, err);
    if (!s) {
        E->tr.table = &E->model.params;
        gk_model_init(&E->model, gk_config_real(cfg, "alpha"), E->seed, E->tr.theta);
        gk_tensor_norm_names(&E->model.params, E->norm_names);
        s = gk_trainer_start(&E->tr, err);
    }
    if (!s) s = wu_start(E, err);
    if (s) {
        power_destroy(E);
        return s;
    }
    *state = E;
    return GK_OK;
}

static int noisy_run(const power_exp *E) { return E->D.n_noisy > 0; }

static int with_noise(const void *state) { return noisy_run(state); }
static int power_norm_names(const void *state, const char **names) {
    const power_exp *E = state;
    return gk_tensor_norm_members(&E->model.params, E->norm_names, names);
}

#define POWER_COLUMNS(X, F)                                                                                        \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean cross-entropy of the answer token on the train equations") \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL,                                                                \
      "share of train equations whose largest answer logit is the answer trained on (a tie counts as wrong)")     \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "the same loss on the paper's validation set (the equations not trained on)") \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "the same accuracy on the validation set")                       \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                       \
    X(train_acc_clean, "share", GK_ROLE_NONE, with_noise,                                                         \
      "`label_noise` > 0: the train accuracy on the rows whose label was kept")                                   \
    X(train_acc_noisy, "share", GK_ROLE_NONE, with_noise,                                                         \
      "`label_noise` > 0: the train accuracy on the corrupted rows, against the labels trained on (memorised or not)") \
    F(norm_, "norm", GK_ROLE_NONE, NULL,                                                                          \
      "`norm_<tensor>`: Frobenius norm of each tensor of the decoder transformer: `norm_W_E`, `norm_W_pos` "      \
      "(embeddings), `norm_W_Q`, `norm_W_K`, `norm_W_V`, `norm_W_O` (attention), `norm_ln1_g`, `norm_ln1_b`, "    \
      "`norm_ln2_g`, `norm_ln2_b` (LayerNorm gains and biases), `norm_W_1`, `norm_W_2` (feed-forward: d_model → " \
      "d_ff → d_model), `norm_lnf_g`, `norm_lnf_b` (the final LayerNorm of `ln=pre`), `norm_W_U` (unembedding); " \
      "every layer stacked",                                                                                      \
      power_norm_names)
GK_COLUMNS(power_cols, POWER_COLUMNS);

/* The logits of every equation (eval chunks; no dropout). */
static gk_status forward_all(power_exp *E, gk_error *err) {
    const size_t N = E->D.N;
    for (size_t i0 = 0; i0 < E->D.n_total; i0 += EVAL_CHUNK) {
        const size_t n = E->D.n_total - i0 < EVAL_CHUNK ? E->D.n_total - i0 : EVAL_CHUNK;
        const gk_seq_input in = {n, 4, E->D.tok + 4 * i0};
        gk_status s = gk_model_forward(&E->model, E->tr.theta, &in, n, E->f_all + i0 * N, err);
        if (s) return s;
    }
    return GK_OK;
}

/* The accuracy of train rows with noisy flag == want (NaN if there are none). */
static double train_acc_where(const power_exp *E, int want) {
    const size_t N = E->D.N;
    size_t hit = 0, cnt = 0;
    for (size_t i = 0; i < E->D.n_train; i++) {
        if (E->D.noisy[i] != want) continue;
        double acc;
        gk_class_stats(E->f_all + i * N, E->D.y + i, 1, N, &acc, NULL);
        hit += acc == 1, cnt++;
    }
    return cnt ? (double)hit / (double)cnt : NAN;
}

static gk_status power_eval(void *state, double *row, gk_error *err) {
    power_exp *E = state;
    gk_status s = forward_all(E, err);
    if (s) return s;
    const size_t n = E->D.n_train, nv = E->D.n_val, N = E->D.N;
    const double *fv = E->f_all + n * N;
    row[COL_train_loss] = gk_softmax_xent_loss(E->f_all, E->D.y, n, N, NULL);
    gk_class_stats(E->f_all, E->D.y, n, N, &row[COL_train_acc], NULL);
    gk_wu_snaps_eval(&E->wu, E->tr.step, row[COL_train_acc], E->tr.theta + E->wu_offset);
    row[COL_test_loss] = gk_softmax_xent_loss(fv, E->D.y + n, nv, N, NULL);
    gk_class_stats(fv, E->D.y + n, nv, N, &row[COL_test_acc], NULL);
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr);
    row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    if (noisy_run(E)) row[COL_train_acc_clean] = train_acc_where(E, 0), row[COL_train_acc_noisy] = train_acc_where(E, 1);
    gk_tensor_norms(&E->model.params, E->tr.theta, &row[COL_norm_]);
    return GK_OK;
}

/* The validation loss's double descent (Fig. 4): its peak after step 0, and its minimum after the peak. */
static void val_loss_peak(const gk_metrics *m, cJSON *sum) {
    const int c = gk_metrics_col(m, "test_loss");
    long peak = -1;
    for (size_t r = 1; c >= 0 && r < m->nrows; r++)
        if (peak < 0 || gk_metrics_at(m, r, c) > gk_metrics_at(m, (size_t)peak, c)) peak = (long)r;
    if (peak < 0) return;
    double lo = gk_metrics_at(m, (size_t)peak, c);
    long lo_r = peak;
    for (size_t r = (size_t)peak; r < m->nrows; r++)
        if (gk_metrics_at(m, r, c) < lo) lo = gk_metrics_at(m, r, c), lo_r = (long)r;
    gk_json_number(sum, "val_loss_peak", gk_metrics_at(m, (size_t)peak, c));
    gk_json_number(sum, "val_loss_peak_step", gk_metrics_step_of(m, peak));
    gk_json_number(sum, "val_loss_min_after_peak", lo);
    gk_json_number(sum, "val_loss_min_after_peak_step", gk_metrics_step_of(m, lo_r));
    gk_json_number(sum, "val_loss_initial", gk_metrics_at(m, 0, c));
}

static gk_status power_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    const power_exp *E = state;
    cJSON_AddStringToObject(sum, "operation", gk_power_op_formula(E->D.op));
    cJSON_AddNumberToObject(sum, "train_equations", (double)E->D.n_train);
    cJSON_AddNumberToObject(sum, "val_equations", (double)E->D.n_val);
    cJSON_AddNumberToObject(sum, "noisy_train_rows", (double)E->D.n_noisy);
    cJSON_AddNumberToObject(sum, "batch_rows", (double)E->batch);
    size_t nonemb = 0;
    for (int k = 0; k < E->model.params.count; k++) {
        const gk_tensor *t = &E->model.params.t[k];
        if (strcmp(t->name, "W_E") && strcmp(t->name, "W_pos") && strcmp(t->name, "W_U")) nonemb += t->rows * t->cols;
    }
    cJSON_AddNumberToObject(sum, "non_embedding_params", (double)nonemb);
    val_loss_peak(m, sum);
    return gk_wu_snaps_summarize(&E->wu, E->tr.theta + E->wu_offset, sum, err);
}

static void power_visit(void *state, gk_state *st) { gk_wu_snaps_visit(&((power_exp *)state)->wu, st); }

/* wu_pca.png (Fig. 3): on S_n each element x is coloured by its coset x S_{n-1} (x's image of the last point). */
static gk_status power_figures(void *state, const gk_metrics *m, const char *dir, gk_error *err) {
    const power_exp *E = state;
    const int perm = gk_power_op_is_perm(E->D.op), n = E->D.m;
    int *coset = perm ? malloc(E->D.N * sizeof(int)) : NULL;
    if (perm && !coset) return gk_fail(err, GK_ENOMEM, "out of memory");
    for (size_t x = 0; perm && x < E->D.N; x++) coset[x] = E->D.perms[x * (size_t)n + (size_t)(n - 1)];
    gk_status s = gk_wu_figure(&E->wu, E->tr.theta + E->wu_offset, E->tr.step, coset, n, "coset: x(last) =", dir, err);
    free(coset);
    return s;
}

/* Steps to 99% train and 99% / 95% validation accuracy, the best validation accuracy, and the delay. */
static const gk_fact power_facts[] = {
    GK_STEP_WHEN("train99_step", "train_acc", GK_RULE_AT_LEAST, 0.99, NULL),
    GK_STEP_WHEN("val95_step", "test_acc", GK_RULE_AT_LEAST, 0.95, NULL),
    GK_STEP_WHEN("val99_step", "test_acc", GK_RULE_AT_LEAST, 0.99, NULL),
    GK_VALUE_AT("val_acc_at_train99", "test_acc", "train99_step"),
    GK_MAX_OF("best_val_acc", "test_acc"),
    GK_RATIO_OF("grok_delay_ratio", "val99_step", "train99_step"),
    GK_STEP_WHEN("clean_train99_step", "train_acc_clean", GK_RULE_AT_LEAST, 0.99, NULL),
    GK_MAX_OF("noisy_train_acc_max", "train_acc_noisy"),
    GK_FINAL_OF("noisy_train_acc_final", "train_acc_noisy"),
    GK_INITIAL_OF("norm_initial", "param_norm"),
    GK_FINAL_OF("norm_final", "param_norm"),
    {NULL},
};

static const gk_rule power_rules[] = {
    {"train set fit (99%)", "train_acc", GK_RULE_AT_LEAST, 0.99, NULL},
    {"validation accuracy 95%", "test_acc", GK_RULE_AT_LEAST, 0.95, NULL},
    {"validation accuracy 99%", "test_acc", GK_RULE_AT_LEAST, 0.99, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *power_rule_list(void *state) { return power_rules; }

/* An op's formula for a sweep's axis (x^2+y^2 for sq_sum). */
static const char *power_value_words(const char *key, const char *value) {
    gk_power_op op;
    gk_error e = {{0}};
    return !strcmp(key, "op") && !gk_power_op_parse(value, &op, &e) ? gk_power_op_formula(op) : NULL;
}

static const gk_curve_figure power_curves[] = {
    {.file = "norms", .title = "Power et al.: weight norms and accuracies",
     .panels = {{.title = "parameter norm", .ylabel = "norm", .curves = {{"param_norm", "all parameters", 0}}},
                {.title = "output layer and embedding", .ylabel = "norm",
                 .curves = {{"norm_W_U", "unembedding W_U", 0}, {"norm_W_E", "embedding W_E", 0}}},
                {.title = "accuracy (train: by rows)", .ylabel = "accuracy", .ymax = 1.35, /* room for the legend */
                 .curves = {{"train_acc_clean", "train, clean rows", 0},
                            {"train_acc_noisy", "train, corrupted rows", 0},
                            {"test_acc", "validation", 0}}}}},
    {NULL},
};

static gk_trainer *power_trainer(void *state) { return &((power_exp *)state)->tr; }

/* The parameters with the trainer's copies and moments, the caches of a batch or an eval chunk, the logits
 * of every equation. */
static double power_bytes(const gk_config *cfg, const char **key) {
    gk_power_op op;
    gk_error err;
    *key = "d_model";
    if (gk_power_op_parse(gk_config_str(cfg, "op"), &op, &err)) return 0;
    const int m = m_of(cfg, op);
    const size_t N = elements_of(op, m), total = N * N;
    const gk_tf_dims d = dims_of(cfg, N);
    const double D = (double)d.d_model, F = (double)d.d_ff, L = (double)d.layers;
    const double P = (double)(N + 6) * D + L * (4 * D * D + 2 * D * F + 4 * D) + D * (double)N;
    size_t rows = (size_t)gk_config_int(cfg, "batch");
    rows = rows == 0 || rows > total ? total : rows;
    rows = rows > EVAL_CHUNK ? rows : EVAL_CHUNK;
    return 8.0 * (6 * P + 2 * (double)total * (double)N) + gk_tf_cache_bytes(&d, rows);
}

static const gk_exp_type power_type = {
    .name = "power",
    .params = power_params,
    .check = power_check,
    .create = power_create,
    .destroy = power_destroy,
    .cols = power_cols,
    .columns_doc = "`test_loss` and `test_acc` are on the paper's validation set (the equations not trained on).",
    .trainer = power_trainer,
    .eval = power_eval,
    .facts = power_facts,
    .curves = power_curves,
    .summarize = power_summarize,
    .visit = power_visit,
    .figures = power_figures,
    .memory_bytes = power_bytes,
    .rules = power_rule_list,
    .value_words = power_value_words,
};

/* The slingshot (Thilak et al. 2022, arXiv:2206.04817) on this transformer: the same experiment trained with
 * Adam and no weight decay, whose summary.json also lists the cycles of the last layer's norm (norm_W_U, the
 * unembedding) found by report/slingshot.c, with the validation accuracy's jumps marked against their onsets. */
static gk_status sling_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    gk_status s = power_summarize(state, m, sum, err);
    return s ? s : gk_slingshot_summarize(m, "norm_W_U", "train_loss", "test_acc", NULL, sum, err);
}

/* slingshot.png/svg: the unembedding's norm over the train loss and the accuracies. */
static const gk_curve_figure sling_curves[] = {
    {.file = "slingshot", .title = "the slingshot: unembedding norm bursts, train-loss spikes, validation accuracy",
     .panels = {{.title = "last layer's weight norm", .ylabel = "|W_U|", .logy = 1, .curves = {{"norm_W_U", "|W_U|", 0}}},
                {.title = "train loss", .ylabel = "loss", .logy = 1, .curves = {{"train_loss", "train", 0}}},
                {.title = "accuracy", .ylabel = "accuracy",
                 .curves = {{"train_acc", "train", 0}, {"test_acc", "validation", 0}}}}},
    {NULL},
};

static const gk_exp_type power_sling_type = {
    .name = "power-slingshot",
    .params = power_params,
    .check = power_check,
    .create = power_create,
    .destroy = power_destroy,
    .cols = power_cols,
    .columns_doc = "The columns of `power`. summary.json's `slingshot` lists the cycles found in `norm_W_U` (the "
                   "unembedding, the last layer) and `train_loss` by src/report/slingshot.c (onset, peak, recovery "
                   "and plateau-end steps of each cycle, the norm's growth) and the validation accuracy's jumps "
                   "marked against the cycle onsets.",
    .trainer = power_trainer,
    .eval = power_eval,
    .facts = power_facts,
    .curves = sling_curves,
    .summarize = sling_summarize,
    .visit = power_visit,
    .figures = power_figures,
    .memory_bytes = power_bytes,
    .rules = power_rule_list,
    .value_words = power_value_words,
};

#define PAPER_MODEL "layers=2 d_model=128 heads=4 d_ff=512 ln=post pos=sin act=relu"
#define PAPER_OPT "lr=1e-3 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 batch=512 batch_half=1"
/* The scaled-down model and optimizer (one thread: the runs are small) */
#define FAST_MODEL "layers=2 d_model=32 heads=4 d_ff=128 ln=post pos=sin act=relu"
#define FAST_OPT "beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 batch=512 batch_half=1 wd=1 threads=1"
const gk_preset gk_presets_power[] = {
    {"power-add", &power_type, "Power et al. 2022", "App. A.1 (paper scale)",
     "x+y mod 97 at 50%: the two-layer transformer with minibatch AdamW wd 1, 1e5 steps",
     "op=add p=97 frac=0.5 " PAPER_MODEL " " PAPER_OPT " wd=1 steps=100000 evals=150 evals_lin=100"},
    {"power-div", &power_type, "Power et al. 2022", "Fig. 1 left, with the App. A.1 optimizer",
     "x/y mod 97 at 50%: fits the train set within 1e3 steps, the validation accuracy follows much later",
     "op=div p=97 frac=0.5 " PAPER_MODEL " " PAPER_OPT " wd=1 steps=100000 evals=150 evals_lin=100"},
    {"power-div-adam", &power_type, "Power et al. 2022", "Fig. 1 left (Adam, no weight decay)",
     "x/y mod 97 at 50% with Adam and no weight decay over 1e6 steps: generalisation near 1e5-1e6 steps",
     "op=div p=97 frac=0.5 " PAPER_MODEL " " PAPER_OPT " wd=0 steps=1000000 evals=200 evals_lin=100"},
    {"power-s5", &power_type, "Power et al. 2022", "Fig. 1 centre (one fraction)",
     "the product x.y on S5 at 50%: the group table groks with AdamW wd 1",
     "op=perm_xy sn=5 frac=0.5 " PAPER_MODEL " " PAPER_OPT " wd=1 steps=100000 evals=150 evals_lin=100"},
    {"power-noisy", &power_type, "Power et al. 2022 (talk); Doshi et al. 2023", "label noise",
     "x+y mod 97 at 50% with 10% of the train answers corrupted: the clean rows still generalise",
     "op=add p=97 frac=0.5 label_noise=0.1 " PAPER_MODEL " " PAPER_OPT " wd=1 steps=100000 evals=150 evals_lin=100"},
    {"power-add-fast", &power_type, "Power et al. 2022", "App. A.1 (scaled down)",
     "x+y mod 31 at 50%, width 32 (d_ff 128), AdamW lr 2e-3 wd 1: fits the train set in ~250 steps, validation "
     "accuracy 0.95 ~8x later (about 30 s on one core)",
     "op=add p=31 frac=0.5 " FAST_MODEL " lr=2e-3 " FAST_OPT " steps=3000 evals=40 evals_lin=60"},
    {"power-div-fast", &power_type, "Power et al. 2022", "Fig. 1 left, with the App. A.1 optimizer (shortened)",
     "power-div in float32 for 4500 steps: the paper's model and AdamW wd 1 on x/y mod 97 at 50%; train accuracy "
     "0.99 near step 1100, validation 0.99 near step 3500 (about 4.5 min of CPU)",
     "op=div p=97 frac=0.5 " PAPER_MODEL " " PAPER_OPT " wd=1 precision=f32 steps=4500 evals=150 evals_lin=100"},
    {"power-noisy-fast", &power_type, "Power et al. 2022 (talk); Doshi et al. 2023", "label noise (scaled down)",
     "x+y mod 31 at 80% with 10% of the train answers corrupted, width 32, AdamW lr 1e-3 wd 1: the corrupted rows "
     "are memorised (~1e3 steps), then unlearned while the validation accuracy rises",
     "op=add p=31 frac=0.8 label_noise=0.1 " FAST_MODEL " lr=1e-3 " FAST_OPT " steps=10000 evals=40 evals_lin=100"},
    {"slingshot-power-fast", &power_sling_type, "Thilak et al. 2022", "Power's transformer with Adam (scaled down)",
     "x+y mod 31 at 50%, width 32, Adam lr 1e-3 eps 1e-8, no weight decay, the softmax in float32 as PyTorch's: "
     "cycles of the unembedding's norm with train-loss spikes (summary.json's slingshot)",
     "op=add p=31 frac=0.5 " FAST_MODEL " lr=1e-3 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 batch=512 batch_half=1 wd=0 "
     "precision=f32 softmax_precision=f32 threads=1 steps=12000 evals=20 evals_lin=1200"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
