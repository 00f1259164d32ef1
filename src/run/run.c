/* run.c: the run driver. It owns the loop over eval points, the run directory and its files:
 * config.json, metrics.csv (rewritten atomically as the run goes), summary.json and the figures.
 * A run that is interrupted or whose loss diverges still leaves valid metrics up to the last eval point
 * and a summary that says why it stopped. */
#include "run/run.h"

#include "core/clock.h"
#include "io/checkpoint.h"
#include "io/fsutil.h"
#include "fig/standard_figure.h"
#include "io/run_lock.h"
#include "report/report_html.h"
#include "run/outputs.h"
#include "train/train.h"

#include <cblas.h> /* openblas_set_num_threads */
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* OpenBLAS picks its blocking from its thread count, so its sums (dgemm, dsyrk, eigensolvers) change in the
 * last bits with the number of threads (measured with OpenBLAS 0.3.21 on this machine). BLAS therefore runs
 * on one thread inside a run; groklab's own loops, whose reduction order is fixed, use the cores. */
void gk_apply_threads(const gk_config *cfg) {
    openblas_set_num_threads(1);
    long t = gk_config_int(cfg, "threads");
    if (t > 0) omp_set_num_threads((int)t);
}

cJSON *gk_config_to_json(const gk_preset *p, const gk_config *cfg) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "preset", p->name);
    cJSON_AddStringToObject(root, "experiment", p->type->name);
    cJSON_AddStringToObject(root, "version", GK_VERSION);
    cJSON *params = cJSON_AddObjectToObject(root, "params");
    for (int i = 0; i < cfg->count; i++) {
        const gk_param_spec *s = &cfg->spec[i];
        if (s->kind == GK_P_ENUM || s->kind == GK_P_STRING) cJSON_AddStringToObject(params, s->key, cfg->str[i]);
        else if (s->kind == GK_P_BOOL) cJSON_AddBoolToObject(params, s->key, cfg->num[i] != 0);
        else cJSON_AddNumberToObject(params, s->key, cfg->num[i]);
    }
    cJSON_AddNumberToObject(root, "seed", gk_config_real(cfg, "seed"));
    return root;
}

static gk_status write_json(const char *dir, const char *name, const cJSON *obj, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, name, err);
    if (s) return s;
    char *text = cJSON_Print(obj);
    if (!text) return gk_fail(err, GK_ENOMEM, "cannot format %s", name);
    size_t len = strlen(text);
    char *withnl = realloc(text, len + 2);
    if (!withnl) {
        free(text);
        return gk_fail(err, GK_ENOMEM, "out of memory");
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    s = gk_write_file_atomic(path, withnl, len + 1, err);
    free(withnl);
    return s;
}

static gk_status write_metrics(const char *dir, const gk_metrics *m, gk_error *err) {
    char path[1024];
    gk_status s = gk_path_join(path, sizeof path, dir, "metrics.csv", err);
    return s ? s : gk_metrics_write_csv(m, path, err);
}

/* ---- summary ------------------------------------------------------------------------------------------ */

static void add_step_or_null(cJSON *o, const char *key, const gk_metrics *m, long row) {
    if (row < 0) cJSON_AddNullToObject(o, key);
    else cJSON_AddNumberToObject(o, key, gk_metrics_step_of(m, row));
}

