/* slingshot.c: the slingshot mechanism (Thilak et al. 2022, arXiv:2206.04817) on sparse parity. The parity
 * experiment (parity.c) trained with Adam (decoupled weight decay 0.01 only), for long: the norm of the last layer's weights grows
 * in bursts, each with a spike of the train loss, then plateaus ("cyclic phase transitions between stable and
 * unstable training regimes", their Fig. 1), and the test accuracy jumps at the onsets. One column more than parity's,
 * last_layer_norm = |W2| (the output layer's weights, bias excluded); report/slingshot.c finds the cycles in it. */
#include "exp/parity.h"
#include "report/slingshot.h"

#include <math.h>
#include <stdlib.h>

extern const gk_preset gk_presets_parity[];

static const gk_param_spec sling_params[] = {
    GK_PARITY_TASK_PARAMS("128"),
    {"lr", GK_P_REAL, "0.01", 0, INFINITY, 1, 0, NULL, "AdamW learning rate"},
    {"wd", GK_P_REAL, "0.01", 0, INFINITY, 0, 0, NULL,
     "AdamW decoupled weight decay (PyTorch's default; at 0 the hinge loss reaches 0 and Adam stops: no cycle)"},
    GK_ADAMW_PARAMS("0.999", "0"), GK_BATCH_PARAMS("32"), GK_INTERVENTION_PARAMS, GK_SCHEDULE_PARAMS,
    GK_COMMON_PARAMS("20000"),
    {NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL},
};

typedef struct sling_exp {
    const gk_exp_type *inner_type;
    void *inner;
} sling_exp;

static void sling_destroy(void *state) {
    sling_exp *E = state;
    if (!E) return;
    if (E->inner) E->inner_type->destroy(E->inner);
    free(E);
}

static gk_status sling_create(const gk_config *cfg, void **state, gk_error *err) {
    sling_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    E->inner_type = gk_presets_parity[0].type;
    gk_status s = E->inner_type->create(cfg, &E->inner, err); /* AdamW: the spec has beta1 */
    if (s) sling_destroy(E);
    else *state = E;
    return s;
}

static gk_status sling_check(const gk_config *cfg, gk_error *err) {
    const gk_exp_type *t = gk_presets_parity[0].type;
    return t->check ? t->check(cfg, err) : GK_OK;
}

static gk_trainer *sling_trainer(void *state) {
    sling_exp *E = state;
    return E->inner_type->trainer(E->inner);
}

static void sling_visit(void *state, gk_state *s) {
    sling_exp *E = state;
    if (E->inner_type->visit) E->inner_type->visit(E->inner, s);
}

/* parity's columns (its eval writes them), then the last layer's norm. */
#define SLING_COLUMNS(X, F)                                                                                        \
    GK_PARITY_COLUMNS(X, F)                                                                                       \
    X(last_layer_norm, "norm", GK_ROLE_NONE, NULL,                                                                \
      "‖W2‖, the L2 norm of the output layer's weights (bias excluded): it grows in bursts with each train-loss "  \
      "spike, then plateaus")
GK_COLUMNS(sling_cols, SLING_COLUMNS);

/* |W2|: the net n -> width -> 1 is mlp_deep at depth 2 (tensors W1, b1, W2, b2). */
static gk_status sling_eval(void *state, double *row, gk_error *err) {
    sling_exp *E = state;
    gk_status s = E->inner_type->eval(E->inner, row, err);
    if (s) return s;
    const gk_trainer *tr = sling_trainer(E);
    const gk_tensor *w2 = &tr->table->t[2];
    double ss = 0;
    for (size_t i = 0; i < w2->rows * w2->cols; i++) ss += tr->theta[w2->offset + i] * tr->theta[w2->offset + i];
    row[COL_last_layer_norm] = sqrt(ss);
    return GK_OK;
}

static gk_status sling_summarize(void *state, const gk_metrics *m, cJSON *sum, gk_error *err) {
    (void)state;
    return gk_slingshot_summarize(m, "last_layer_norm", "train_loss", "test_acc", NULL, sum, err);
}

static const gk_fact sling_facts[] = {
    GK_FIT_FACTS,
    GK_STEP_WHEN("grok_step", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL),
    GK_INITIAL_OF("last_layer_norm_initial", "last_layer_norm"),
    GK_FINAL_OF("last_layer_norm_final", "last_layer_norm"),
    {NULL},
};

/* slingshot.png/svg: the last layer's norm over the train loss and the accuracies. */
static const gk_curve_figure sling_curves[] = {
    {.file = "slingshot", .title = "the slingshot: last-layer norm bursts, train-loss spikes, test accuracy",
     .panels = {{.title = "last layer's weight norm", .ylabel = "|W2|", .logy = 1,
                 .curves = {{"last_layer_norm", "|W2|", 0}}},
                {.title = "train loss", .ylabel = "loss", .logy = 1, .curves = {{"train_loss", "train", 0}}},
                {.title = "accuracy", .ylabel = "accuracy", .curves = {{"train_acc", "train", 0}, {"test_acc", "test", 0}}}}},
    {NULL},
};

static const gk_exp_type slingshot_type = {
    .name = "slingshot", .params = sling_params, .check = sling_check, .create = sling_create,
    .destroy = sling_destroy, .cols = sling_cols,
    .columns_doc = "Sparse parity trained with Adam (src/exp/slingshot.c); its cycles are found from `last_layer_norm` "
                   "and `train_loss` by src/report/slingshot.c and listed in summary.json's `slingshot` (onset, peak, "
                   "recovery and plateau-end steps of each cycle, the norm's growth, and the test accuracy's jumps "
                   "marked against the cycle onsets).", .trainer = sling_trainer, .visit = sling_visit,
    .eval = sling_eval, .facts = sling_facts, .curves = sling_curves, .summarize = sling_summarize,
};

/* Measured (seed 1, 20000 steps): with wd = 0 the hinge loss reaches exactly 0 at step ~3000 and Adam stops
 * (its moments decay; no cycle). PyTorch's AdamW default wd = 0.01 (Wu's "other settings default") slowly shrinks
 * the weights until margins fall under 1; the gradient returns against a decayed second moment and the step is
 * huge: cycles at ~6550, ~9800, ~11650 (|W2| up 1.3x each, then a slow decay), test accuracy 0.95 at 2950. */
const gk_preset gk_presets_slingshot[] = {
    {"slingshot-parity", &slingshot_type, "Thilak et al. 2022 (Fig. 1); Wilson Wu 2024", "sparse parity (n, k) = (40, 3)",
     "Adam, hinge loss: the last layer's norm jumps in bursts, each with a train-loss spike, then plateaus (cycles in "
     "summary.json). Not wd 0: AdamW wd 0.01 (PyTorch's default), without which the hinge loss "
     "reaches 0 and Adam stops; ~10 s on one core",
     "n=40 k=3 n_train=1000 n_test=1000 width=128 lr=0.01 wd=0.01 batch=32 steps=20000 evals=50 evals_lin=400"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
