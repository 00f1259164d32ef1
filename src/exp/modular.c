/* modular.c: modular arithmetic groks (Power et al. 2022; Lyu et al. ICLR 2024 Sec. 2 Fig. 2; Gromov 2023;
 * Kumar et al. ICLR 2024 Fig. 2). A two-layer MLP on the one-hot pair (a, b) fits the train pairs of a op b
 * mod p early, with test accuracy near 0, and generalises much later.
 *
 * Wiring: dataset (data/modular_data) -> model (model/mlp2: the ReLU or the quadratic MLP, or the one-layer transformer
 * of Nanda et al. 2023 in model/transformer1 on the tokens (a, b, =), or model/mlp_deep: a PyTorch nn.Linear ReLU
 * MLP of any depth, with or without biases, on the one-hot pair, Prieto et al. 2025) -> loss (softmax or StableMax
 * cross-entropy, or MSE on one-hot targets) -> optimizer (full-batch GD with coupled weight decay, or AdamW with
 * decoupled decay and warmup).
 *
 * Precision (Prieto et al. 2025): precision=f32 runs the MLPs' forward and backward in float32 (sgemm) with the
 * parameters stored as float32 (the trainer rounds each update and the AdamW moments to float);
 * softmax_precision=f32 computes each sample's softmax (or StableMax), its gradient and sc_share in float32.
 * What stays in double: the optimizer's arithmetic before the rounding, the sums over samples of the losses,
 * the accuracies, norms, margins and the IPR (metric reductions).
 *
 * Metrics: train/test loss and accuracy (argmax; a tie for the top counts as wrong, so an all-equal output
 * such as W2 = 0 has accuracy 0), the total and per-tensor weight norms, the distance from init, the minimum
 * train margin (correct logit minus the largest wrong logit) and the Fourier progress measure `ipr`
 * (Gromov eq. 20-21; gk_zp_ipr in data/modular_data.h) of each neuron's input weights, its a-half and b-half
 * averaged, then averaged over neurons. For the transformer the IPR is that of each column of the token
 * embedding W_E over the p number tokens (Nanda's Fourier analysis of W_E), averaged over the d_model columns. */
#include "exp/exp.h"

