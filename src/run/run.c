/* run.c: the run driver. It owns the loop over eval points and the order in which a run's files are written:
 * config.json, metrics.csv (rewritten atomically as the run goes), summary.json, the checkpoint and the figures.
 * A run that is interrupted or whose loss diverges still leaves valid metrics up to the last eval point
 * and a summary that says why it stopped. Beside it: run_dir.c (the directory and its JSON/CSV files),
 * run_checkpoint.c (checkpoints, weights), run_summary.c (summary.json), run_resume.c (resume). */
#include "run/run_internal.h"

#include "core/clock.h"
#include "fig/standard_figure.h"
#include "io/fault.h"
#include "io/fsutil.h"
#include "io/run_lock.h"
#include "report/report_html.h"
#include "run/outputs.h"
#include "train/train.h"

#include <cblas.h> /* openblas_set_num_threads */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* OpenBLAS picks its blocking from its thread count, so its sums (dgemm, dsyrk, eigensolvers) change in the
 * last bits with the number of threads (measured with OpenBLAS 0.3.21 on this machine). BLAS therefore runs
 * on one thread inside a run; groklab's own loops, whose reduction order is fixed, use the cores. */
gk_thread_settings gk_apply_threads(const gk_config *cfg) {
    gk_thread_settings caller = {omp_get_max_threads(), openblas_get_num_threads()};
    openblas_set_num_threads(1);
    long t = gk_config_int(cfg, "threads");
    if (t > 0) omp_set_num_threads((int)t);
    return caller;
}

void gk_restore_threads(gk_thread_settings saved) {
    omp_set_num_threads(saved.omp);
    openblas_set_num_threads(saved.blas);
}

/* The experiment's values: written by declared index into rs->full, checked and kept in order (io/columns.h);
 * an undeclared type writes rs->row by position. */
static gk_status eval_experiment(run_state *rs, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    double *row = T->cols ? rs->full : rs->row;
    row[0] = rs->row[0], row[1] = rs->row[1];
    if (T->cols) gk_columns_blank(T->cols, rs->full);
    gk_status s = T->eval(rs->exp, row, err);
    int n;
    if (!s && T->cols) s = gk_columns_collect(T->cols, rs->exp, rs->full, rs->row, &n, err);
    GK_ASSERT(s || !T->cols || n + 2 <= rs->m.ncols);
    return s;
}

static gk_status eval_row(run_state *rs, gk_error *err) {
    memset(rs->row, 0, (size_t)rs->m.ncols * sizeof(double));
    rs->row[0] = (double)rs->step;
    rs->row[1] = gk_trainer_now(rs->tr);
    gk_status s = eval_experiment(rs, err);
    if (s) return s;
    if (rs->tr->o.lr_auto.on) rs->row[gk_metrics_col(&rs->m, "lr")] = rs->tr->lr_now;
    if (rs->sharp_every > 0) { /* the last column; every sharp_every-th eval row, NaN between */
        double *v = &rs->row[rs->m.ncols - 1];
        *v = NAN;
        if ((long)rs->m.nrows % rs->sharp_every == 0 && (s = gk_trainer_sharpness(rs->tr, 200, 0, v, err))) return s;
    }
    int c = gk_metrics_role_col(&rs->m, GK_ROLE_PARAM_NORM); /* weights that exploded diverged, like the loss */
    if (c >= 0 && !isfinite(rs->row[c]))
        s = gk_fail(err, GK_ENONFINITE, "the parameter norm became non-finite at step %ld", rs->step);
    return gk_metrics_append(&rs->m, rs->row, err) ? GK_ENOMEM : s;
}

/* The progress line. With lr_auto the number of steps is not known ahead: the share of t_end done stands
 * for it, and `steps` is the total it implies. */
static void report(run_state *rs, long steps, double t_end) {
    if (!rs->o->progress) return;
    double el = gk_now_seconds() - rs->t0;
    double done = t_end > 0 ? rs->tr->t / t_end : (double)rs->step / (double)steps;
    if (t_end > 0 && done > 0) steps = (long)((double)rs->step / done + 0.5);
    gk_progress pg = {rs->p->name, rs->step, steps, el, done > 0 ? el * (1 - done) / done : NAN, &rs->m};
    rs->o->progress(rs->o->ud, &pg);
}

/* Whether the run reached eval point `target` (a step; with lr_auto the time t_target). */
static int reached(const run_state *rs, long target, double t_target) {
    return rs->tr->o.lr_auto.on ? rs->tr->t >= t_target : rs->step >= target;
}

