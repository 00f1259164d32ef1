/* parity_progress.c: the hidden progress of sparse parity (Barak et al. 2022: SGD "making continual progress that
 * is invisible to loss and error metrics"; Merrill, Tsilivis, Shukla 2023: a sparse generalising subnetwork
 * grows while a dense memorising one decays). The parity experiment (parity.c) with columns that read the
 * network itself, on a probe set of fresh uniform inputs (drawn once, apart from the train and test sets):
 *  - support_mass_ratio: the share of the first layer's squared weights on the k relevant inputs, over its
 *    share at uniform spread (k / n): 1 when the inputs are treated alike, n / k when only the support is read;
 *  - fourier_support: the net's Fourier coefficient on the support, E[f(x) chi_S(x)] over the probe set
 *    (chi_S(x) = x_1 ... x_k, the label);
 *  - neuron_norm_max, neuron_norm_median: per hidden neuron j, |W1[:, j]| |W2[j]| (its weight on the output);
 *  - active_neurons: the fewest neurons, taken by that norm from the largest, whose subnetwork (the others
 *    removed) gives the sign of the full net on 99% of the probe inputs (Merrill's active subnetwork).
 * Presets parity-merrill (n = 40, k = 3, 1000 samples, width 128, SGD lr 0.1, batch 32, wd 0.01, hinge; width and
 * lr are Merrill's [unverified], chosen to show the phenomenon) and parity-merrill-fast; parity-barak (online: fresh
 * samples each step, (n, k) = (50, 3), width 1000, Barak et al.'s setting) and parity-barak-fast (n = 30, width 256).
 * Measured on parity-barak-fast (seed 1): support ratio 1.25 at step 725, test 0.6 at 773, 0.95 at 875. */
#include "exp/exp.h"

#include <stdlib.h>
#include <string.h>

extern const gk_preset gk_presets_parity[];
extern const gk_param_spec gk_parity_params[];

#define PROBE_STREAM UINT64_C(0x70726f6265) /* "probe" */
#define PROBES 2000
#define ACTIVE_AGREE 0.99
#define SUPPORT_RISE 1.25 /* the support's share of the first layer up by a quarter from uniform */

typedef struct ranked {
    double norm;
    size_t j;
} ranked;

typedef struct pp_exp {
    const gk_exp_type *inner_type;
    void *inner;
    size_t n, k, width;
    int online;
    int first_col;         /* the first of this file's columns in a row */
    double *x, *chi, *h;   /* probes: PROBES x n inputs, their parity, PROBES x width neuron contributions */
    double *norm, *sorted; /* per neuron */
    ranked *rank;
} pp_exp;

static void pp_destroy(void *state) {
    pp_exp *E = state;
    if (!E) return;
    if (E->inner) E->inner_type->destroy(E->inner);
    free(E->x), free(E->chi), free(E->h), free(E->norm), free(E->sorted), free(E->rank);
    free(E);
}

static gk_status pp_create(const gk_config *cfg, void **state, gk_error *err) {
    pp_exp *E = calloc(1, sizeof *E);
    if (!E) return gk_fail(err, GK_ENOMEM, "out of memory");
    E->inner_type = gk_presets_parity[0].type;
    E->n = (size_t)gk_config_int(cfg, "n"), E->k = (size_t)gk_config_int(cfg, "k");
    E->width = (size_t)gk_config_int(cfg, "width"), E->online = gk_config_bool(cfg, "online");
    gk_status s = E->inner_type->create(cfg, &E->inner, err);
    E->x = malloc(PROBES * E->n * sizeof(double)), E->chi = malloc(PROBES * sizeof(double));
    E->h = malloc(PROBES * E->width * sizeof(double)), E->norm = malloc(E->width * sizeof(double));
    E->sorted = malloc(E->width * sizeof(double)), E->rank = malloc(E->width * sizeof *E->rank);
    if (!s && (!E->x || !E->chi || !E->h || !E->norm || !E->sorted || !E->rank))
        s = gk_fail(err, GK_ENOMEM, "out of memory for %d probe inputs", PROBES);
    if (s) {
        pp_destroy(E);
        return s;
    }
    gk_rng r;
    gk_rng_seed(&r, (uint64_t)gk_config_int(cfg, "seed"), PROBE_STREAM);
    for (size_t i = 0; i < PROBES; i++) {
        double p = 1, *xi = E->x + i * E->n;
        for (size_t j = 0; j < E->n; j++) xi[j] = gk_rng_u64(&r) >> 63 ? 1.0 : -1.0, p *= j < E->k ? xi[j] : 1;
        E->chi[i] = p;
    }
    *state = E;
    return GK_OK;
}

static gk_trainer *pp_trainer(void *state) {
    pp_exp *E = state;
    return E->inner_type->trainer(E->inner);
}