#include "data/modular_data.h"
#include "data/zp_fourier.h"
#include "report/phases.h"
#include "report/tensor_norms.h"
#include "io/fsutil.h"
#include "fig/plot.h"
#include "model/mod_models.h"
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gk_param_spec mod_params[] = {
    {"p", GK_P_INT, "97", 2, 2000, 0, 0, NULL, "modulus (labels and both operands in Z_p)"},
    {"op", GK_P_ENUM, "add", 0, 0, 0, 0, GK_MOD_OP_CHOICES, "operation a op b mod p (div needs p prime, b != 0)"},
    {"frac", GK_P_REAL, "0.4", 0, 1, 1, 1, NULL, "train fraction of all pairs (train size = floor(frac * pairs))"},
    {"split_seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of the train/test permutation"},
    {"model", GK_P_ENUM, "mlp-relu", 0, 0, 0, 0, GK_MOD_MODEL_CHOICES,
     "W2 ReLU(W1 x + b1) (Lyu), (s/(DN)) W2 (W1 x)^2 (Gromov/Kumar), Nanda's 1-layer transformer on (a, b, =), or a "
     "PyTorch nn.Linear ReLU MLP of depth layers on the one-hot pair (2p -> width -> ... -> p; Prieto et al. 2025)"},
    {"width", GK_P_INT, "1024", 1, 1e6, 0, 0, NULL, "hidden width h (N)"},
    {"depth", GK_P_INT, "3", 1, GK_MLP_MAX_DEPTH, 0, 0, NULL, "mlp-deep: linear layers (3: 2p -> width -> width -> p)"},
    {"bias", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "mlp-deep: a bias in every layer (Prieto et al.: none)"},
    {"precision", GK_P_ENUM, "f64", 0, 0, 0, 0, "f64|f32",
     "f32 (mlp-relu, mlp-quad, mlp-deep): forward and backward in float32 (sgemm), parameters stored as float32 (each update rounded)"},
    {"softmax_precision", GK_P_ENUM, "f64", 0, 0, 0, 0, "f64|f32",
     "the softmax (or StableMax) cross-entropy and sc_share in float32 or float64 (Prieto et al. 2025: SC needs f32)"},
    {"alpha", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "init scale: mlp-relu He init times alpha; mlp-quad weights N(0, alpha^2); transformer1 Nanda's init times alpha; mlp-deep PyTorch's default init times alpha"},
    {"d_model", GK_P_INT, "128", 1, 65536, 0, 0, NULL, "transformer1: residual width (a multiple of heads)"},
    {"heads", GK_P_INT, "4", 1, 65536, 0, 0, NULL, "transformer1: attention heads (d_head = d_model / heads)"},
    {"d_mlp", GK_P_INT, "512", 1, 1048576, 0, 0, NULL, "transformer1: MLP hidden width"},
    {"zero_last", GK_P_BOOL, "1", 0, 1, 0, 0, NULL, "mlp-relu: set W2 = 0 at init (Lyu Fig. 2b)"},
    {"out_scale", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "mlp-quad: output scale s in f = (s/(DN)) W2 (W1 x)^2"},
    {"loss", GK_P_ENUM, "xent", 0, 0, 0, 0, "xent|mse|stablemax",
     "softmax cross-entropy, MSE on one-hot targets (mean over n*p), or StableMax cross-entropy (Prieto et al. 2025)"},
    {"optim", GK_P_ENUM, "gd", 0, 0, 0, 0, "gd|adamw", "full-batch GD with coupled wd, or AdamW with decoupled wd"},
    {"lr", GK_P_REAL, "0.002", 0, INFINITY, 1, 0, NULL, "learning rate"},
    {"wd", GK_P_REAL, "1e-4", 0, INFINITY, 0, 0, NULL, "weight decay (gd: grad + wd theta; adamw: theta *= 1 - lr wd)"},
    GK_ADAMW_PARAMS("0.98", "10"),
    GK_TRANSFORM_PARAMS,
    GK_INTERVENTION_PARAMS,
    GK_SHARPNESS_PARAM,
    GK_LR_AUTO_PARAMS,
    {"key_freqs", GK_P_INT, "5", 1, 1000, 0, 0, NULL,
     "op=add progress measures (Nanda et al. 2023): the number K of key frequencies (at most (p-1)/2 are used)"},
    GK_COMMON_PARAMS("100000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

enum { LOSS_XENT, LOSS_MSE, LOSS_STABLEMAX }; /* in the order of the choices of loss and optim */
enum { OPT_GD, OPT_ADAMW };

typedef struct mod_exp {
    gk_mod_data D;
    gk_model model;
    int model_kind, loss_kind, opt_kind;
    int sm32;                 /* softmax_precision=f32 */
    gk_mod_inputs in;         /* the model inputs: D.train/D.test, or the one-hot rows of mlp-deep */
    size_t h;
    int p;
    gk_trainer tr;
    double *f_train, *f_test, *dldf;
    double *cosv, *sinv; /* cos/sin(2 pi j / p), j < p */
    double *ipr_buf;     /* per neuron */
    int progress;        /* op=add: the progress measures of Nanda et al. (data/zp_fourier.h) */
    gk_zp_progress prog;
    char norm_names[GK_MAX_TENSORS][40]; /* "norm_<tensor>" column names (the metrics table points here) */
} mod_exp;

/* The model keys (enum keys read as the index of their choice). */
static gk_mod_model_opts model_opts_of(const gk_config *cfg) {
    return (gk_mod_model_opts){(int)gk_config_int(cfg, "model"), (size_t)gk_config_int(cfg, "width"),
                               (int)gk_config_int(cfg, "depth"), gk_config_bool(cfg, "bias"),
                               gk_config_bool(cfg, "zero_last"), gk_config_real(cfg, "out_scale"),
                               !strcmp(gk_config_str(cfg, "precision"), "f32"),
                               {(int)gk_config_int(cfg, "p"), (size_t)gk_config_int(cfg, "d_model"),
                                (size_t)gk_config_int(cfg, "heads"), (size_t)gk_config_int(cfg, "d_mlp")}};
}

static gk_status mod_check(const gk_config *cfg, gk_error *err) {
    gk_mod_op op;
    gk_status s = gk_mod_op_parse(gk_config_str(cfg, "op"), &op, err);
    if (!s) s = gk_mod_check((int)gk_config_int(cfg, "p"), op, gk_config_real(cfg, "frac"), err);
    if (!s && gk_config_bool(cfg, "lr_auto") && strcmp(gk_config_str(cfg, "optim"), "gd"))
        s = gk_fail(err, GK_EINVAL, "lr_auto=1 needs optim=gd (got optim=%s)", gk_config_str(cfg, "optim"));
    const gk_mod_model_opts mo = model_opts_of(cfg);
    return s ? s : gk_mod_model_check(&mo, err);
}

static void mod_destroy(void *state) {
    mod_exp *E = state;
    if (!E) return;
    gk_mod_data_free(&E->D);
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    free(E->f_train);
    free(E->f_test);
    free(E->dldf);
    free(E->cosv);
    free(E->sinv);
    free(E->ipr_buf);
    gk_zp_progress_free(&E->prog);
    gk_mod_inputs_free(&E->in);
    free(E);
}

static double loss_of(const mod_exp *E, const double *f, const int *y, size_t n, double *dldf) {
    const size_t k = (size_t)E->p;
    if (E->loss_kind == LOSS_XENT) return (E->sm32 ? gk_softmax_xent_loss_f32 : gk_softmax_xent_loss)(f, y, n, k, dldf);
    if (E->loss_kind == LOSS_STABLEMAX)
        return (E->sm32 ? gk_stablemax_xent_loss_f32 : gk_stablemax_xent_loss)(f, y, n, k, dldf);
    return gk_mse_onehot_loss(f, y, n, k, dldf);
}

static double progress_loss(const void *E, const double *f, const int *y, size_t n) { return loss_of(E, f, y, n, NULL); }

/* The training objective: the loss on the train pairs and its gradient. */
static gk_status mod_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    mod_exp *E = ud;
    const size_t n = E->D.train.n;
    gk_status s = gk_model_forward(&E->model, theta, E->in.train, n, E->f_train, err);
    if (s) return s;
    *loss = loss_of(E, E->f_train, E->D.y_train, n, E->dldf);
    if (isfinite(*loss)) gk_model_backward(&E->model, theta, E->in.train, n, E->dldf, grad);
    return GK_OK;
}

static gk_status mod_create(const gk_config *cfg, void **state, gk_error *err) {
    *state = NULL;
    mod_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_mod_op op;
    gk_status s = gk_mod_op_parse(gk_config_str(cfg, "op"), &op, err);
    E->p = (int)gk_config_int(cfg, "p");
    E->h = (size_t)gk_config_int(cfg, "width");
    const gk_mod_model_opts mo = model_opts_of(cfg);
    const int f32 = mo.f32;
    E->model_kind = mo.kind;
    E->sm32 = !strcmp(gk_config_str(cfg, "softmax_precision"), "f32");
    if (E->model_kind == GK_MOD_TF1) E->h = mo.tf1.d_model; /* the IPR runs over the columns of W_E */
    E->loss_kind = (int)gk_config_int(cfg, "loss");
    E->opt_kind = (int)gk_config_int(cfg, "optim");
    gk_train_opts o = {.optim = E->opt_kind == OPT_GD ? GK_OPTIM_GD : GK_OPTIM_ADAMW, .f32_params = f32};
    gk_train_opts_adamw_from_config(cfg, &o);
    gk_train_opts_lr_auto_from_config(cfg, &o);
    const uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    if (!s) s = gk_mod_data_make(&E->D, E->p, op, gk_config_real(cfg, "frac"), (uint64_t)gk_config_int(cfg, "split_seed"), err);
    if (!s) s = gk_mod_model_create(&E->model, &E->in, &E->D, &mo, err);
    gk_train_opts_transforms_from_config(cfg, &o);
    gk_train_opts_interventions_from_config(cfg, &o);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, mod_objective, NULL, E, err);
    if (s) {
        mod_destroy(E);
        return s;
    }
    E->tr.table = &E->model.params;
    const size_t p = (size_t)E->p;
    double *theta = E->tr.theta;
    E->f_train = malloc(E->D.train.n * p * sizeof(double));
    E->dldf = malloc(E->D.train.n * p * sizeof(double));
    E->f_test = malloc(E->D.test.n * p * sizeof(double));
    E->cosv = malloc(p * sizeof(double));
    E->sinv = malloc(p * sizeof(double));
    E->ipr_buf = malloc(E->h * sizeof(double));
    if (!E->f_train || !E->dldf || !E->f_test || !E->cosv || !E->sinv || !E->ipr_buf) {
        mod_destroy(E);
        return gk_fail(err, GK_ENOMEM, "out of memory for p = %zu, width = %zu", p, (size_t)gk_config_int(cfg, "width"));
    }
    gk_zp_trig(E->p, E->cosv, E->sinv);
    E->progress = op == GK_MOD_ADD;
    if (E->progress && (s = gk_zp_progress_init(&E->prog, E->p, (int)gk_config_int(cfg, "key_freqs"), E->D.a, E->D.b,
                                                 E->D.train.n, E->D.test.n, err))) {
        mod_destroy(E);
        return s;
    }
    gk_model_init(&E->model, gk_config_real(cfg, "alpha"), seed, theta);
    gk_tensor_norm_names(&E->model.params, E->norm_names);
    if ((s = gk_trainer_start(&E->tr, err))) {
        mod_destroy(E);
        return s;
    }
    *state = E;
    return GK_OK;
}