/* Steps to `target` (lr_auto: to time t_target), stopping for checkpoints when the ticker says one is due. */
static gk_status advance_to(run_state *rs, long target, double t_target, gk_error *err) {
    const volatile int *stop = rs->ticker_on ? &rs->pause : rs->o->stop;
    gk_status s = GK_OK;
    while (!reached(rs, target, t_target) && !s) {
        s = rs->tr->o.lr_auto.on ? gk_trainer_advance_time(rs->tr, t_target, stop, err)
                                 : gk_trainer_advance(rs->tr, target, stop, err);
        rs->step = rs->tr->step;
        if (s) break;
        if (rs->o->stop && *rs->o->stop) return gk_fail(err, GK_EINTERRUPTED, "interrupted at step %ld", rs->step);
        if (!reached(rs, target, t_target) && !rs->ticker_on)
            return gk_fail(err, GK_EFAILED, "the experiment stopped at step %ld", rs->step);
        if (rs->ticker_on && rs->pause) {
            s = gk_run_write_checkpoint(rs, err);
            rs->next_ckpt = gk_now_seconds() + rs->o->checkpoint_every;
            rs->pause = 0;
        }
    }
    return s;
}

/* lr_auto: the time of one step of the schedule, so that eval point k lands on t = k x this (the fixed-lr
 * run's times, or t_end spread over `steps`); 0 without lr_auto. */
static double time_per_point_step(const run_state *rs) {
    if (!rs->tr->o.lr_auto.on) return 0;
    double t_end = gk_config_real(rs->cfg, "t_end");
    long steps = gk_config_int(rs->cfg, "steps");
    return t_end > 0 ? t_end / (double)steps : rs->tr->o.lr;
}

/* Runs the rest of the eval schedule (points after the last row). GK_OK when all steps were done. */
static gk_status run_loop(run_state *rs, gk_error *err) {
    long steps = gk_config_int(rs->cfg, "steps");
    long *points = NULL;
    size_t npoints = 0;
    gk_status s = gk_eval_schedule(steps, (int)gk_config_int(rs->cfg, "evals"), (int)gk_config_int(rs->cfg, "evals_lin"),
                                   &points, &npoints, err);
    if (s) return s;
    const double dt = time_per_point_step(rs);
    for (size_t k = 0; k < npoints && !s; k++) {
        /* past the last row (a resumed run whose schedule grew with steps=N can have points between its last
         * row and its checkpoint's step: the first of them gets the row there, the others are skipped) */
        const size_t nr = rs->m.nrows;
        double last_row = nr == 0 ? -1 : dt > 0 ? gk_metrics_at(&rs->m, nr - 1, 1) : gk_metrics_step_of(&rs->m, (long)nr - 1);
        double t_target = dt * (double)points[k];
        if ((dt > 0 ? t_target : (double)points[k]) <= last_row) continue;
        if ((s = advance_to(rs, points[k], t_target, err))) break;
        s = eval_row(rs, err);
        gk_fault_point("row");
        report(rs, steps, dt * (double)steps);
        double t = gk_now_seconds();
        if (!s && t - rs->last_csv >= rs->o->csv_interval) {
            s = gk_run_write_metrics(rs->o->out_dir, &rs->m, err);
            rs->last_csv = t;
        }
    }
    free(points);
    return s;
}

/* ---- setting up, finishing ------------------------------------------------------------------------- */

void gk_run_state_free(run_state *rs) {
    free(rs->row);
    free(rs->full);
    if (rs->exp) rs->p->type->destroy(rs->exp);
    gk_metrics_free(&rs->m);
    if (rs->threads_set) gk_restore_threads(rs->caller_threads);
    rs->threads_set = 0;
}

/* The run driver's own columns, declared like an experiment's (io/columns.h): step and time lead every row,
 * lr and sharpness follow the experiment's when their keys are on. */
const gk_column gk_run_columns[] = {
    {"step", "steps", GK_ROLE_NONE, NULL,
     "optimizer steps done (for gradient flow: the step whose continuous time `time` the integrator reached)", NULL},
    {"time", "time", GK_ROLE_NONE, NULL,
     "continuous time `lr * step` (the time of the gradient-flow theorems; t* = ln(alpha)/lambda is in these units)", NULL},
    {"lr", "step size", GK_ROLE_NONE, NULL,
     "with `lr_auto=1` (GD, modular): the step size set at the last sharpness measurement, lr = `lr_auto_c` / "
     "sharpness (capped in growth by `lr_auto_growth`); `time` is then the sum of the steps taken, and the eval rows "
     "lie at the fixed-lr run's times (src/train/trainer.h)", NULL},
    {"sharpness", "curvature", GK_ROLE_NONE, NULL,
     "with `sharpness_every=K` (GD experiments: diag, mc, modular, kumar): every K-th eval row, the largest "
     "eigenvalue of the Hessian of the training loss plus the coupled weight decay (wd I), by power iteration on "
     "finite-difference Hessian-vector products; empty between (src/train/trainer.h)", NULL},
    {NULL, NULL, GK_ROLE_NONE, NULL, NULL, NULL},
};
enum { RUN_COL_STEP, RUN_COL_TIME, RUN_COL_LR, RUN_COL_SHARPNESS };

