/* parity.c: sparse parity groks (Barak et al. 2022; Merrill, Tsilivis, Shukla 2023). Inputs x in {-1,+1}^n,
 * label y = x_1 x_2 ... x_k (the product of the first k coordinates; the MLP is symmetric under permuting the
 * inputs, so which k does not matter). A fixed train set of n_train samples, a test set drawn apart, a dense ReLU
 * MLP n -> width -> 1 (mlp_deep, depth 2), hinge loss, minibatch SGD (momentum, weight decay; AdamW if beta1 is a key).
 * Online (key online, Barak et al.'s setting): no train set; each step draws `batch` fresh samples from a seed
 * hashed from (seed, step) (gk_trainer_step_seed), so a resumed run draws the same ones with no generator state.
 * The train set is fit early by memorising; the test accuracy jumps much later, when the few neurons that read
 * the k relevant coordinates win over the dense memorising ones (Merrill et al. Sec. 4). */
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
    {"online", GK_P_BOOL, "0", 0, 1, 0, 0, NULL,
     "fresh samples each step (Barak et al.): every step draws `batch` new inputs, seeded by the seed and the step; "
     "the train columns are then measured on n_train samples of the same law that are never trained on"},
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

/* The mean loss over the train samples idx[0..m) and its gradient (the rows are passed, not copied). */
static gk_status par_objective(void *ud, const double *theta, const size_t *idx, size_t m, double *grad, double *loss,
                               gk_error *err) {
    par_exp *E = ud;
    const gk_dense_input in = {m, E->n, E->x, idx, NULL};
    double *yb = E->dldf + E->ntr; /* the labels of the batch, beside its gradient */
    for (size_t i = 0; i < m; i++) yb[i] = E->y[idx[i]];
    gk_status s = gk_model_forward(&E->model, theta, &in, m, E->f, err);
    if (s) return s;
    *loss = loss_of(E, E->f, yb, m, E->dldf, NULL);
    gk_model_backward(&E->model, theta, &in, m, E->dldf, grad);
    return GK_OK;
}

/* m samples: uniform bits in x (m x n); y = the product of the first k. */
static void draw_samples(gk_rng *r, size_t n, size_t k, size_t m, double *x, double *y) {
    for (size_t i = 0; i < m; i++) {
        double *xi = x + i * n, p = 1;
        for (size_t j = 0; j < n; j++) xi[j] = gk_rng_u64(r) >> 63 ? 1.0 : -1.0, p *= j < k ? xi[j] : 1;
        y[i] = p;
    }
}

static void make_data(par_exp *E, uint64_t seed) {
    gk_rng r;
    gk_rng_seed(&r, seed, PARITY_STREAM);
    draw_samples(&r, E->n, E->k, E->ntr + E->nte, E->x, E->y);
}

/* Online (Barak et al. 2022): the mean loss over `batch` fresh samples and its gradient. The samples of step t
 * come from a seed hashed from (seed, t), so a resumed run draws the same ones with no generator state. */
static gk_status par_online_objective(void *ud, const double *theta, double *grad, double *loss, gk_error *err) {
    par_exp *E = ud;
    gk_rng r;
    gk_rng_seed(&r, gk_trainer_step_seed(&E->tr, ONLINE_STREAM), ONLINE_STREAM);
    draw_samples(&r, E->n, E->k, E->batch, E->xb, E->yb);
    const gk_dense_input in = {E->batch, E->n, E->xb, NULL, NULL};
    gk_status s = gk_model_forward(&E->model, theta, &in, E->batch, E->f, err);
    if (s) return s;
    *loss = loss_of(E, E->f, E->yb, E->batch, E->dldf, NULL);
    gk_model_backward(&E->model, theta, &in, E->batch, E->dldf, grad);
    return GK_OK;
}

/* The trainer on the fixed train set (minibatches drawn by its sampler) or, online, on fresh samples. */
static gk_status par_trainer_init(par_exp *E, const gk_config *cfg, gk_error *err) {
    gk_train_opts o = {.optim = gk_config_index(cfg, "beta1") < 0 ? GK_OPTIM_GD : GK_OPTIM_ADAMW, .table = &E->model.params};
    gk_train_opts_from_config(cfg, &o); /* lr, wd and the keys of the GK_*_PARAMS above */
    if (E->online) return gk_trainer_init(&E->tr, E->model.params.size, &o, par_online_objective, NULL, E, err);
    gk_status s = gk_trainer_init(&E->tr, E->model.params.size, &o, NULL, NULL, E, err);
    return s ? s : gk_trainer_set_batch_objective(&E->tr, par_objective, E->ntr, err);
}