static int mod_norm_names(const void *state, const char **names) {
    const mod_exp *E = state;
    return gk_tensor_norm_members(&E->model.params, E->norm_names, names);
}
static int with_softmax(const void *state) { return ((const mod_exp *)state)->loss_kind != LOSS_MSE; }
static int on_addition(const void *state) { return ((const mod_exp *)state)->progress; }

#define MOD_COLUMNS(X, F)                                                                                          \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL,                                                               \
      "mean cross-entropy (or StableMax, or MSE on the one-hot labels: key `loss`) on the train pairs, no weight decay") \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL,                                                                \
      "share of train pairs whose largest logit is the answer (a tie for the top counts as wrong)")               \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "the same loss on the test pairs")                              \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "the same accuracy on the test pairs")                           \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                       \
    X(min_margin, "logit", GK_ROLE_NONE, NULL,                                                                    \
      "minimum over the train pairs of (the correct logit − the largest wrong logit); > 0 = every train pair correct") \
    F(norm_, "norm", GK_ROLE_NONE, NULL,                                                                          \
      "`norm_<tensor>`: Frobenius norm of each tensor of the model. `model=mlp-relu` / `mlp-quad`: `norm_W1` "    \
      "(input → hidden), `norm_b1` (hidden bias), `norm_W2` (hidden → output); `model=transformer1` "             \
      "(`modadd-nanda*`): `norm_W_E`, `norm_W_pos` (token and position embeddings), `norm_W_Q`, `norm_W_K`, "     \
      "`norm_W_V`, `norm_W_O` (attention), `norm_W_in`, `norm_b_in`, `norm_W_out`, `norm_b_out` (MLP), `norm_W_U` " \
      "(unembedding)",                                                                                            \
      mod_norm_names)                                                                                             \
    X(ipr, "ratio", GK_ROLE_NONE, NULL,                                                                           \
      "Fourier progress measure (Gromov eq. 20-21): the inverse participation ratio of each neuron's input "     \
      "weights over the frequencies of Z_p (a-half and b-half averaged), averaged over neurons; 1 = one "         \
      "frequency, about 2/(p+1) = noise. For the transformer: over the columns of the token embedding W_E")       \
    X(sc_share, "share", GK_ROLE_NONE, with_softmax,                                                              \
      "(loss xent or stablemax) the share of train pairs in Softmax Collapse: the softmax's sum of exp(z − max z), " \
      "in the working precision (`softmax_precision`: double or float), equals exactly 1, so their softmax "      \
      "gradient vanishes (Prieto et al. 2025, Sec. 3). With loss=stablemax it is still the softmax's: what a "    \
      "softmax would do with these logits, not the StableMax loss, whose gradient does not vanish")               \
    X(grad_weight_cos, "cosine", GK_ROLE_NONE, with_softmax,                                                      \
      "(loss xent or stablemax) cos(∇L, θ) of the full train gradient: near −1 when the gradient only scales the " \
      "weights up (\"naive loss minimisation\", Prieto et al. 2025, Sec. 4)")                                     \
    X(restricted_loss, "loss", GK_ROLE_NONE, on_addition,                                                         \
      "(op=add) Nanda et al. 2023 Sec. 5.1: the train loss of the restricted logits, which keep, for each class, " \
      "the mean over all p² pairs and the projections on cos(w_k(a+b)) and sin(w_k(a+b)) of the K key "          \
      "frequencies only (`key_freqs`, default 5); it falls before the test loss while the circuit forms "         \
      "(src/data/zp_fourier.h)")                                                                                  \
    X(excluded_loss, "loss", GK_ROLE_NONE, on_addition,                                                           \
      "(op=add) the train loss of the logits with those key-frequency projections removed: it rises while the "  \
      "circuit forms (the train fit moves from memorisation to the circuit)")                                     \
    X(fourier_gini, "ratio", GK_ROLE_NONE, on_addition,                                                           \
      "(op=add) the Gini coefficient of the Fourier norms over the frequencies 1..(p−1)/2 of the input weights "  \
      "(the MLP's first layer, a-half plus b-half; the transformer's W_E): 0 = spread evenly, near 1 = a few key " \
      "frequencies")                                                                                              \
    X(key_freq_norm_share, "share", GK_ROLE_NONE, on_addition,                                                    \
      "(op=add) the share of those Fourier norms held by the K key frequencies (the K largest now; the final "    \
      "ones are `key_frequencies` in summary.json)")
