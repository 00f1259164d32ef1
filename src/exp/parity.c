/* parity.c: sparse parity groks (Barak et al. 2022; Merrill, Tsilivis, Shukla 2023). x uniform in {-1,+1}^n, y the
 * product of k bits (data/parity_data.h); a dense ReLU MLP n -> width -> 1, hinge loss, minibatch SGD (momentum, wd;
 * AdamW if beta1 is a key) on a fixed train set, or online (Barak's setting): `batch` fresh samples each step from a
 * seed hashed from (seed, step), so a resumed run draws the same ones. The train set is fit early by memorising;
 * the test accuracy jumps much later, when the few neurons that read the k relevant bits win over the dense
 * memorising ones (Merrill et al. Sec. 4). */
#include "data/parity_data.h"
#include "exp/parity.h"
#include "model/mlp_deep.h"

#include <stdlib.h>
#include <string.h>

#define PARITY_STREAM UINT64_C(0x706172697479) /* "parity" */
#define ONLINE_STREAM UINT64_C(0x6f6e6c696e65) /* "online" */

const gk_param_spec gk_parity_params[] = { /* also parity_progress.c's */
    GK_PARITY_TASK_PARAMS("256"),
    {"lr", GK_P_REAL, "0.1", 0, INFINITY, 1, 0, NULL, "SGD learning rate"},
    {"wd", GK_P_REAL, "0.01", 0, INFINITY, 0, 0, NULL, "weight decay (coupled: g + wd theta)"},
    GK_BATCH_PARAMS("32"), GK_SGD_PARAMS, GK_INTERVENTION_PARAMS, GK_SCHEDULE_PARAMS, GK_WARMUP_PARAM,
    GK_COMMON_PARAMS("20000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct par_exp {
    size_t n, k, ntr, nte, batch;
    int logistic, online;
    double *x, *y, *f, *dldf; /* x: train rows then test rows; f, dldf: one output per sample */
    double *xb, *yb;          /* online: this step's fresh batch */
    gk_model model;
    gk_trainer tr;
} par_exp;

static void par_destroy(void *state) {
    par_exp *E = state;
    if (!E) return;
    gk_model_free(&E->model);
    gk_trainer_free(&E->tr);
    free(E->x), free(E->y), free(E->f), free(E->dldf), free(E->xb), free(E->yb);
    free(E);
}

static double loss_of(const par_exp *E, const double *f, const double *y, size_t m, double *dldf, double *acc) {
    return E->logistic ? gk_logistic_loss(f, y, m, dldf, acc) : gk_hinge_loss(f, y, m, dldf, acc);
}

/* The mean loss over the train samples idx[0..m) (the rows are passed, not copied; their labels beside the
 * gradient) and its gradient; online, over m fresh samples of a seed hashed from (seed, step) instead. */
static gk_status par_objective(void *ud, const double *theta, const size_t *idx, size_t m, double *grad, double *loss,
                               gk_error *err) {
    par_exp *E = ud;
    const double *x = E->x, *y = E->dldf + E->ntr;
    if (E->online) { /* `batch` of them, whatever share of an epoch the sampler is at */
        gk_rng r;
        m = E->batch;
        gk_rng_seed(&r, gk_trainer_step_seed(&E->tr, ONLINE_STREAM), ONLINE_STREAM);
        gk_parity_samples(&r, E->n, E->k, m, E->xb, E->yb);
        x = E->xb, y = E->yb, idx = NULL;
    } else {
        for (size_t i = 0; i < m; i++) E->dldf[E->ntr + i] = E->y[idx[i]];
    }
    const gk_dense_input in = {m, E->n, x, idx, NULL};
    gk_status s = gk_model_forward(&E->model, theta, &in, m, E->f, err);
    if (s) return s;
    *loss = loss_of(E, E->f, y, m, E->dldf, NULL);
    gk_model_backward(&E->model, theta, &in, m, E->dldf, grad);
    return GK_OK;
}

static gk_status par_create(const gk_config *cfg, void **state, gk_error *err) {
    par_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    E->n = (size_t)gk_config_int(cfg, "n"), E->k = (size_t)gk_config_int(cfg, "k");
    E->ntr = (size_t)gk_config_int(cfg, "n_train"), E->nte = (size_t)gk_config_int(cfg, "n_test");
    E->logistic = !strcmp(gk_config_str(cfg, "loss"), "logistic");
    E->online = gk_config_bool(cfg, "online");
    E->batch = E->online ? (size_t)gk_config_int(cfg, "batch") : 0;
    const size_t all = E->ntr + E->nte, rows = all > E->batch ? all : E->batch;
    const uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    const gk_mlp_deep_opts mo = {.d_in = E->n, .width = (size_t)gk_config_int(cfg, "width"), .depth = 2, .n_out = 1};
    gk_status s = gk_mlp_deep_create_opts(&E->model, &mo, err);
    if (!s) s = gk_model_reserve(&E->model, rows, err);
    if (!s) s = gk_mlp_deep_reserve_input(&E->model, E->ntr, 0, err);
    gk_train_opts o = {.optim = gk_config_index(cfg, "beta1") < 0 ? GK_OPTIM_GD : GK_OPTIM_ADAMW, .table = &E->model.params};
    gk_train_opts_from_config(cfg, &o); /* lr, wd and the keys of the GK_*_PARAMS above */
    if (!s) s = gk_trainer_init(&E->tr, E->model.params.size, &o, NULL, NULL, E, err);
    if (!s) s = gk_trainer_set_batch_objective(&E->tr, par_objective, E->ntr > E->batch ? E->ntr : E->batch, err);
    E->x = malloc(all * E->n * sizeof(double)), E->y = malloc(all * sizeof(double));
    E->f = malloc(rows * sizeof(double)), E->dldf = malloc(2 * (E->ntr > E->batch ? E->ntr : E->batch) * sizeof(double));
    if (E->online) E->xb = malloc(E->batch * E->n * sizeof(double)), E->yb = malloc(E->batch * sizeof(double));
    if (!s && (!E->x || !E->y || !E->f || !E->dldf || (E->online && (!E->xb || !E->yb))))
        s = gk_fail(err, GK_ENOMEM, "out of memory for %zu samples", all);
    if (!s) {
        gk_rng r;
        gk_rng_seed(&r, seed, PARITY_STREAM);
        gk_parity_samples(&r, E->n, E->k, all, E->x, E->y);
        gk_model_init(&E->model, gk_config_real(cfg, "init_scale"), seed, E->tr.theta);
        s = gk_trainer_start(&E->tr, err);
    }
    if (s) par_destroy(E);
    else *state = E;
    return s;
}

static gk_status par_check(const gk_config *cfg, gk_error *err) {
    const long k = gk_config_int(cfg, "k"), n = gk_config_int(cfg, "n");
    if (k > n) return gk_fail(err, GK_EINVAL, "k=%ld: the label reads k of the n=%ld bits (k <= n)", k, n);
    if (gk_config_bool(cfg, "online") && gk_config_int(cfg, "batch") < 1)
        return gk_fail(err, GK_EINVAL, "batch=0 with online=1: each step draws `batch` fresh samples (batch >= 1)");
    return GK_OK;
}

GK_COLUMNS(par_cols, GK_PARITY_COLUMNS);

static gk_status par_eval(void *state, double *row, gk_error *err) {
    par_exp *E = state;
    const gk_dense_input in = {E->ntr + E->nte, E->n, E->x, NULL, NULL};
    gk_status s = gk_model_forward(&E->model, E->tr.theta, &in, in.n, E->f, err);
    if (s) return s;
    row[COL_train_loss] = loss_of(E, E->f, E->y, E->ntr, NULL, &row[COL_train_acc]);
    row[COL_test_loss] = loss_of(E, E->f + E->ntr, E->y + E->ntr, E->nte, NULL, &row[COL_test_acc]);
    row[COL_param_norm] = gk_trainer_param_norm(&E->tr), row[COL_rel_dist_from_init] = gk_trainer_rel_dist(&E->tr);
    return GK_OK;
}

static const gk_fact par_facts[] = {GK_FIT_FACTS, GK_RATIO_OF("grok_delay_ratio", "test_grok_step", "train_fit_step"),
                                    {NULL}};

static gk_trainer *par_trainer(void *state) { return &((par_exp *)state)->tr; }

static const gk_exp_type parity_type = {
    .name = "parity", .params = gk_parity_params, .check = par_check, .create = par_create, .destroy = par_destroy,
    .cols = par_cols, .trainer = par_trainer, .eval = par_eval, .facts = par_facts,
};

const gk_preset gk_presets_parity[] = {
    {"parity", &parity_type, "Barak et al. 2022; Merrill et al. 2023", "sparse parity (n, k) = (40, 3)",
     "a ReLU MLP on 1000 samples of a 3-sparse parity of 40 bits, SGD with momentum: the train set is fit at step "
     "~1000-1400 at chance test accuracy, which passes 0.95 ~3-6x later",
     "n=40 k=3 n_train=1000 n_test=1000 width=256 lr=0.01 momentum=0.9 wd=0.01 batch=32 steps=15000"},
    {"parity-fast", &parity_type, "Barak et al. 2022; Merrill et al. 2023", "sparse parity (n, k) = (30, 3), small",
     "the same at n = 30, 600 samples, width 128: fit at ~900 steps, test accuracy 0.95 ~5x later (a second on one core)",
     "n=30 k=3 n_train=600 n_test=1000 width=128 lr=0.01 momentum=0.9 wd=0.01 batch=32 steps=8000"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