static void add_final(cJSON *o, const gk_metrics *m, const char *col_name, const char *key) {
    int c = gk_metrics_col(m, col_name);
    if (c < 0 || m->nrows == 0) return;
    double v = gk_metrics_at(m, m->nrows - 1, c);
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

/* The phenomena read off the metrics: when the train set was fit, when the test accuracy jumped, the best
 * and final values, and (for misgrokking) how far the test accuracy fell from its best. */
static void summarize_phenomena(cJSON *o, const gk_metrics *m, double predicted) {
    int te = gk_metrics_col(m, "test_acc");
    if (isfinite(predicted)) cJSON_AddNumberToObject(o, "predicted_transition_step", predicted);
    else cJSON_AddNullToObject(o, "predicted_transition_step");
    if (gk_metrics_col(m, "train_acc") >= 0) {
        add_step_or_null(o, "train_fit_step", m, gk_metrics_first_at_least(m, "train_acc", GK_FIT_ACC));
        cJSON_AddStringToObject(o, "train_fit_rule", "train_acc >= 0.99");
    }
    if (te >= 0) {
        long grok = gk_metrics_first_at_least(m, "test_acc", GK_GROK_ACC);
        add_step_or_null(o, "test_grok_step", m, grok);
        if (grok >= 0 && isfinite(predicted) && predicted > 0)
            cJSON_AddNumberToObject(o, "grok_over_predicted", gk_metrics_step_of(m, grok) / predicted);
        double best = -1;
        long best_row = -1;
        for (size_t r = 0; r < m->nrows; r++)
            if (gk_metrics_at(m, r, te) > best) best = gk_metrics_at(m, r, te), best_row = (long)r;
        if (best_row >= 0) {
            cJSON_AddNumberToObject(o, "max_test_acc", best);
            add_step_or_null(o, "max_test_acc_step", m, best_row);
            cJSON_AddNumberToObject(o, "misgrok_drop", best - gk_metrics_at(m, m->nrows - 1, te));
        }
    }
    add_final(o, m, "train_loss", "final_train_loss");
    add_final(o, m, "train_acc", "final_train_acc");
    add_final(o, m, "test_loss", "final_test_loss");
    add_final(o, m, "test_acc", "final_test_acc");
}

/* ---- the loop ------------------------------------------------------------------------------------------ */

typedef struct run_state {
    const gk_preset *p;
    const gk_config *cfg;
    const gk_run_opts *o;
    void *exp;
    gk_trainer *tr;        /* NULL: the experiment advances itself and cannot be checkpointed */
    gk_metrics m;
    double *row;
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
} run_state;

static const char *exp_status_name(gk_status s) {
    return s == GK_OK ? "completed" : s == GK_EINTERRUPTED ? "interrupted" : s == GK_ENONFINITE ? "diverged"
           : s == GK_ELIMIT ? "limit" : "failed";
}

static void *ticker_main(void *arg) {
    run_state *rs = arg;
    const struct timespec tick = {0, 20000000};
    while (!__atomic_load_n(&rs->quit, __ATOMIC_RELAXED)) {
        nanosleep(&tick, NULL);
        int user = rs->o->stop && *rs->o->stop;
        double due = rs->next_ckpt;
        if (user || gk_now_seconds() >= due) __atomic_store_n(&rs->pause, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* The mutable state of a run: which preset, the metrics so far, the trainer, the experiment's own state. */
static void visit_run(run_state *rs, gk_state *st) {
    char preset[64] = {0}, names[2048] = {0};
    snprintf(preset, sizeof preset, "%s", rs->p->name);
    for (int c = 0; c < rs->m.ncols; c++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s,", rs->m.names[c]);
    char stored_preset[64], stored_names[2048];
    memcpy(stored_preset, preset, sizeof preset);
    memcpy(stored_names, names, sizeof names);
    gk_state_block(st, "run.preset", stored_preset, sizeof stored_preset);
    gk_state_block(st, "run.columns", stored_names, sizeof stored_names);
    if (st->loading && !st->status && (memcmp(stored_preset, preset, sizeof preset) || memcmp(stored_names, names, sizeof names)))
        gk_state_fail(st, GK_EINVAL, "the checkpoint is of another preset or version (its metrics columns differ)");
    gk_metrics_visit(&rs->m, "run.metrics", st);
    gk_trainer_visit(rs->tr, st);
    if (rs->p->type->visit) rs->p->type->visit(rs->exp, st);
}

static gk_status write_weights(run_state *rs, const char *sub, gk_error *err) {
    if (!rs->tr->table) return GK_OK;
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/weights/%s", rs->o->out_dir, sub);
    return gk_npy_write_tensors(dir, rs->tr->table, rs->tr->theta, err);
}

/* Writes the checkpoint (and with save_weights the weights at this step). A run whose state cannot be saved
 * goes on without checkpoints; an I/O failure is returned. */
static gk_status write_checkpoint(run_state *rs, gk_error *err) {
    if (!rs->ckpt_ok) return GK_OK;
    double t0 = gk_now_seconds();
    gk_state st;
    gk_state_init_save(&st);
    visit_run(rs, &st);
    gk_error why = {{0}};
    gk_status s = gk_state_status(&st, &why);
    if (s == GK_EUNAVAILABLE) {
        rs->ckpt_ok = 0;
        snprintf(rs->ckpt_why, sizeof rs->ckpt_why, "%s", why.msg);
        gk_state_free(&st);
        return GK_OK;
    }
    if (s) s = gk_fail(err, s, "%s", why.msg);
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", rs->o->out_dir, GK_CHECKPOINT_FILE);
    if (!s) s = gk_checkpoint_write(path, st.buf, st.len, err);
    gk_state_free(&st);
    rs->ckpt_count += !s;
    rs->ckpt_secs += gk_now_seconds() - t0;
    if (!s && rs->o->save_weights) {
        char sub[64];
        snprintf(sub, sizeof sub, "step_%ld", rs->step);
        s = write_weights(rs, sub, err);
    }
    return s;
}

static gk_status eval_row(run_state *rs, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    memset(rs->row, 0, (size_t)rs->m.ncols * sizeof(double));
    rs->row[0] = (double)rs->step;
    rs->row[1] = gk_trainer_now(rs->tr);
    gk_status s = T->eval(rs->exp, rs->row, err);
    if (s) return s;
    if (rs->tr->o.lr_auto.on) rs->row[gk_metrics_col(&rs->m, "lr")] = rs->tr->lr_now;
    if (rs->sharp_every > 0) { /* the last column; every sharp_every-th eval row, NaN between */
        double *v = &rs->row[rs->m.ncols - 1];
        *v = NAN;
        if ((long)rs->m.nrows % rs->sharp_every == 0 && (s = gk_trainer_sharpness(rs->tr, 200, 0, v, err))) return s;
    }
    int c = gk_metrics_col(&rs->m, "param_norm"); /* weights that exploded are a divergence, like the loss */
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
            s = write_checkpoint(rs, err);
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
        report(rs, steps, dt * (double)steps);
        double t = gk_now_seconds();
        if (!s && t - rs->last_csv >= rs->o->csv_interval) {
            s = write_metrics(rs->o->out_dir, &rs->m, err);
            rs->last_csv = t;
        }
    }
    free(points);
    return s;
}

/* Whether this run's state can be saved at all (a BDF flow cannot): a trial visit that copies nothing. */
static void probe_checkpoint(run_state *rs) {
    rs->ckpt_ok = 1;
    gk_state st;
    gk_state_init_probe(&st);
    visit_run(rs, &st);
    gk_error why = {{0}};
    if (gk_state_status(&st, &why) == GK_EUNAVAILABLE) {
        rs->ckpt_ok = 0;
        snprintf(rs->ckpt_why, sizeof rs->ckpt_why, "%s", why.msg);
    }
    gk_state_free(&st);
}

static void ticker_start(run_state *rs) {
    probe_checkpoint(rs);
    if (!(rs->o->checkpoint_every > 0)) return;
    rs->next_ckpt = gk_now_seconds() + rs->o->checkpoint_every;
    rs->ticker_on = pthread_create(&rs->ticker, NULL, ticker_main, rs) == 0;
}

static void ticker_stop(run_state *rs) {
    if (!rs->ticker_on) return;
    __atomic_store_n(&rs->quit, 1, __ATOMIC_RELAXED);
    pthread_join(rs->ticker, NULL);
    rs->ticker_on = 0;
}

/* ---- setting up, finishing ------------------------------------------------------------------------- */

static void run_state_free(run_state *rs) {
    free(rs->row);
    if (rs->exp) rs->p->type->destroy(rs->exp);
    gk_metrics_free(&rs->m);
}

gk_status gk_declare_columns(const gk_preset *p, const gk_config *cfg, void *exp, gk_metrics *m, gk_error *err) {
    gk_status s = gk_metrics_add_column(m, "step", err);
    if (!s) s = gk_metrics_add_column(m, "time", err);
    if (!s) s = p->type->columns(exp, m, err);
    int ai = gk_config_index(cfg, "lr_auto");
    if (!s && ai >= 0 && cfg->num[ai] > 0) s = gk_metrics_add_column(m, "lr", err);
    int si = gk_config_index(cfg, "sharpness_every");
    if (!s && si >= 0 && cfg->num[si] > 0) s = gk_metrics_add_column(m, "sharpness", err);
    return s;
}

/* Builds the experiment and the metrics table (no files written). */
static gk_status build(run_state *rs, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    gk_apply_threads(rs->cfg);
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
    if (!s && !rs->row) s = gk_fail(err, GK_ENOMEM, "out of memory");
    return s;
}

/* What lr_auto did: the steps it took beside the fixed-lr run's steps to the same time, and the step sizes. */
static void summarize_lr_auto(const run_state *rs, cJSON *sum) {
    const gk_trainer *tr = rs->tr;
    cJSON *a = cJSON_AddObjectToObject(sum, "lr_auto");
    cJSON_AddNumberToObject(a, "steps", (double)tr->step);
    cJSON_AddNumberToObject(a, "time", tr->t);
    cJSON_AddNumberToObject(a, "fixed_lr_steps", tr->t / tr->o.lr);
    cJSON_AddNumberToObject(a, "step_ratio", tr->step > 0 ? tr->t / tr->o.lr / (double)tr->step : NAN);
    cJSON_AddNumberToObject(a, "sharpness_measures", (double)tr->lr_measures);
    cJSON_AddNumberToObject(a, "halvings", (double)tr->lr_halvings);
    cJSON_AddNumberToObject(a, "lr_min", tr->lr_min);
    cJSON_AddNumberToObject(a, "lr_max", tr->lr_max);
    cJSON_AddNumberToObject(a, "lr_last", tr->lr_now);
}

static cJSON *make_summary(run_state *rs, gk_run_result *res, double train_wall) {
    const gk_exp_type *T = rs->p->type;
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddStringToObject(sum, "preset", rs->p->name);
    cJSON_AddStringToObject(sum, "experiment", T->name);
    cJSON_AddStringToObject(sum, "version", GK_VERSION);
    cJSON_AddStringToObject(sum, "status", exp_status_name(res->status));
    if (res->status) cJSON_AddStringToObject(sum, "error", res->error);
    cJSON *params = gk_config_to_json(rs->p, rs->cfg);
    cJSON_AddItemToObject(sum, "params", cJSON_DetachItemFromObject(params, "params"));
    cJSON_Delete(params);
    cJSON_AddNumberToObject(sum, "steps", (double)gk_config_int(rs->cfg, "steps"));
    cJSON_AddNumberToObject(sum, "steps_done", (double)rs->step);
    cJSON_AddNumberToObject(sum, "final_time", gk_trainer_now(rs->tr));
    if (rs->tr->o.lr_auto.on) summarize_lr_auto(rs, sum);
    cJSON_AddNumberToObject(sum, "eval_points", (double)rs->m.nrows);
    double predicted = gk_exp_predicted(T, rs->exp);
    summarize_phenomena(sum, &rs->m, predicted);
    if (!rs->ckpt_ok) cJSON_AddStringToObject(sum, "checkpoint_unavailable", rs->ckpt_why);
    cJSON_AddNumberToObject(sum, "wall_seconds", gk_now_seconds() - rs->t0);
    cJSON_AddNumberToObject(sum, "train_seconds", train_wall);
    if (rs->step > 0) cJSON_AddNumberToObject(sum, "seconds_per_step", train_wall / (double)rs->step);
    cJSON_AddNumberToObject(sum, "checkpoints_written", (double)rs->ckpt_count); /* before the final one */
    cJSON_AddNumberToObject(sum, "checkpoint_seconds", rs->ckpt_secs);
    gk_exp_summarize(T, rs->exp, &rs->m, predicted, sum);
    return sum;
}

/* The figures, after the metrics and the summary are on disk. A figure that cannot be written is named in
 * summary.json and returned (the files already written stay). */
static gk_status write_figures(run_state *rs, cJSON *sum, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    double predicted = gk_exp_predicted(T, rs->exp);
    int xi = gk_config_index(rs->cfg, "xaxis"); /* an experiment may offer xaxis=step|tstar */
    int x_tstar = xi >= 0 && !strcmp(rs->cfg->str[xi], "tstar") && isfinite(predicted) && predicted > 0;
    gk_status s = gk_standard_figure(rs->p->name, &rs->m, predicted, rs->o->out_dir, x_tstar, err);
    if (!s) s = gk_exp_figures(T, rs->exp, rs->cfg, &rs->m, predicted, rs->o->out_dir, err);
    if (!s) return GK_OK;
    cJSON_AddStringToObject(sum, "figure_error", err->msg);
    gk_error aux = {{0}};
    write_json(rs->o->out_dir, "summary.json", sum, &aux);
    return s;
}

/* Trains from where rs is, then writes metrics.csv, summary.json, the last checkpoint, the final weights
 * and the figures, in that order: each step keeps what the earlier ones wrote. */
static gk_status train_and_finish(run_state *rs, gk_run_result *res, gk_error *err) {
    gk_error loop_err = {{0}};
    int lock = gk_run_lock(rs->o->out_dir); /* held while it trains: readers tell running from killed */
    double t_train = gk_now_seconds();
    ticker_start(rs);
    res->status = run_loop(rs, &loop_err);
    ticker_stop(rs);
    double train_wall = gk_now_seconds() - t_train;
    if (res->status) snprintf(res->error, sizeof res->error, "%s", loop_err.msg);
    cJSON *sum = make_summary(rs, res, train_wall);
    res->summary = sum;
    gk_status s = write_metrics(rs->o->out_dir, &rs->m, err);
    if (!s) s = write_json(rs->o->out_dir, "summary.json", sum, err);
    /* a diverged or failed state is not kept; one stopped by max_evals can go on with a larger bound */
    int healthy = res->status == GK_OK || res->status == GK_EINTERRUPTED || res->status == GK_ELIMIT;
    if (!s && healthy && rs->o->checkpoint_every > 0) s = write_checkpoint(rs, err);
    if (!s && healthy) s = write_weights(rs, "final", err);
    if (!s) s = write_figures(rs, sum, err);
    gk_run_unlock(lock);
    if (!s) s = gk_report_html_run(rs->o->out_dir, err);
    return s;
}

/* An existing run directory is replaced only when asked, and only if it is a groklab run (or empty). */
static gk_status claim_dir(const gk_run_opts *o, gk_error *err) {
    if (!gk_dir_nonempty(o->out_dir)) return GK_OK;
    if (!o->force)
        return gk_fail(err, GK_EINVAL, "the run directory %s exists and is not empty: choose another --out, continue it "
                                       "with `groklab resume %s`, or replace it with --force", o->out_dir, o->out_dir);
    char cfg[1100];
    snprintf(cfg, sizeof cfg, "%s/config.json", o->out_dir);
    if (access(cfg, F_OK) != 0)
        return gk_fail(err, GK_EINVAL, "--force replaces only a groklab run directory: %s has no config.json", o->out_dir);
    return gk_remove_tree(o->out_dir, err);
}

gk_status gk_run(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res, gk_error *err) {
    memset(res, 0, sizeof *res);
    gk_status s = claim_dir(opts, err);
    struct stat st;
    int created = stat(opts->out_dir, &st) != 0;
    if (!s) s = gk_mkdir_p(opts->out_dir, err);
    int stale = 0;
    if (!s) s = gk_remove_stale_temps(opts->out_dir, &stale, err); /* of a killed earlier run */
    if (s) return s;
    run_state rs = {.p = p, .cfg = cfg, .o = opts};
    s = build(&rs, err);
    if (s) { /* a bad config or an allocation failure: nothing written */
        run_state_free(&rs);
        if (created) rmdir(opts->out_dir);
        return s;
    }
    cJSON *conf = gk_config_to_json(p, cfg);
    s = write_json(opts->out_dir, "config.json", conf, err);
    cJSON_Delete(conf);
    if (!s && opts->save_data && p->type->save_data) s = p->type->save_data(rs.exp, opts->out_dir, err);
    if (!s) s = write_weights(&rs, "init", err);
    if (!s) s = train_and_finish(&rs, res, err);
    run_state_free(&rs);
    return s;
}

/* ---- resume ------------------------------------------------------------------------------------------ */

static gk_status read_json_file(const char *path, cJSON **out, gk_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return gk_fail(err, GK_EINVAL, "cannot read %s: %s", path, strerror(errno));
    char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    int big = !feof(f);
    fclose(f);
    buf[n] = '\0';
    *out = big ? NULL : cJSON_Parse(buf);
    return *out ? GK_OK : gk_fail(err, GK_EINVAL, "%s is not a groklab config.json", path);
}

/* The key=value assignments that rebuild a run's config from its config.json, then the user's (which replace
 * the stored value of the same key). Only steps (not below the run's) and threads may change. */
static gk_status resume_assignments(const cJSON *params, const char *const *assign, int nassign, char (*out)[256],
                                    int *nout, gk_error *err) {
    for (int i = 0; i < nassign; i++)
        if (strncmp(assign[i], "steps=", 6) && strncmp(assign[i], "threads=", 8))
            return gk_fail(err, GK_EINVAL, "'%s': resume takes only steps=N and threads=N (the rest is the run's config)",
                           assign[i]);
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, params) {
        if (n >= GK_MAX_PARAMS) return gk_fail(err, GK_EINVAL, "config.json has too many params");
        if (cJSON_IsString(v)) snprintf(out[n], 256, "%s=%s", v->string, v->valuestring);
        else if (cJSON_IsBool(v)) snprintf(out[n], 256, "%s=%d", v->string, cJSON_IsTrue(v));
        else if (cJSON_IsNumber(v)) snprintf(out[n], 256, "%s=%.17g", v->string, v->valuedouble);
        else return gk_fail(err, GK_EINVAL, "config.json: param %s has no value", v->string);
        for (int i = 0; i < nassign; i++) {
            size_t len = strlen(v->string);
            if (!strncmp(assign[i], v->string, len) && assign[i][len] == '=') snprintf(out[n], 256, "%s", assign[i]);
        }
        n++;
    }
    *nout = n;
    return GK_OK;
}

static gk_status resume_config(const char *dir, const char *const *assign, int nassign, const gk_preset **p,
                               gk_config *cfg, gk_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cJSON *root = NULL;
    gk_status s = read_json_file(path, &root, err);
    if (s) return s;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "preset");
    *p = cJSON_IsString(name) ? gk_preset_find(name->valuestring) : NULL;
    char keys[GK_MAX_PARAMS][256];
    const char *ptrs[GK_MAX_PARAMS];
    int n = 0;
    if (!*p) s = gk_fail(err, GK_EINVAL, "%s names no preset this groklab knows", path);
    if (!s) s = resume_assignments(cJSON_GetObjectItemCaseSensitive(root, "params"), assign, nassign, keys, &n, err);
    for (int i = 0; i < n; i++) ptrs[i] = keys[i];
    if (!s) s = gk_preset_config(*p, ptrs, n, cfg, err);
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "params"), "steps");
    if (!s && cJSON_IsNumber(old) && (double)gk_config_int(cfg, "steps") < old->valuedouble)
        s = gk_fail(err, GK_EINVAL, "steps=%ld is below the run's %.0f steps: resume can only go further",
                    gk_config_int(cfg, "steps"), old->valuedouble);
    cJSON_Delete(root);
    return s;
}