GK_COLUMNS(mod_cols, MOD_COLUMNS);

static gk_status mod_eval(void *state, double *row, gk_error *err) {
    mod_exp *E = state;
    const size_t n = E->D.train.n, nt = E->D.test.n, p = (size_t)E->p;
    const double *theta = E->tr.theta;
    gk_status s = gk_model_forward(&E->model, theta, E->in.train, n, E->f_train, err);
    if (!s) s = gk_model_forward(&E->model, theta, E->in.test, nt, E->f_test, err);
    if (s) return s;
    double tr_acc, te_acc, margin;
    double tr_loss = loss_of(E, E->f_train, E->D.y_train, n, NULL);
    double te_loss = loss_of(E, E->f_test, E->D.y_test, nt, NULL);
    gk_class_stats(E->f_train, E->D.y_train, n, p, &tr_acc, &margin);
    gk_class_stats(E->f_test, E->D.y_test, nt, p, &te_acc, NULL);
    row[COL_train_loss] = tr_loss, row[COL_train_acc] = tr_acc, row[COL_test_loss] = te_loss, row[COL_test_acc] = te_acc;
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr);
    row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    row[COL_min_margin] = margin;
    gk_tensor_norms(&E->model.params, theta, &row[COL_norm_]);
    const gk_tensor *T0 = &E->model.params.t[0]; /* the number inputs' weights: 2p x h (MLP) or W_E (p + 1 rows) */
    const int halves = E->model_kind == GK_MOD_TF1 ? 1 : 2;
    row[COL_ipr] = gk_zp_mean_ipr(theta + T0->offset, T0->cols, halves, E->p, E->cosv, E->sinv, E->ipr_buf);
    if (E->loss_kind != LOSS_MSE) {
        row[COL_sc_share] = (E->sm32 ? gk_softmax_collapse_share_f32 : gk_softmax_collapse_share)(E->f_train, n, p);
        row[COL_grad_weight_cos] = gk_trainer_grad_weight_cos(&E->tr, err);
    }
    if (E->progress) {
        double pm[4]; /* restricted loss, excluded loss, Fourier Gini, key-frequency share (data/zp_fourier.h) */
        gk_zp_progress_measure(&E->prog, theta + T0->offset, T0->cols, halves, E->f_train, E->f_test, E->D.y_train,
                               progress_loss, E, pm);
        row[COL_restricted_loss] = pm[0], row[COL_excluded_loss] = pm[1];
        row[COL_fourier_gini] = pm[2], row[COL_key_freq_norm_share] = pm[3];
    }
    return GK_OK;
}