static int key_on(const gk_config *cfg, const char *key) {
    int k = gk_config_index(cfg, key);
    return k >= 0 && cfg->num[k] > 0;
}

gk_status gk_declare_columns(const gk_preset *p, const gk_config *cfg, void *exp, gk_metrics *m, gk_error *err) {
    gk_status s = gk_metrics_add_declared(m, &gk_run_columns[RUN_COL_STEP], err);
    if (!s) s = gk_metrics_add_declared(m, &gk_run_columns[RUN_COL_TIME], err);
    if (!s) s = p->type->cols ? gk_metrics_add_table(m, p->type->cols, exp, err) : p->type->columns(exp, m, err);
    if (!s && key_on(cfg, "lr_auto")) s = gk_metrics_add_declared(m, &gk_run_columns[RUN_COL_LR], err);
    if (!s && key_on(cfg, "sharpness_every")) s = gk_metrics_add_declared(m, &gk_run_columns[RUN_COL_SHARPNESS], err);
    return s;
}

/* Builds the experiment and the metrics table (no files written). */
gk_status gk_run_build(run_state *rs, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    rs->caller_threads = gk_apply_threads(rs->cfg);
    rs->threads_set = 1;
    rs->t0 = rs->last_csv = gk_now_seconds();
    gk_metrics_init(&rs->m);
    gk_status s = T->create(rs->cfg, &rs->exp, err);
    if (!s) s = gk_declare_columns(rs->p, rs->cfg, rs->exp, &rs->m, err);
    if (!s) {
        GK_ASSERT(T->trainer); /* every experiment trains through the trainer */
        rs->tr = T->trainer(rs->exp);
        rs->step = rs->tr->step;
    }
    int si = gk_config_index(rs->cfg, "sharpness_every");
    rs->sharp_every = si >= 0 ? (long)rs->cfg->num[si] : 0;
    if (!s && rs->sharp_every > 0 && !rs->tr->objective)
        s = gk_fail(err, GK_EINVAL, "sharpness_every=%ld: preset %s has no full-batch objective to take the Hessian of",
                    rs->sharp_every, rs->p->name);
    if (!s) rs->row = calloc((size_t)rs->m.ncols, sizeof(double));
    if (!s && T->cols) rs->full = calloc((size_t)gk_columns_row_length(T->cols), sizeof(double));
    if (!s && (!rs->row || (T->cols && !rs->full))) s = gk_fail(err, GK_ENOMEM, "out of memory");
    return s;
}

/* The figures, after the metrics are on disk. A figure that cannot be written is named in the summary (written
 * next) and returned (the files already written stay). */
static gk_status write_figures(run_state *rs, cJSON *sum, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    double predicted = gk_exp_predicted(T, rs->exp);
    int xi = gk_config_index(rs->cfg, "xaxis"); /* an experiment may offer xaxis=step|tstar */
    int x_tstar = xi >= 0 && !strcmp(rs->cfg->str[xi], "tstar") && isfinite(predicted) && predicted > 0;
    gk_status s = gk_standard_figure(rs->p->name, &rs->m, sum, predicted, rs->o->out_dir, x_tstar, err);
    if (!s) s = gk_exp_figures(T, rs->exp, rs->cfg, &rs->m, predicted, rs->o->out_dir, err);
    if (s) cJSON_AddStringToObject(sum, "figure_error", err->msg);
    return s;
}

/* Trains from where rs is, then writes metrics.csv, the last checkpoint, the final weights, the figures and
 * summary.json, in that order: each step keeps what the earlier ones wrote, and a summary on disk means the rest
 * is (a run killed before it is resumed from its final checkpoint; a sweep does not take it as done). */
