/* run_internal.h: what the run driver's files (run.c, run_dir.c, run_checkpoint.c, run_summary.c,
 * run_resume.c) share: the state of one run and the steps each file provides. Not installed. */
#ifndef GK_RUN_INTERNAL_H
#define GK_RUN_INTERNAL_H

#include "run/run.h"

#include <pthread.h>

typedef struct run_state {
    const gk_preset *p;
    const gk_config *cfg;
    const gk_run_opts *o;
    void *exp;
    gk_trainer *tr;        /* NULL: the experiment advances itself and cannot be checkpointed */
    gk_metrics m;
    double *row;
    double *full;          /* the row eval writes by declared index (io/columns.h); NULL for an undeclared type */
    double t0, last_csv;
    long step;             /* the step reached */
    long sharp_every;      /* sharpness every this many eval rows (0: off) */
    /* checkpoints: a ticker thread raises `pause` when one is due or when the user asks to stop */
    volatile int pause, quit;
    volatile double next_ckpt;
    int ckpt_ok;           /* 0 once a checkpoint could not be made (the reason is in ckpt_why) */
    long ckpt_count;       /* checkpoints written by this process, and the seconds they took */
    double ckpt_secs;
    char ckpt_why[512];
    pthread_t ticker;
    int ticker_on;
    gk_thread_settings caller_threads; /* restored when the run state is freed */
    int threads_set;
    int holds_lock, lock_fd; /* gk_run holds the run lock from claiming the directory to the end */
} run_state;

/* run.c: builds the experiment and the metrics table (no files written); trains from where rs is and writes
 * the run's files; frees what build made. */
gk_status gk_run_build(run_state *rs, gk_error *err);
gk_status gk_run_train_and_finish(run_state *rs, gk_run_result *res, gk_error *err);
void gk_run_state_free(run_state *rs);

/* run.c: the run lock of a new run directory, taken as soon as it exists (another run writing it, or one that
 * took it meanwhile, is GK_EINVAL); undoing a directory made for a run that could not start (created: it did
 * not exist before: its lock file and the directory go). */
gk_status gk_run_lock_dir(const gk_run_opts *opts, int *fd, gk_error *err);
void gk_run_release_dir(const char *dir, int created);

/* run.c, run_resume.c: one run (seeds=1, or an experiment's lockstep seeds), new or from its checkpoint in
 * opts->out_dir (gk_resume_prepare: its config rebuilt and checked; gk_resume_one: all of it). */
gk_status gk_run_one(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res,
                     gk_error *err);
gk_status gk_resume_prepare(const char *dir, const char *const *assign, int nassign, const gk_preset **p,
                            gk_config *cfg, gk_error *err);
gk_status gk_resume_run(const gk_preset *p, gk_config *cfg, const gk_run_opts *o, gk_run_result *res, gk_error *err);
gk_status gk_resume_one(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                        gk_run_result *res, gk_error *err);
/* A resume's preset, config and options (out_dir = the run's directory), from gk_resume_begin (res cleared). */
typedef struct gk_resume_ctx {
    const gk_preset *p;
    gk_config cfg;
    gk_run_opts o;
} gk_resume_ctx;
gk_status gk_resume_begin(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                          gk_run_result *res, gk_resume_ctx *c, gk_error *err);

/* run_seeds.c: seeds=K of an experiment without a lockstep form, as K runs in DIR/seed_<s> and their mean and
 * spread in DIR. gk_run and gk_resume (run_entry.c) hand such a config to these. */
int gk_run_splits_seeds(const gk_preset *p, const gk_config *cfg);
gk_status gk_run_seeds(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res,
                       gk_error *err);
gk_status gk_resume_seeds(const gk_preset *p, const gk_config *cfg, const char *const *assign, int nassign,
                          const gk_run_opts *opts, gk_run_result *res, gk_error *err);

/* run_dir.c: the run directory and its JSON and CSV files. */
gk_status gk_run_claim_dir(const gk_run_opts *o, gk_error *err);
gk_status gk_run_write_json(const char *dir, const char *name, const cJSON *obj, gk_error *err);
gk_status gk_run_write_metrics(const char *dir, const gk_metrics *m, gk_error *err);
/* GK_EINVAL naming the limit when the process's address-space limit (ulimit -v) is below what the run needs. */
gk_status gk_run_check_address_space(const gk_preset *p, const gk_config *cfg, gk_error *err);

/* run_checkpoint.c: the checkpoint (its contents, the ticker thread that says when one is due, writing and
 * loading it) and the weights. */
void gk_run_visit(run_state *rs, gk_state *st);
gk_status gk_run_write_weights(run_state *rs, const char *sub, gk_error *err);
gk_status gk_run_write_checkpoint(run_state *rs, gk_error *err);
gk_status gk_run_load_checkpoint(run_state *rs, const char *dir, gk_error *err);
void gk_run_ticker_start(run_state *rs);
void gk_run_ticker_stop(run_state *rs);

/* run_summary.c: summary.json; the name of how a run ended ("completed", "interrupted", "diverged", "limit",
 * "failed"). */
const char *gk_run_status_name(gk_status s);
/* run_summary.c: summary.json. */
cJSON *gk_run_make_summary(run_state *rs, gk_run_result *res, double train_wall);

#endif
