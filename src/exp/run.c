/* run.c: the run driver. It owns the loop over eval points, the run directory and its files:
 * config.json, metrics.csv (rewritten atomically as the run goes), summary.json and the figures.
 * A run that is interrupted or whose loss diverges still leaves valid metrics up to the last eval point
 * and a summary that says why it stopped. */
#include "exp/exp.h"

#include "io/fsutil.h"
#include "io/plot.h"
#include "train/train.h"

#include <cblas.h> /* openblas_set_num_threads */
#include <errno.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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
    else cJSON_AddNumberToObject(o, key, gk_metrics_at(m, (size_t)row, 0));
}

static long first_at_least_col(const gk_metrics *m, int col, double thr) {
    for (size_t r = 0; r < m->nrows; r++)
        if (gk_metrics_at(m, r, col) >= thr) return (long)r;
    return -1;
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
    int tr = gk_metrics_col(m, "train_acc"), te = gk_metrics_col(m, "test_acc");
    if (isfinite(predicted)) cJSON_AddNumberToObject(o, "predicted_transition_step", predicted);
    else cJSON_AddNullToObject(o, "predicted_transition_step");
    if (tr >= 0) {
        add_step_or_null(o, "train_fit_step", m, first_at_least_col(m, tr, 0.99));
        cJSON_AddStringToObject(o, "train_fit_rule", "train_acc >= 0.99");
    }
    if (te >= 0) {
        long grok = first_at_least_col(m, te, 0.95);
        add_step_or_null(o, "test_grok_step", m, grok);
        if (grok >= 0 && isfinite(predicted) && predicted > 0)
            cJSON_AddNumberToObject(o, "grok_over_predicted", gk_metrics_at(m, (size_t)grok, 0) / predicted);
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

/* ---- the standard figure ------------------------------------------------------------------------- */

static int add_series(gk_panel *p, const gk_metrics *m, const char *col, const char *label, const double *x,
                      double *buf, int style) {
    int c = gk_metrics_col(m, col);
    if (c < 0 || p->nseries >= GK_PLOT_MAX_SERIES) return 0;
    gk_metrics_column(m, c, buf);
    p->series[p->nseries++] = (gk_series){label, x, buf, m->nrows, style};
    return 1;
}

static gk_status standard_figure(const gk_preset *pr, const gk_metrics *m, double predicted, const char *dir,
                                 int x_tstar, gk_error *err) {
    if (m->nrows < 2) return GK_OK;
    size_t n = m->nrows;
    double *buf = malloc((size_t)(GK_PLOT_MAX_SERIES * 4 + 1) * n * sizeof(double));
    if (!buf) return gk_fail(err, GK_ENOMEM, "out of memory");
    double *x = buf, *next = buf + n;
    gk_metrics_column(m, 0, x);
    if (x_tstar) { /* xaxis=tstar: x = step / t* (= t / t*), so runs with other lr or optimizers overlay */
        for (size_t r = 0; r < n; r++) x[r] /= predicted;
        predicted = 1.0;
    }
    gk_panel panels[4];
    memset(panels, 0, sizeof panels);
    int np = 0;
    gk_panel *acc = &panels[np];
    *acc = (gk_panel){.title = "accuracy", .xlabel = "step", .ylabel = "accuracy", .logx = 1, .ymin = 0, .ymax = 1.02};
    if (add_series(acc, m, "train_acc", "train", x, next, 0)) next += n;
    if (add_series(acc, m, "test_acc", "test", x, next, 0)) next += n;
    if (acc->nseries) np++; /* regression experiments have no accuracy */
    gk_panel *loss = &panels[np++];
    *loss = (gk_panel){.title = "loss", .xlabel = "step", .ylabel = "loss", .logx = 1};
    if (add_series(loss, m, "train_loss", "train", x, next, 0)) next += n;
    if (add_series(loss, m, "test_loss", "test", x, next, 0)) next += n;
    gk_panel *agree = &panels[np];
    *agree = (gk_panel){.title = "agreement with the theory references (test)", .xlabel = "step",
                        .ylabel = "agreement", .logx = 1, .ymin = 0, .ymax = 1.02};
    for (int c = 0; c < m->ncols; c++)
        if (!strncmp(m->names[c], "agree_", 6) && add_series(agree, m, m->names[c], m->names[c] + 6, x, next, 0))
            next += n;
    if (agree->nseries) np++;
    gk_panel *norm = &panels[np];
    *norm = (gk_panel){.title = "parameter norm", .xlabel = "step", .ylabel = "||theta||", .logx = 1};
    if (add_series(norm, m, "param_norm", "||theta||", x, next, 0)) next += n, np++;
    for (int k = 0; k < np && x_tstar; k++) panels[k].xlabel = "t / t*";
    for (int k = 0; k < np && isfinite(predicted); k++) {
        panels[k].vline[0] = predicted;
        panels[k].vline_label[0] = "t*";
        panels[k].nvlines = 1;
    }
    char base[1024], title[256];
    gk_status s = gk_path_join(base, sizeof base, dir, "curves", err);
    snprintf(title, sizeof title, "groklab %s", pr->name);
    if (!s) s = gk_plot_panels(base, title, panels, np, err);
    free(buf);
    return s;
}

/* ---- the loop ------------------------------------------------------------------------------------------ */

typedef struct run_state {
    const gk_preset *p;
    const gk_run_opts *o;
    void *exp;
    gk_metrics m;
    double *row;
    double t0, last_csv;
} run_state;

static gk_status eval_row(run_state *rs, long step, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    memset(rs->row, 0, (size_t)rs->m.ncols * sizeof(double));
    rs->row[0] = (double)step;
    rs->row[1] = T->time_of_step(rs->exp, step);
    gk_status s = T->eval(rs->exp, rs->row, err);
    return s ? s : gk_metrics_append(&rs->m, rs->row, err);
}

static void report(run_state *rs, long step, long steps) {
    if (!rs->o->progress) return;
    double el = now_seconds() - rs->t0;
    gk_progress pg = {rs->p->name, step, steps, el, step > 0 ? el * (double)(steps - step) / (double)step : NAN, &rs->m};
    rs->o->progress(rs->o->ud, &pg);
}

/* Runs the eval schedule. Returns the status that ended the loop (GK_OK when all steps were done). */
static gk_status run_loop(run_state *rs, const gk_config *cfg, long *last_step, gk_error *err) {
    const gk_exp_type *T = rs->p->type;
    long steps = gk_config_int(cfg, "steps");
    long *points = NULL;
    size_t npoints = 0;
    gk_status s = gk_eval_schedule(steps, (int)gk_config_int(cfg, "evals"), (int)gk_config_int(cfg, "evals_lin"),
                                   &points, &npoints, err);
    if (s) return s;
    long cur = 0;
    for (size_t k = 0; k < npoints && !s; k++) {
        if (points[k] > cur) {
            long reached = cur;
            s = T->advance(rs->exp, points[k], rs->o->stop, &reached, err);
            cur = reached;
            if (s == GK_OK && reached < points[k]) s = gk_fail(err, GK_EINTERRUPTED, "interrupted at step %ld", reached);
            if (s) break;
        }
        s = eval_row(rs, cur, err);
        report(rs, cur, steps);
        double t = now_seconds();
        if (!s && t - rs->last_csv >= rs->o->csv_interval) {
            s = write_metrics(rs->o->out_dir, &rs->m, err);
            rs->last_csv = t;
        }
    }
    free(points);
    *last_step = cur;
    return s;
}

static gk_status prepare_dir(const char *dir, int *created, gk_error *err) {
    struct stat st;
    *created = stat(dir, &st) != 0;
    return gk_mkdir_p(dir, err);
}

gk_status gk_theory_report(const gk_preset *p, const gk_config *cfg, cJSON **out, gk_error *err) {
    *out = NULL;
    if (!p->type->references) return gk_fail(err, GK_EINVAL, "preset %s has no theory references", p->name);
    gk_apply_threads(cfg);
    void *exp = NULL;
    double t0 = now_seconds();
    gk_status s = p->type->create(cfg, &exp, err);
    if (s) return s;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "preset", p->name);
    s = p->type->references(exp, o, err);
    double pred = p->type->predicted_step(exp);
    if (isfinite(pred)) cJSON_AddNumberToObject(o, "predicted_transition_step", pred);
    cJSON_AddNumberToObject(o, "seconds", now_seconds() - t0);
    p->type->destroy(exp);
    if (s) cJSON_Delete(o);
    else *out = o;
    return s;
}

gk_status gk_run(const gk_preset *p, const gk_config *cfg, const gk_run_opts *opts, gk_run_result *res, gk_error *err) {
    memset(res, 0, sizeof *res);
    const gk_exp_type *T = p->type;
    int created = 0;
    gk_status s = prepare_dir(opts->out_dir, &created, err);
    if (s) return s;
    gk_apply_threads(cfg);
    run_state rs = {.p = p, .o = opts, .t0 = now_seconds()};
    rs.last_csv = rs.t0;
    gk_metrics_init(&rs.m);
    s = T->create(cfg, &rs.exp, err);
    if (s) {
        if (created) rmdir(opts->out_dir); /* nothing half-written */
        return s;
    }
    cJSON *conf = gk_config_to_json(p, cfg);
    s = write_json(opts->out_dir, "config.json", conf, err);
    cJSON_Delete(conf);
    if (!s) s = gk_metrics_add_column(&rs.m, "step", err);
    if (!s) s = gk_metrics_add_column(&rs.m, "time", err);
    if (!s) s = T->columns(rs.exp, &rs.m, err);
    if (!s && opts->save_data && T->save_data) s = T->save_data(rs.exp, opts->out_dir, err);
    if (!s) rs.row = calloc((size_t)rs.m.ncols, sizeof(double));
    if (!s && !rs.row) s = gk_fail(err, GK_ENOMEM, "out of memory");
    if (s) { /* setup failed before training: an I/O or allocation error */
        T->destroy(rs.exp);
        gk_metrics_free(&rs.m);
        return s;
    }

    gk_error loop_err = {{0}};
    long last_step = 0;
    double t_train = now_seconds();
    res->status = run_loop(&rs, cfg, &last_step, &loop_err);
    double wall = now_seconds() - rs.t0, train_wall = now_seconds() - t_train;
    if (res->status) snprintf(res->error, sizeof res->error, "%s", loop_err.msg);

    cJSON *sum = cJSON_CreateObject();
    cJSON_AddStringToObject(sum, "preset", p->name);
    cJSON_AddStringToObject(sum, "experiment", T->name);
    cJSON_AddStringToObject(sum, "version", GK_VERSION);
    cJSON_AddStringToObject(sum, "status", res->status == GK_OK ? "completed"
                                           : res->status == GK_EINTERRUPTED ? "interrupted"
                                           : res->status == GK_ENONFINITE ? "diverged" : "failed");
    if (res->status) cJSON_AddStringToObject(sum, "error", res->error);
    cJSON *params = gk_config_to_json(p, cfg);
    cJSON_AddItemToObject(sum, "params", cJSON_DetachItemFromObject(params, "params"));
    cJSON_Delete(params);
    cJSON_AddNumberToObject(sum, "steps", (double)gk_config_int(cfg, "steps"));
    cJSON_AddNumberToObject(sum, "steps_done", (double)last_step);
    cJSON_AddNumberToObject(sum, "eval_points", (double)rs.m.nrows);
    double predicted = T->predicted_step(rs.exp);
    summarize_phenomena(sum, &rs.m, predicted);
    cJSON_AddNumberToObject(sum, "wall_seconds", wall);
    cJSON_AddNumberToObject(sum, "train_seconds", train_wall);
    if (last_step > 0) cJSON_AddNumberToObject(sum, "seconds_per_step", train_wall / (double)last_step);

    /* Finishing work: each failure is recorded, none undoes the metrics already kept. */
    s = write_metrics(opts->out_dir, &rs.m, err);
    gk_error aux = {{0}};
    if (!s && T->summarize && T->summarize(rs.exp, &rs.m, sum, &aux))
        cJSON_AddStringToObject(sum, "summarize_error", aux.msg);
    int xi = gk_config_index(cfg, "xaxis"); /* an experiment may offer xaxis=step|tstar */
    int x_tstar = xi >= 0 && !strcmp(cfg->str[xi], "tstar") && isfinite(predicted) && predicted > 0;
    if (!s && standard_figure(p, &rs.m, predicted, opts->out_dir, x_tstar, &aux))
        cJSON_AddStringToObject(sum, "figure_error", aux.msg);
    if (!s && T->figures && T->figures(rs.exp, &rs.m, opts->out_dir, &aux))
        cJSON_AddStringToObject(sum, "figure_error", aux.msg);
    if (!s) s = write_json(opts->out_dir, "summary.json", sum, err);
    res->summary = sum;
    free(rs.row);
    T->destroy(rs.exp);
    gk_metrics_free(&rs.m);
    return s;
}
