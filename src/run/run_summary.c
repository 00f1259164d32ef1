/* run_summary.c: summary.json: how the run ended, its config, its times, the phenomena read off the metrics
 * and the experiment's declared part (run/outputs.c). */
#include "run/run_internal.h"

#include "core/clock.h"
#include "run/outputs.h"
#include "train/train.h"

#include <math.h>

static const char *exp_status_name(gk_status s) {
    return s == GK_OK ? "completed" : s == GK_EINTERRUPTED ? "interrupted" : s == GK_ENONFINITE ? "diverged"
           : s == GK_ELIMIT ? "limit" : "failed";
}

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

cJSON *gk_run_make_summary(run_state *rs, gk_run_result *res, double train_wall) {
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