static gk_status mod_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    const mod_exp *E = state;
    cJSON_AddNumberToObject(sum, "train_pairs", (double)E->D.train.n);
    cJSON_AddNumberToObject(sum, "test_pairs", (double)E->D.test.n);
    if (!E->progress) return GK_OK;
    gk_phases_summary(m, GK_FIT_ACC, GK_GROK_ACC, sum); /* Nanda's three phases */
    cJSON *key = cJSON_AddArrayToObject(sum, "key_frequencies"); /* of the final weights */
    for (int i = 0; i < E->prog.K; i++) cJSON_AddItemToArray(key, cJSON_CreateNumber(E->prog.key[i]));
    return GK_OK;
}

/* The key frequencies of the last eval: the summary reports them, and a run resumed from its final checkpoint
 * (killed before its summary) evaluates nothing more. */
static void mod_visit(void *state, gk_state *st) {
    mod_exp *E = state;
    if (E->progress) gk_state_block(st, "mod.key_freqs", E->prog.key, sizeof E->prog.key);
}

/* phases.png (report/phases.h) for a + b. */
static gk_status mod_figures(void *state, const gk_metrics *m, const char *dir, gk_error *err) {
    return ((mod_exp *)state)->progress ? gk_phases_figure(m, GK_FIT_ACC, GK_GROK_ACC, dir, err) : GK_OK;
}

