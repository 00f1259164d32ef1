/* exp.h: the experiment layer. One file per paper setup (src/exp/<name>.c) defines an experiment type, wiring
 * only: its keys (a spec table), how it builds data -> model -> objective -> theory references into a trainer
 * (src/train/trainer.h: the buffers, the optimizer and the step loop; a structured step where the science needs
 * one), what it measures at an eval point, and what it reports. Its metrics columns are declared once, where eval
 * computes them (io/columns.h: one X-macro list gives the table of names, units, roles and meanings and the enum
 * COL_<name> that eval writes by; the run driver checks each eval wrote exactly the present ones); the run acts on
 * their roles, not their names, and docs/metrics.md is generated from them (groklab --help-metrics). What it
 * reports is declared as tables too: its phenomenon rules and summary facts (report/phenomena.h) and its figures
 * of metrics columns (fig/curves.h), with hooks for what a table cannot say. The science it wires lives below
 * (src/data, src/model, src/theory). The run layer (src/run) owns the eval schedule, checkpoints and resume, the
 * run directory, metrics.csv, summary.json and the figures' files, applies the declared tables (run/outputs.c)
 * and lists the presets (run/registry.c). docs/design.md, "The trainer and the experiment interface", has a
 * complete example (tests/e2e_columns.sh compiles it). */
#ifndef GK_EXP_H
#define GK_EXP_H

#include "groklab.h"
#include "core/state.h"
#include "fig/curves.h"
#include "io/metrics.h"
#include "report/phenomena.h"
#include "train/train.h"
#include "train/trainer.h"

#include <cjson/cJSON.h>
#include <math.h>

/* Keys every experiment takes (place inside its spec table). */
#define GK_COMMON_PARAMS(steps_default)                                                                       \
    {"seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of the data and of the init"},                \
    {"steps", GK_P_INT, steps_default, 1, 1e12, 0, 0, NULL, "number of optimizer steps"},                     \
    {"evals", GK_P_INT, "150", 1, 100000, 0, 0, NULL, "log-spaced eval points (from step 0)"},                \
    {"evals_lin", GK_P_INT, "150", 0, 100000, 0, 0, NULL, "evenly spaced eval points (added to the log ones)"}, \
    {"threads", GK_P_INT, "0", 0, 1024, 0, 0, NULL, "OpenMP threads (0 = all cores); results do not depend on it"}, \
    {"seeds", GK_P_INT, "1", 1, 1000, 0, 0, NULL,                                                             \
     "independent runs K (seed, seed+1, ..., seed+K-1), each a whole run in DIR/seed_<seed>; DIR/metrics.csv holds "   \
     "their mean, std, min and max per column, summary.json the spread of their phenomena (an experiment with a "   \
     "lockstep form, xor, trains them side by side in one run instead)"}

/* The facts of memorising, then generalising (place inside a gk_fact table): the test accuracy and the
 * parameter norm at the run layer's train_fit_step (train_acc >= 0.99), and the norm at the start and end. */
#define GK_FIT_FACTS                                                 \
    GK_VALUE_AT("test_acc_at_fit", "test_acc", "train_fit_step"),    \
    GK_VALUE_AT("norm_at_fit", "param_norm", "train_fit_step"),      \
    GK_INITIAL_OF("norm_initial", "param_norm"), GK_FINAL_OF("norm_final", "param_norm")

typedef struct gk_exp_type {
    const char *name;
    const gk_param_spec *params; /* terminated by {NULL} */
    /* Constraints across keys (e.g. s <= d). Must not allocate. */
    gk_status (*check)(const gk_config *cfg, gk_error *err);
    gk_status (*create)(const gk_config *cfg, void **state, gk_error *err);
    void (*destroy)(void *state);
    /* The metrics columns after step and time, declared once with their units, meanings and roles (io/columns.h:
     * GK_COLUMNS makes this table and the enum COL_<name> that eval writes by), terminated by {NULL}. */
    const gk_column *cols;
    const char *columns_doc; /* what docs/metrics.md says of this experiment before its columns (NULL: nothing) */
    /* The older form, for an experiment without cols: declares the columns by name, in the order eval fills them
     * by position. */
    gk_status (*columns)(void *state, gk_metrics *m, gk_error *err);
    /* The experiment's trainer (required): the driver steps it to each eval point, takes time from it and
     * checkpoints it. */
    gk_trainer *(*trainer)(void *state);
    /* Mutable state beyond the trainer's (RNG streams, per-seed buffers, counters), for checkpoints. */
    void (*visit)(void *state, gk_state *s);
    /* Fills the declared columns at the current step: row[COL_<name>] for each present column of cols (the run
     * driver checks that each was written and keeps the present ones, in order); without cols, row[2 ..] by
     * position. */
    gk_status (*eval)(void *state, double *row, gk_error *err);
    /* Optional hooks (NULL if absent). */
    double (*predicted_step)(void *state); /* predicted transition step (NULL or NAN: none) */
    gk_status (*save_data)(void *state, const char *dir, gk_error *err);
    /* summary.json and figures, declared as data (report/phenomena.h, fig/curves.h; NULL: none): facts, terminated
     * by {NULL}, and figures of metrics columns against the step, terminated by {NULL}. */
    const gk_fact *facts;
    const gk_curve_figure *curves;
    /* What a table cannot say: summary numbers and figures of the experiment's own (matrices, boundaries,
     * histograms, a title made of the run's sizes). */
    gk_status (*summarize)(void *state, const gk_metrics *m, cJSON *summary, gk_error *err);
    gk_status (*figures)(void *state, const gk_metrics *m, const char *dir, gk_error *err);
    /* About how many bytes a run of this config holds at its peak, and the key that sets most of it (NULL:
     * small at any size). gk_preset_config refuses a config that needs more than the machine has. */
    double (*memory_bytes)(const gk_config *cfg, const char **key);
    /* The phenomena of this run (terminated by {NULL}); NULL: train set fit and test accuracy jump. */
    const gk_rule *(*rules)(void *state);
    /* The theory references alone (computed in create): their own accuracies or errors, for `groklab theory`. */
    gk_status (*references)(void *state, cJSON *out, gk_error *err);
    /* 1: create trains seeds=K itself, the K runs side by side in one run (a lockstep form, as xor's span form);
     * 0: the run layer makes seeds=K into K runs of seeds=1 (run/run_seeds.c). */
    int lockstep_seeds;
    /* Optional: a key's value in words for figure axes (op=sq_sum: "x^2+y^2"); NULL: the value as given. */
    const char *(*value_words)(const char *key, const char *value);
} gk_exp_type;

typedef struct gk_preset {
    const char *name;
    const gk_exp_type *type;
    const char *paper, *figure, *shows; /* for `groklab list` */
    const char *overrides;              /* "key=value key=value ..." on top of the type's defaults */
} gk_preset;

#endif