/* Loads the checkpoint of dir into a built run state. */
static gk_status load_checkpoint(run_state *rs, const char *dir, gk_error *err) {
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, GK_CHECKPOINT_FILE);
    void *payload = NULL;
    size_t len = 0;
    gk_status s = gk_checkpoint_read(path, &payload, &len, err);
    if (s) return s;
    gk_state st;
    gk_state_init_load(&st, payload, len);
    visit_run(rs, &st);
    gk_error why = {{0}};
    s = gk_state_status(&st, &why);
    if (s) s = gk_fail(err, GK_EINVAL, "cannot resume from %s: %s", path, why.msg);
    free(payload);
    rs->step = rs->tr->step;
    return s;
}

gk_status gk_resume(const char *dir, const char *const *assign, int nassign, const gk_run_opts *opts,
                    gk_run_result *res, gk_error *err) {
    memset(res, 0, sizeof *res);
    const gk_preset *p = NULL;
    gk_config cfg;
    gk_status s = resume_config(dir, assign, nassign, &p, &cfg, err);
    if (s) return s;
    gk_run_opts o = *opts;
    o.out_dir = dir;
    run_state rs = {.p = p, .cfg = &cfg, .o = &o};
    s = build(&rs, err);
    if (!s) s = load_checkpoint(&rs, dir, err);
    int stale = 0;
    if (!s) s = gk_remove_stale_temps(dir, &stale, err); /* of the killed run */
    if (!s) {
        cJSON *conf = gk_config_to_json(p, &cfg);
        s = write_json(dir, "config.json", conf, err);
        cJSON_Delete(conf);
    }
    if (!s) s = train_and_finish(&rs, res, err);
    run_state_free(&rs);
    return s;
}
gk_status gk_theory_report(const gk_preset *p, const gk_config *cfg, cJSON **out, gk_error *err) {
    *out = NULL;
    if (!p->type->references) return gk_fail(err, GK_EINVAL, "preset %s has no theory references", p->name);
    gk_apply_threads(cfg);
    void *exp = NULL;
    double t0 = gk_now_seconds();
    gk_status s = p->type->create(cfg, &exp, err);
    if (s) return s;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", p->name);
    s = p->type->references(exp, o, err);
    double pred = gk_exp_predicted(p->type, exp);
    if (isfinite(pred)) cJSON_AddNumberToObject(o, "predicted_transition_step", pred);
    cJSON_AddNumberToObject(o, "seconds", gk_now_seconds() - t0);
    p->type->destroy(exp);
    if (s) cJSON_Delete(o);
    else *out = o;
    return s;
}
