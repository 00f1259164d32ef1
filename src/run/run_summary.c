/* run_summary.c: summary.json: how the run ended, its config, its times, the phenomena read off the metrics
 * and the experiment's declared part (run/outputs.c). */
#include "run/run_internal.h"

#include "core/clock.h"
#include "report/seeds.h"
#include "run/outputs.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GK_RUN_NFACTS 9

static const char *exp_status_name(gk_status s) {
    return s == GK_OK ? "completed" : s == GK_EINTERRUPTED ? "interrupted" : s == GK_ENONFINITE ? "diverged"
           : s == GK_ELIMIT ? "limit" : "failed";
}

/* The name of the run's column with this role, or "" (no column: the facts on it are left out). */
static const char *role_column(const gk_metrics *m, gk_column_role role) {
    int c = gk_metrics_role_col(m, role);
    return c < 0 ? "" : m->names[c];
}

/* The run layer's standard facts, one key a number, on the columns of the declared roles (io/columns.h): when
 * the train set was fit, when the test accuracy jumped and how that compares with the prediction, the best and
 * final values, and (for misgrokking) how far the test accuracy fell from its best. A fact on a role the run
 * lacks is left out; an experiment's own facts may read these (GK_FIT_FACTS reads train_fit_step). */
static void run_facts(const gk_metrics *m, gk_fact out[GK_RUN_NFACTS + 1]) {
    const char *tra = role_column(m, GK_ROLE_TRAIN_ACC), *tea = role_column(m, GK_ROLE_TEST_ACC);
    const char *trl = role_column(m, GK_ROLE_TRAIN_LOSS), *tel = role_column(m, GK_ROLE_TEST_LOSS);
    const gk_fact facts[GK_RUN_NFACTS + 1] = {
        GK_STEP_WHEN("train_fit_step", tra, GK_RULE_AT_LEAST, GK_FIT_ACC, NULL),
        GK_STEP_WHEN("test_grok_step", tea, GK_RULE_AT_LEAST, GK_GROK_ACC, NULL),
        GK_MAX_OF("max_test_acc", tea),
        GK_VALUE_AT("max_test_acc_step", "step", "max_test_acc"),
        GK_FALL_OF("misgrok_drop", tea),
        GK_FINAL_OF("final_train_loss", trl),
        GK_FINAL_OF("final_train_acc", tra),
        GK_FINAL_OF("final_test_loss", tel),
        GK_FINAL_OF("final_test_acc", tea),
        {NULL},
    };
    memcpy(out, facts, sizeof facts);
}

/* t/t* of the test accuracy jump: the time at test_grok_step over the predicted time (the predicted step, a
 * fixed-lr step count, times lr). In time, not steps: with lr_auto the steps are not lr apart. Absent when
 * either is unknown. */
static void add_grok_over_predicted(cJSON *o, const gk_metrics *m, double predicted, double lr) {
    long grok = gk_metrics_first_at_least(m, role_column(m, GK_ROLE_TEST_ACC), GK_GROK_ACC);
    if (grok < 0 || !(isfinite(predicted) && predicted > 0 && lr > 0)) return;
    cJSON_AddNumberToObject(o, "grok_over_predicted", gk_metrics_at(m, (size_t)grok, 1) / (predicted * lr));
}

static void summarize_phenomena(cJSON *o, const gk_metrics *m, double predicted, double lr) {
    gk_json_number(o, "predicted_transition_step", predicted);
    char rule[96];
    snprintf(rule, sizeof rule, "%s >= %g", role_column(m, GK_ROLE_TRAIN_ACC), GK_FIT_ACC);
    if (gk_metrics_role_col(m, GK_ROLE_TRAIN_ACC) >= 0) cJSON_AddStringToObject(o, "train_fit_rule", rule);
    gk_fact facts[GK_RUN_NFACTS + 1];
    run_facts(m, facts);
    gk_summarize_facts(facts, m, o);
    add_grok_over_predicted(o, m, predicted, lr);
}

/* One name per number: a phenomenon whose rule is that of a standard step fact (the train fit, the test jump)
 * names that fact's key ("step_key": "train_fit_step") instead of repeating its step; its time and t/t* stay. */
static void phenomena_share_fact_steps(cJSON *sum, const gk_metrics *m) {
    static const struct { gk_column_role role; double thr; const char *key; } same[] = {
        {GK_ROLE_TRAIN_ACC, GK_FIT_ACC, "train_fit_step"}, {GK_ROLE_TEST_ACC, GK_GROK_ACC, "test_grok_step"}};
    cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sum, "phenomena")) {
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "rule"));
        for (size_t k = 0; rule && k < sizeof same / sizeof *same; k++) {
            char fact_rule[96];
            snprintf(fact_rule, sizeof fact_rule, "%s >= %g", role_column(m, same[k].role), same[k].thr);
            if (strcmp(rule, fact_rule) || !cJSON_GetObjectItemCaseSensitive(sum, same[k].key) ||
                !cJSON_GetObjectItemCaseSensitive(e, "step"))
                continue;
            cJSON_DeleteItemFromObjectCaseSensitive(e, "step");
            cJSON_AddStringToObject(e, "step_key", same[k].key);
        }
    }
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

/* An experiment that trains its seeds side by side lists each run in "per_seed": the spread of their numbers
 * (report/seeds.h), as a multi-seed run of the run layer has it. */
static void add_lockstep_spread(cJSON *sum) {
    const cJSON *per = cJSON_GetObjectItemCaseSensitive(sum, "per_seed"), *e;
    int K = cJSON_GetArraySize(per), k = 0;
    const cJSON **runs = K > 1 ? malloc((size_t)K * sizeof *runs) : NULL;
    if (!runs) return;
    cJSON_ArrayForEach(e, per) runs[k++] = e;
    gk_seeds_across(runs, K, sum, 0);
    free(runs);
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
    summarize_phenomena(sum, &rs->m, predicted, rs->tr->o.lr);
    if (!rs->ckpt_ok) cJSON_AddStringToObject(sum, "checkpoint_unavailable", rs->ckpt_why);
    cJSON_AddNumberToObject(sum, "wall_seconds", gk_now_seconds() - rs->t0);
    cJSON_AddNumberToObject(sum, "train_seconds", train_wall);
    if (rs->step > 0) cJSON_AddNumberToObject(sum, "seconds_per_step", train_wall / (double)rs->step);
    cJSON_AddNumberToObject(sum, "checkpoints_written", (double)rs->ckpt_count); /* before the final one */
    cJSON_AddNumberToObject(sum, "checkpoint_seconds", rs->ckpt_secs);
    gk_exp_summarize(T, rs->exp, &rs->m, predicted, sum);
    phenomena_share_fact_steps(sum, &rs->m);
    if (T->lockstep_seeds) add_lockstep_spread(sum);
    return sum;
}