gk_status gk_run_train_and_finish(run_state *rs, gk_run_result *res, gk_error *err) {
    gk_error loop_err = {{0}};
    /* held while it trains: readers tell running from killed (gk_run took it already) */
    int lock = rs->holds_lock ? rs->lock_fd : gk_run_lock(rs->o->out_dir);
    double t_train = gk_now_seconds();
    if (rs->o->training) *rs->o->training = 1;
    gk_run_ticker_start(rs);
    res->status = run_loop(rs, &loop_err);
    gk_run_ticker_stop(rs);
    double train_wall = gk_now_seconds() - t_train;
    if (res->status) snprintf(res->error, sizeof res->error, "%s", loop_err.msg);
    cJSON *sum = gk_run_make_summary(rs, res, train_wall);
    res->summary = sum;
    gk_status s = gk_run_write_metrics(rs->o->out_dir, &rs->m, err);
    /* a diverged or failed state is not kept; one stopped by max_evals can go on with a larger bound */
    int healthy = res->status == GK_OK || res->status == GK_EINTERRUPTED || res->status == GK_ELIMIT;
    if (!s && healthy && rs->o->checkpoint_every > 0) s = gk_run_write_checkpoint(rs, err);
    if (!s && healthy) s = gk_run_write_weights(rs, "final", err);
    if (!s) gk_fault_point("figures");
    gk_status fs = s ? GK_OK : write_figures(rs, sum, err);
    gk_error aux = {{0}};
    if (!s) s = gk_run_write_json(rs->o->out_dir, "summary.json", sum, fs ? &aux : err);
    if (!s) s = fs;
    gk_run_unlock(lock); /* the run is over: report.html reads its state as a reader would */
    rs->lock_fd = -1;
    if (!s) s = gk_report_html_run(rs->o->out_dir, err);
    return s;
}

/* The run lock, taken as soon as the directory exists and held to the end, so that two runs started into one
 * directory at once cannot both write it: the second is refused, and one that got the lock after a first run
 * ended finds that run's config.json and is refused as well (unless --force). */
gk_status gk_run_lock_dir(const gk_run_opts *opts, int *fd, gk_error *err) {
    *fd = gk_run_lock(opts->out_dir);
    if (*fd < 0)
        return gk_fail(err, GK_EINVAL, "another groklab run is writing into %s: choose another --out", opts->out_dir);
    char cfg[1100];
    snprintf(cfg, sizeof cfg, "%s/config.json", opts->out_dir);
    if (!opts->force && access(cfg, F_OK) == 0) {
        gk_run_unlock(*fd);
        *fd = -1;
        return gk_fail(err, GK_EINVAL, "the run directory %s was taken by another run meanwhile: choose another --out",
                       opts->out_dir);
    }
    return GK_OK;
}

void gk_run_release_dir(const char *dir, int created) {
    if (!created) return;
    char lp[1100];
    snprintf(lp, sizeof lp, "%s/%s", dir, GK_RUN_LOCK_NAME);
    unlink(lp);
    rmdir(dir);
}

gk_status gk_run_one(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res,
                     gk_error *err) {
    memset(res, 0, sizeof *res);
    gk_status s = gk_run_check_address_space(p, cfg, err);
    if (s) return s;
    s = gk_run_claim_dir(opts, err);
    struct stat st;
    int created = stat(opts->out_dir, &st) != 0, lock = -1;
    if (!s) s = gk_mkdir_p(opts->out_dir, err);
    if (!s) s = gk_run_lock_dir(opts, &lock, err);
    int stale = 0;
    if (!s) s = gk_remove_stale_temps(opts->out_dir, &stale, err); /* of a killed earlier run */
    if (s) {
        gk_run_unlock(lock);
        return s;
    }
    run_state rs = {.p = p, .cfg = cfg, .o = opts, .holds_lock = 1, .lock_fd = lock};
    s = gk_run_build(&rs, err);
    if (s) { /* a bad config or an allocation failure: nothing written */
        gk_run_state_free(&rs);
        gk_run_release_dir(opts->out_dir, created);
        gk_run_unlock(lock);
        return s;
    }
    cJSON *conf = gk_config_to_json(p, cfg);
    s = gk_run_write_json(opts->out_dir, "config.json", conf, err);
    cJSON_Delete(conf);
    if (!s && opts->save_data && p->type->save_data) s = p->type->save_data(rs.exp, opts->out_dir, err);
    if (!s) s = gk_run_write_weights(&rs, "init", err);
    if (!s) s = gk_run_train_and_finish(&rs, res, err);
    gk_run_unlock(rs.lock_fd); /* if it did not get to train (train_and_finish drops it) */
    gk_run_state_free(&rs);
    return s;
}

gk_status gk_theory_report(const gk_preset *p, const gk_config *cfg, cJSON **out, gk_error *err) {
    *out = NULL;
    if (!p->type->references) return gk_fail(err, GK_EINVAL, "preset %s has no theory references", p->name);
    gk_thread_settings caller = gk_apply_threads(cfg);
    void *exp = NULL;
    double t0 = gk_now_seconds();
    gk_status s = p->type->create(cfg, &exp, err);
    if (s) {
        gk_restore_threads(caller);
        return s;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", p->name);
    s = p->type->references(exp, o, err);
    double pred = gk_exp_predicted(p->type, exp);
    if (isfinite(pred)) cJSON_AddNumberToObject(o, "predicted_transition_step", pred);
    cJSON_AddNumberToObject(o, "seconds", gk_now_seconds() - t0);
    p->type->destroy(exp);
    gk_restore_threads(caller);
    if (s) cJSON_Delete(o);
    else *out = o;
    return s;
}
