/* exp.h: the experiment layer. One file per paper setup (src/exp/<name>.c) defines an experiment type:
 * its keys, how it builds dataset -> model -> loss -> optimizer -> theory references, how it advances
 * and what it measures at an eval point. The run driver (run.c) owns the loop, the run directory,
 * metrics.csv, summary.json and the figures. */
#ifndef GK_EXP_H
#define GK_EXP_H

#include "groklab.h"
#include "io/metrics.h"

#include <cjson/cJSON.h>
#include <math.h>

/* Keys every experiment takes (place inside its spec table). */
#define GK_COMMON_PARAMS(steps_default)                                                                       \
    {"seed", GK_P_INT, "1", 0, 4294967295.0, 0, 0, NULL, "seed of the data and of the init"},                \
    {"steps", GK_P_INT, steps_default, 1, 1e12, 0, 0, NULL, "number of optimizer steps"},                     \
    {"evals", GK_P_INT, "150", 1, 100000, 0, 0, NULL, "log-spaced eval points (from step 0)"},                \
    {"evals_lin", GK_P_INT, "150", 0, 100000, 0, 0, NULL, "evenly spaced eval points (added to the log ones)"}, \
    {"threads", GK_P_INT, "0", 0, 1024, 0, 0, NULL, "OpenMP threads (0 = all cores); results do not depend on it"}

typedef struct gk_exp_type {
    const char *name;
    const gk_param_spec *params; /* terminated by {NULL} */
    /* Constraints across keys (e.g. s <= d). Must not allocate. */
    gk_status (*check)(const gk_config *cfg, gk_error *err);
    gk_status (*create)(const gk_config *cfg, void **state, gk_error *err);
    void (*destroy)(void *state);
    /* Declares the metric columns after step and time, in the order eval fills them. */
    gk_status (*columns)(void *state, gk_metrics *m, gk_error *err);
    /* Advances from the current step to `target`, checking *stop between steps. *reached is the step
     * reached (== target unless stopped or failed). A non-finite loss returns GK_ENONFINITE, naming the step. */
    gk_status (*advance)(void *state, long target, const volatile int *stop, long *reached, gk_error *err);
    /* Fills row[2 ..] (the declared columns) at the current step. */
    gk_status (*eval)(void *state, double *row, gk_error *err);
    double (*time_of_step)(void *state, long step);   /* continuous time, e.g. lr * step */
    double (*predicted_step)(void *state);            /* predicted transition step, NAN if none */
    /* Optional hooks (NULL if absent). */
    gk_status (*save_data)(void *state, const char *dir, gk_error *err);
    gk_status (*summarize)(void *state, const gk_metrics *m, cJSON *summary, gk_error *err);
    gk_status (*figures)(void *state, const gk_metrics *m, const char *dir, gk_error *err);
    /* The theory references alone (computed in create): their own accuracies or errors, for `groklab theory`. */
    gk_status (*references)(void *state, cJSON *out, gk_error *err);
} gk_exp_type;

typedef struct gk_preset {
    const char *name;
    const gk_exp_type *type;
    const char *paper, *figure, *shows; /* for `groklab list` */
    const char *overrides;              /* "key=value key=value ..." on top of the type's defaults */
} gk_preset;

/* ---- registry (registry.c) --------------------------------------------------------------------------- */
const gk_preset *gk_preset_find(const char *name);
const gk_preset *gk_preset_at(size_t i); /* NULL past the end */

/* Resolves a preset's config: type defaults, then the preset's overrides, then the user's assignments,
 * then the type's cross-key check. */
gk_status gk_preset_config(const gk_preset *p, const char *const *assign, int nassign, gk_config *cfg, gk_error *err);

/* ---- the run driver (run.c) ------------------------------------------------------------------------- */
typedef struct gk_progress {
    const char *preset;
    long step, steps;
    double elapsed, eta;    /* seconds */
    const gk_metrics *m;    /* rows so far; the last row is the newest eval */
} gk_progress;

typedef struct gk_run_opts {
    const char *out_dir;       /* the run directory to create */
    int save_data;             /* write train.csv / test.csv */
    const volatile int *stop;  /* set to non-zero (e.g. by SIGINT) to stop at the next step */
    void (*progress)(void *ud, const gk_progress *p);
    void *ud;
    double csv_interval;       /* seconds between rewrites of metrics.csv (it is always written at the end) */
    int force;
    double checkpoint_every;
    int save_weights;
} gk_run_opts;

typedef struct gk_run_result {
    gk_status status;   /* GK_OK (completed), GK_EINTERRUPTED, GK_ENONFINITE, ... */
    cJSON *summary;     /* owned by the caller: cJSON_Delete */
    char error[512];    /* why the run stopped early, if it did */
} gk_run_result;

/* Runs one experiment into opts->out_dir. Returns GK_OK when the run directory is complete (the run itself
 * may have stopped early: see res->status). Returns an error (and writes nothing) for a bad config or an
 * unwritable directory. */
gk_status gk_run(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res, gk_error *err);
/* Continues the run in dir from its last checkpoint; assign (e.g. "steps=N") changes what may change. */
gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts, gk_run_result *res,
                    gk_error *err);

/* Builds the experiment (which computes its theory references) and reports the references only, without
 * training: a cheap check of whether a setting can grok. *out is owned by the caller. */
gk_status gk_theory_report(const gk_preset *p, const gk_config *cfg, cJSON **out, gk_error *err);

/* config.json as a cJSON object: preset, experiment, version, params (typed). */
cJSON *gk_config_to_json(const gk_preset *p, const gk_config *cfg);

/* ---- helpers shared by experiments ----------------------------------------------------------------- */
/* Sets the OpenMP thread count from the `threads` key (0 = leave the default). */
void gk_apply_threads(const gk_config *cfg);

#endif