/* Memorise-then-generalise in numbers: the first eval with train_acc = 1, the test accuracy there, the
 * delay of the grok step relative to it, and the growth of the Fourier IPR. */
static const gk_fact mod_facts[] = {
    GK_STEP_WHEN("train_acc1_step", "train_acc", GK_RULE_AT_LEAST, 1.0, NULL),
    GK_VALUE_AT("test_acc_at_train_acc1", "test_acc", "train_acc1_step"),
    GK_RATIO_OF("grok_delay_ratio", "test_grok_step", "train_acc1_step"),
    GK_INITIAL_OF("ipr_initial", "ipr"),
    GK_FINAL_OF("ipr_final", "ipr"),
    GK_RATIO_OF("ipr_ratio", "ipr_final", "ipr_initial"),
    {NULL},
};

/* progress.png/svg: the Fourier IPR and the minimum train margin against the step. */
static const gk_curve_figure mod_curves[] = {
    {.file = "progress", .title = "modular arithmetic: progress measures",
     .panels = {{.title = "Fourier IPR of the first-layer weights (mean over neurons)", .ylabel = "IPR", .ymax = 1.02,
                 .curves = {{"ipr", "ipr", 0}}},
                {.title = "minimum train margin", .ylabel = "margin", .curves = {{"min_margin", "min margin", 0}}}}},
    {NULL},
};

static gk_trainer *mod_trainer(void *state) { return &((mod_exp *)state)->tr; }
static double mod_predicted(void *state) { return NAN; }
static gk_status mod_save(void *state, const char *dir, gk_error *err) {
    return gk_mod_data_save_csv(&((mod_exp *)state)->D, dir, err);
}