static void pp_visit(void *state, gk_state *s) {
    pp_exp *E = state;
    if (E->inner_type->visit) E->inner_type->visit(E->inner, s);
}

static const char *const pp_head[] = {"support_mass_ratio", "fourier_support", "neuron_norm_max", "neuron_norm_median",
                                      "active_neurons"};
enum { PP_COLS = sizeof pp_head / sizeof *pp_head };

static gk_status pp_columns(void *state, gk_metrics *m, gk_error *err) {
    pp_exp *E = state;
    gk_status s = E->inner_type->columns(E->inner, m, err);
    E->first_col = m->ncols;
    for (size_t c = 0; c < PP_COLS && !s; c++) s = gk_metrics_add_column(m, pp_head[c], err);
    return s;
}

/* Largest norm first; equal norms by index (the same order on every machine). */
static int by_norm_desc(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    if (x->norm != y->norm) return x->norm < y->norm ? 1 : -1;
    return (x->j > y->j) - (x->j < y->j);
}

/* The fewest neurons, largest |W1[:, j]| |W2[j]| first, whose sum (plus b2) has the full output's sign on
 * ACTIVE_AGREE of the probes; h holds each neuron's contribution W2[j] relu(.) per probe. */
static double active_subnetwork(pp_exp *E, const double *f, double b2) {
    const size_t W = E->width;
    for (size_t j = 0; j < W; j++) E->rank[j] = (ranked){E->norm[j], j};
    qsort(E->rank, W, sizeof *E->rank, by_norm_desc);
    double *agree = E->sorted; /* agree[m - 1]: probes where the top m neurons give the sign of f */
    memset(agree, 0, W * sizeof(double));
    for (size_t i = 0; i < PROBES; i++) {
        double part = b2;
        for (size_t m = 0; m < W; m++) {
            part += E->h[i * W + E->rank[m].j];
            agree[m] += (part > 0) == (f[i] > 0);
        }
    }
    for (size_t m = 0; m < W; m++)
        if (agree[m] >= ACTIVE_AGREE * PROBES) return (double)(m + 1);
    return (double)W;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The net n -> width -> 1 (mlp_deep at depth 2, standard forward: W1 input-major n x width, b1, W2, b2) read off
 * theta, on the probes. */
static void progress_row(pp_exp *E, const gk_trainer *tr, double *out) {
    const gk_param_table *T = tr->table;
    const double *W1 = tr->theta + T->t[0].offset, *b1 = tr->theta + T->t[1].offset;
    const double *W2 = tr->theta + T->t[2].offset, b2 = tr->theta[T->t[3].offset];
    const size_t n = E->n, W = E->width;
    double on = 0, all = 0, fourier = 0, *f = malloc(PROBES * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < W; j++) {
            const double w2 = W1[i * W + j] * W1[i * W + j];
            all += w2;
            on += i < E->k ? w2 : 0;
        }
    for (size_t j = 0; j < W; j++) {
        double c = 0;
        for (size_t i = 0; i < n; i++) c += W1[i * W + j] * W1[i * W + j];
        E->norm[j] = sqrt(c) * fabs(W2[j]);
    }
    for (size_t p = 0; p < PROBES; p++) {
        double sum = b2;
        for (size_t j = 0; j < W; j++) {
            double z = b1[j];
            for (size_t i = 0; i < n; i++) z += E->x[p * n + i] * W1[i * W + j];
            sum += E->h[p * W + j] = z > 0 ? W2[j] * z : 0;
        }
        if (f) f[p] = sum;
        fourier += sum * E->chi[p] / PROBES;
    }
    out[0] = all > 0 ? on / all * (double)n / (double)E->k : NAN;
    out[1] = fourier;
    memcpy(E->sorted, E->norm, W * sizeof(double));
    qsort(E->sorted, W, sizeof(double), cmp_double);
    out[2] = E->sorted[W - 1], out[3] = W % 2 ? E->sorted[W / 2] : 0.5 * (E->sorted[W / 2 - 1] + E->sorted[W / 2]);
    out[4] = f ? active_subnetwork(E, f, b2) : NAN;
    free(f);
}

static gk_status pp_eval(void *state, double *row, gk_error *err) {
    pp_exp *E = state;
    gk_status s = E->inner_type->eval(E->inner, row, err);
    if (s) return s;
    progress_row(E, pp_trainer(E), row + E->first_col);
    return GK_OK;
}

/* The hidden progress comes first: the steps where the support's share of the first layer rose by a quarter
 * and where the Fourier coefficient on the support reached 0.1, against the fit, the test accuracy's first rise
 * (0.6) and its jump (0.95). Measured on parity-merrill-fast: fit at 907 (test 0.49), Fourier 0.1 at ~1300,
 * support ratio 1.25 at ~1500 (test 0.52), test 0.6 at ~2450, 0.95 at ~4050; the active subnetwork falls from
 * ~110 neurons at the fit to 3 (= k) after the jump. */
static const gk_fact pp_facts[] = {
    GK_FIT_FACTS,
    GK_STEP_WHEN("support_rise_step", "support_mass_ratio", GK_RULE_AT_LEAST, SUPPORT_RISE, NULL),
    GK_STEP_WHEN("fourier_rise_step", "fourier_support", GK_RULE_AT_LEAST, 0.1, NULL),
    GK_STEP_WHEN("test_acc_rise_step", "test_acc", GK_RULE_AT_LEAST, 0.6, NULL),
    GK_VALUE_AT("active_neurons_at_fit", "active_neurons", "train_fit_step"),
    GK_FINAL_OF("active_neurons_final", "active_neurons"),
    {NULL},
};

/* progress.png/svg: the hidden progress beside the accuracies. */
static const gk_curve_figure pp_curves[] = {
    {.file = "progress", .title = "sparse parity: hidden progress before the test accuracy jumps",
     .panels = {{.title = "accuracy", .ylabel = "accuracy", .curves = {{"train_acc", "train", 0}, {"test_acc", "test", 0}}},
                {.title = "weight on the support (1: uniform)", .ylabel = "ratio", .logy = 1,
                 .curves = {{"support_mass_ratio", "support mass ratio", 0}}},
                {.title = "neurons", .ylabel = "norm / count", .logy = 1,
                 .curves = {{"neuron_norm_max", "largest neuron", 0}, {"neuron_norm_median", "median neuron", 0},
                            {"active_neurons", "active subnetwork", 0}}}}},
    {NULL},
};

static const gk_rule pp_rules[] = {
    {"support weight rose", "support_mass_ratio", GK_RULE_AT_LEAST, SUPPORT_RISE, NULL},
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};
/* Online there is no train set to fit (the train columns are measured on fresh samples, as the test ones). */
static const gk_rule pp_rules_online[] = {
    {"support weight rose", "support_mass_ratio", GK_RULE_AT_LEAST, SUPPORT_RISE, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};
static const gk_rule *pp_rule_list(void *state) { return ((pp_exp *)state)->online ? pp_rules_online : pp_rules; }

static gk_status pp_check(const gk_config *cfg, gk_error *err) {
    const gk_exp_type *t = gk_presets_parity[0].type;
    return t->check ? t->check(cfg, err) : GK_OK;
}

static const gk_exp_type parity_progress_type = {
    .name = "parity-progress", .params = gk_parity_params, .check = pp_check, .create = pp_create,
    .destroy = pp_destroy, .columns = pp_columns, .trainer = pp_trainer, .visit = pp_visit, .eval = pp_eval,
    .facts = pp_facts, .curves = pp_curves, .rules = pp_rule_list,
};

const gk_preset gk_presets_parity_progress[] = {
    {"parity-merrill", &parity_progress_type, "Merrill, Tsilivis, Shukla 2023", "sparse parity (n, k) = (40, 3), 1000 samples",
     "hidden progress: the first layer's weight on the 3 relevant bits grows, and a few neurons take over, before the "
     "test accuracy jumps (SGD lr 0.1, batch 32, wd 0.01, hinge, width 128)",
     "n=40 k=3 n_train=1000 n_test=1000 width=128 lr=0.1 momentum=0 wd=0.01 batch=32 steps=15000"},
    {"parity-barak", &parity_progress_type, "Barak et al. 2022", "Fig. 1 (online, (n, k) = (50, 3))",
     "online sparse parity: fresh samples each step, width 1000, SGD lr 0.1, batch 32, wd 0.01, hinge; the loss and "
     "accuracy sit at chance while the weight on the 3 relevant bits and the Fourier coefficient on them grow, then "
     "the test accuracy jumps",
     "n=50 k=3 online=1 n_train=1000 n_test=1000 width=1000 lr=0.1 momentum=0 wd=0.01 batch=32 steps=10000 evals=40 evals_lin=200"},
    {"parity-barak-fast", &parity_progress_type, "Barak et al. 2022", "Fig. 1 (online, scaled down)",
     "parity-barak at n = 30, width 256: the same hidden progress before the jump, in seconds; `groklab sweep "
     "parity-barak-fast n=10,14,20,28,40,56 --seeds 3` fits the steps to 0.95 test accuracy against n",
     "n=30 k=3 online=1 n_train=1000 n_test=1000 width=256 lr=0.1 momentum=0 wd=0.01 batch=32 steps=5000 evals=30 evals_lin=250"},
    {"parity-merrill-fast", &parity_progress_type, "Merrill, Tsilivis, Shukla 2023", "sparse parity (n, k) = (30, 3), small",
     "parity-merrill at n = 30, 600 samples: the weight on the support and the Fourier coefficient rise before the test accuracy does",
     "n=30 k=3 n_train=600 n_test=1000 width=128 lr=0.1 momentum=0 wd=0.01 batch=32 steps=8000"},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};
