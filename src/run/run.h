/* run.h: the run layer, above the experiments. The run driver (run.c) owns the loop over eval points and the
 * trainer's checkpoints, the run directory and its files (config.json, metrics.csv, summary.json, checkpoint,
 * weights/, figures) and resume; the sweeps (sweep_*.c, sweep.h) run grids of runs; the registry (registry.c)
 * lists the presets of every experiment and resolves their configs; outputs.c applies what an experiment declares
 * for summary.json and its figures (outputs.h). */
#ifndef GK_RUN_H
#define GK_RUN_H

#include "exp/exp.h"

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
    int force;                 /* replace an existing run directory (else an existing non-empty one is refused) */
    double checkpoint_every;   /* seconds between checkpoints (0: none; one is also written when the run ends) */
    int save_weights;          /* also write the weights at each checkpoint (weights/step_N/) */
    volatile int *training;    /* if not NULL: set to 1 when the set-up is over and training begins */
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

/* The metrics columns of a built experiment, in order: step, time, the experiment's own, then the driver's
 * (sharpness when sharpness_every > 0). */
/* The run driver's own columns (step, time; lr with lr_auto, sharpness with sharpness_every), declared as
 * io/columns.h declares an experiment's; terminated by {NULL}. */
extern const gk_column gk_run_columns[];
gk_status gk_declare_columns(const gk_preset *p, const gk_config *cfg, void *exp, gk_metrics *m, gk_error *err);

/* Continues the run in dir from its checkpoint (interrupted, killed, or finished: then `steps=N` goes further).
 * assign may set only steps (>= the run's) and threads. The resumed metrics.csv is byte-identical to an
 * uninterrupted run's. A missing, corrupt or foreign checkpoint is GK_EINVAL, and nothing in dir changes. */
gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                    gk_run_result *res, gk_error *err);

/* Builds the experiment (which computes its theory references) and reports the references only, without
 * training: a cheap check of whether a setting can grok. *out is owned by the caller. */
gk_status gk_theory_report(const gk_preset *p, const gk_config *cfg, cJSON **out, gk_error *err);

/* config.json as a cJSON object: preset, experiment, version, params (typed). */
cJSON *gk_config_to_json(const gk_preset *p, const gk_config *cfg);

/* The caller's thread settings, as gk_apply_threads found them. */
typedef struct gk_thread_settings {
    int omp;  /* omp_get_max_threads() */
    int blas; /* openblas_get_num_threads() */
} gk_thread_settings;

/* Sets the OpenMP thread count from the `threads` key (0 = leave the default); BLAS on one thread. Returns the
 * settings it replaced, for gk_restore_threads when the call into the library ends (gk_run, gk_resume and
 * gk_theory_report restore them themselves). */
gk_thread_settings gk_apply_threads(const gk_config *cfg);
void gk_restore_threads(gk_thread_settings saved);

#endif