static const gk_rule mod_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule mod_progress_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"restricted loss halved", "restricted_loss", GK_RULE_FRAC_OF_START, 0.5, NULL},
    {"test loss halved", "test_loss", GK_RULE_FRAC_OF_START, 0.5, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *mod_rule_list(void *state) { return ((mod_exp *)state)->progress ? mod_progress_rules : mod_rules; }

/* Peak memory (model/mod_models.h). */
static double mod_bytes(const gk_config *cfg, const char **key) {
    const gk_mod_model_opts mo = model_opts_of(cfg);
    *key = mo.kind == GK_MOD_TF1 ? "d_model" : "width";
    return gk_mod_model_bytes(&mo);
}

static const gk_exp_type modular_type = {
    .memory_bytes = mod_bytes,
    .rules = mod_rule_list,
    .name = "modular",
    .params = mod_params,
    .check = mod_check,
    .create = mod_create,
    .destroy = mod_destroy,
    .cols = mod_cols,
    .trainer = mod_trainer,
    .eval = mod_eval,
    .predicted_step = mod_predicted,
    .save_data = mod_save,
    .facts = mod_facts,
    .curves = mod_curves,
    .summarize = mod_summarize,
    .figures = mod_figures,
    .visit = mod_visit,
};

const gk_preset gk_presets_modular[] = {
    {"modadd-lyu-fast", &modular_type, "Lyu et al. 2024", "Fig. 2 (scaled down)",
     "modular addition: a ReLU MLP with a large init fits the train pairs at once, generalises much later",
     "p=31 op=add frac=0.8 model=mlp-relu width=256 alpha=4 zero_last=1 loss=xent optim=gd lr=0.1 wd=1e-3 steps=100000 evals=60 evals_lin=100 threads=1"},
    {"modadd-lyu", &modular_type, "Lyu et al. 2024", "Fig. 2 (paper scale)",
     "modular addition at the paper's size: p=97, 40% train, width 1024, GD lr 0.002, wd 1e-4, ~1e7 steps",
     "p=97 op=add frac=0.4 model=mlp-relu width=1024 alpha=1 zero_last=1 loss=xent optim=gd lr=0.002 wd=1e-4 steps=10000000 evals=150 evals_lin=100"},
    {"modadd-gromov", &modular_type, "Gromov 2023; Kumar et al. 2024", "Kumar Fig. 2a,b",
     "grokking without weight decay: quadratic MLP, MSE, plain GD; the Fourier IPR of the weights grows",
     "p=23 op=add frac=0.9 model=mlp-quad width=100 alpha=1 out_scale=1 loss=mse optim=gd lr=1000 wd=0 steps=10000 threads=1"},
    {"modadd-adamw-fast", &modular_type, "Power et al. 2022; Nanda et al. 2023", "MLP instead of the transformer",
     "modular addition with AdamW and weight decay 1: the train pairs are fit in ~150 steps, the test pairs ~20x later",
     "p=23 op=add frac=0.7 model=mlp-relu width=128 alpha=1 zero_last=0 loss=xent optim=adamw lr=3e-3 wd=1 warmup=10 steps=6000 threads=1"},
    {"modadd-nanda", &modular_type, "Nanda et al. 2023", "Fig. 1 (paper scale)",
     "the 1-layer transformer on (a, b, =) at p=113, 30% train, full-batch AdamW lr 1e-3 wd 1 (paper: groks at ~5-10k steps)",
     "p=113 op=add frac=0.3 model=transformer1 d_model=128 heads=4 d_mlp=512 alpha=1 loss=xent optim=adamw lr=1e-3 wd=1 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 steps=50000 evals=100 evals_lin=100 threads=1"},
    {"modadd-nanda-fast", &modular_type, "Nanda et al. 2023", "Fig. 1 (scaled down)",
     "the same transformer at p=31 (d_model 32, d_mlp 128), 50% train, AdamW lr 3e-3 wd 1: fits in ~120 steps, groks ~10x later",
     "p=31 op=add frac=0.5 model=transformer1 d_model=32 heads=4 d_mlp=128 alpha=1 loss=xent optim=adamw lr=3e-3 wd=1 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 steps=3000 evals=40 evals_lin=60 threads=1"},
    {"goldilocks-modadd", &modular_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "modular addition, grokking eliminated (authors' code)",
     "modadd-nanda with Nanda's init x 0.8 and the parameter norm held there (fixed_norm, wd 0): train and test accuracy rise together",
     "p=113 op=add frac=0.3 model=transformer1 d_model=128 heads=4 d_mlp=512 alpha=0.8 fixed_norm=1 loss=xent optim=adamw lr=1e-3 wd=0 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 steps=15000 evals=80 evals_lin=100 threads=1"},
    {"goldilocks-modadd-fast", &modular_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "modular addition, grokking eliminated (scaled down)",
     "modadd-nanda-fast with the norm held at init x 0.9 (wd 0): test accuracy 0.95 ~2x after the fit, where the wd-1 "
     "baseline (modadd-nanda-fast) takes ~11x; at this size 0.8 holds the norm too low to fit the train set",
     "p=31 op=add frac=0.5 model=transformer1 d_model=32 heads=4 d_mlp=128 alpha=0.9 fixed_norm=1 loss=xent optim=adamw lr=3e-3 wd=0 beta1=0.9 beta2=0.98 eps=1e-8 warmup=10 steps=3000 evals=40 evals_lin=60 threads=1"},
    {"prieto-f32", &modular_type, "Prieto et al. 2025", "Fig. 1 (float32)",
     "Softmax Collapse: in float32 the MLP fits a+b mod 113 by step ~55, then the logits grow until the softmax sums to exactly 1 for many train pairs (sc_share) and learning stops; test accuracy stays at chance",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=xent optim=adamw lr=0.01 wd=0 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 precision=f32 softmax_precision=f32 steps=3000 evals=40 evals_lin=60"},
    {"prieto-f64", &modular_type, "Prieto et al. 2025", "Fig. 1 (float64)",
     "the same in float64: no Softmax Collapse (sc_share 0), the train loss keeps falling (naive loss minimisation, grad_weight_cos near -1), no grokking in 3000 steps",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=xent optim=adamw lr=0.01 wd=0 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 precision=f64 softmax_precision=f64 steps=3000 evals=40 evals_lin=60"},
    {"prieto-perp", &modular_type, "Prieto et al. 2025", "Sec. 5 (perpendicular AdamW)",
     "the perpendicular gradient (each tensor's gradient without its component along the tensor): groks without weight decay, test accuracy 0.9 within ~200 steps",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=xent optim=adamw lr=0.01 wd=0 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 grad=perp perp_rescale=1 precision=f32 softmax_precision=f32 steps=3000 evals=40 evals_lin=60"},
    {"prieto-wd", &modular_type, "Prieto et al. 2025", "the weight-decay control",
     "the same setting with AdamW weight decay 1.0: groks, test accuracy 0.9 within ~700 steps",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=xent optim=adamw lr=0.01 wd=1 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 precision=f32 softmax_precision=f32 steps=3000 evals=40 evals_lin=60"},
    {"prieto-stablemax", &modular_type, "Prieto et al. 2025", "Sec. 4 (StableMax, 3000 steps)",
     "StableMax in place of the softmax, float32: no Softmax Collapse; in 3000 steps the test accuracy only creeps up",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=stablemax optim=adamw lr=0.01 wd=0 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 precision=f32 softmax_precision=f32 steps=3000 evals=40 evals_lin=60"},
    {"prieto-stablemax-long", &modular_type, "Prieto et al. 2025", "Sec. 4 (StableMax, 80k steps)",
     "the StableMax run for as long as the paper's (80,000 steps): grokking without weight decay",
     "p=113 op=add frac=0.4 model=mlp-deep depth=3 width=200 bias=0 alpha=1 loss=stablemax optim=adamw lr=0.01 wd=0 beta1=0.9 beta2=0.99 eps=1e-25 warmup=0 precision=f32 softmax_precision=f32 steps=80000 evals=60 evals_lin=100"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