static gk_status par_create(const gk_config *cfg, void **state, gk_error *err) {
    par_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    E->n = (size_t)gk_config_int(cfg, "n"), E->k = (size_t)gk_config_int(cfg, "k");
    E->ntr = (size_t)gk_config_int(cfg, "n_train"), E->nte = (size_t)gk_config_int(cfg, "n_test");
    E->logistic = !strcmp(gk_config_str(cfg, "loss"), "logistic");
    E->online = gk_config_index(cfg, "online") >= 0 && gk_config_bool(cfg, "online");
    E->batch = E->online ? (size_t)gk_config_int(cfg, "batch") : 0;
    const size_t all = E->ntr + E->nte, rows = all > E->batch ? all : E->batch;
    const uint64_t seed = (uint64_t)gk_config_int(cfg, "seed");
    const gk_mlp_deep_opts mo = {.d_in = E->n, .width = (size_t)gk_config_int(cfg, "width"), .depth = 2, .n_out = 1};
    gk_status s = gk_mlp_deep_create_opts(&E->model, &mo, err);
    if (!s) s = gk_model_reserve(&E->model, rows, err);
    if (!s) s = gk_mlp_deep_reserve_input(&E->model, E->ntr, 0, err);
    if (!s) s = par_trainer_init(E, cfg, err);
    E->x = malloc(all * E->n * sizeof(double)), E->y = malloc(all * sizeof(double));
    E->f = malloc(rows * sizeof(double)), E->dldf = malloc(2 * (E->ntr > E->batch ? E->ntr : E->batch) * sizeof(double));
    if (E->online) E->xb = malloc(E->batch * E->n * sizeof(double)), E->yb = malloc(E->batch * sizeof(double));
    if (!s && (!E->x || !E->y || !E->f || !E->dldf || (E->online && (!E->xb || !E->yb))))
        s = gk_fail(err, GK_ENOMEM, "out of memory for %zu samples", all);
    if (!s) {
        make_data(E, seed);
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
    if (gk_config_index(cfg, "online") >= 0 && gk_config_bool(cfg, "online") && gk_config_int(cfg, "batch") < 1)
        return gk_fail(err, GK_EINVAL, "batch=0 with online=1: each step draws `batch` fresh samples (batch >= 1)");
    return GK_OK;
}

static gk_status par_columns(void *state, gk_metrics *m, gk_error *err) {
    static const char *head[] = {"train_loss", "train_acc", "test_loss", "test_acc", "param_norm", "rel_dist_from_init"};
    gk_status s = GK_OK; /* filled in this order by par_eval */
    for (size_t c = 0; c < sizeof head / sizeof *head && !s; c++) s = gk_metrics_add_column(m, head[c], err);
    return s;
}

static gk_status par_eval(void *state, double *row, gk_error *err) {
    par_exp *E = state;
    const gk_dense_input in = {E->ntr + E->nte, E->n, E->x, NULL, NULL};
    gk_status s = gk_model_forward(&E->model, E->tr.theta, &in, in.n, E->f, err);
    if (s) return s;
    row[2] = loss_of(E, E->f, E->y, E->ntr, NULL, &row[3]);
    row[4] = loss_of(E, E->f + E->ntr, E->y + E->ntr, E->nte, NULL, &row[5]);
    row[6] = gk_trainer_param_norm(&E->tr), row[7] = gk_trainer_rel_dist(&E->tr);
    return GK_OK;
}

static const gk_fact par_facts[] = {
    GK_FIT_FACTS,
    GK_RATIO_OF("grok_delay_ratio", "test_grok_step", "train_fit_step"), /* the run layer's steps */
    {NULL},
};

static gk_trainer *par_trainer(void *state) { return &((par_exp *)state)->tr; }

static const gk_exp_type parity_type = {
    .name = "parity", .params = gk_parity_params, .check = par_check, .create = par_create, .destroy = par_destroy,
    .columns = par_columns, .trainer = par_trainer, .eval = par_eval, .facts = par_facts,
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
