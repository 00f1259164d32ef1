/* phenomena.c: the phenomenon rules of an experiment (exp.h, gk_rule) read off its metrics into
 * summary.json's "phenomena" list: each entry names what happened, the rule, and the step, the time and t/t*
 * where it first held (or null: never), or for a final ratio its value. */
#include "exp/exp.h"

#include "train/train.h"

#include <math.h>
#include <stdio.h>

/* Used when an experiment declares no rules: the train set is fit, the test accuracy jumps. */
static const gk_rule default_rules[] = {
    {"train set fit", "train_acc", GK_RULE_AT_LEAST, GK_FIT_ACC, NULL},
    {"test accuracy jumped", "test_acc", GK_RULE_AT_LEAST, GK_GROK_ACC, NULL},
    {NULL, NULL, 0, 0, NULL},
};

static double at(const gk_metrics *m, size_t r, int c) { return gk_metrics_at(m, r, c); }

/* The row where the rule first holds, -1 if never. */
static long rule_row(const gk_rule *R, const gk_metrics *m, int c, int o) {
    size_t start = 0;
    double ref = m->nrows ? at(m, 0, c) : NAN;
    if (R->kind == GK_RULE_FALL_FROM_MAX) { /* the first maximum, then a fall of thr below it */
        for (size_t r = 0; r < m->nrows; r++)
            if (at(m, r, c) > at(m, start, c)) start = r;
        ref = at(m, start, c);
    }
    for (size_t r = start; r < m->nrows; r++) {
        double v = at(m, r, c);
        int hit = R->kind == GK_RULE_AT_LEAST        ? v >= R->thr
                  : R->kind == GK_RULE_AT_MOST       ? v <= R->thr
                  : R->kind == GK_RULE_FRAC_OF_START ? v <= R->thr * ref
                  : R->kind == GK_RULE_FALL_FROM_MAX ? v <= ref - R->thr
                                                     : R->thr * v < at(m, r, o);
        if (hit) return (long)r;
    }
    return -1;
}

static void describe(const gk_rule *R, char *buf, size_t len) {
    switch (R->kind) {
    case GK_RULE_AT_LEAST: snprintf(buf, len, "%s >= %g", R->column, R->thr); break;
    case GK_RULE_AT_MOST: snprintf(buf, len, "%s <= %g", R->column, R->thr); break;
    case GK_RULE_FRAC_OF_START: snprintf(buf, len, "%s <= %g x its initial value", R->column, R->thr); break;
    case GK_RULE_FALL_FROM_MAX: snprintf(buf, len, "%s <= its maximum - %g", R->column, R->thr); break;
    case GK_RULE_BELOW_OTHER: snprintf(buf, len, "%g x %s < %s", R->thr, R->column, R->other); break;
    case GK_RULE_FINAL_RATIO: snprintf(buf, len, "final %s / %s", R->column, R->other); break;
    }
}

static void add_step(cJSON *e, const gk_metrics *m, long r, double predicted) {
    double step = gk_metrics_step_of(m, r);
    cJSON_AddNumberToObject(e, "step", step);
    cJSON_AddNumberToObject(e, "time", at(m, (size_t)r, 1));
    if (isfinite(predicted) && predicted > 0) cJSON_AddNumberToObject(e, "over_tstar", step / predicted);
}

void gk_phenomenon_add(cJSON *sum, const char *what, const char *rule, const gk_metrics *m, long row, double predicted) {
    cJSON *list = cJSON_GetObjectItemCaseSensitive(sum, "phenomena");
    if (!list) list = cJSON_AddArrayToObject(sum, "phenomena");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "what", what);
    cJSON_AddStringToObject(e, "rule", rule);
    if (row < 0) cJSON_AddNullToObject(e, "step");
    else add_step(e, m, row, predicted);
    cJSON_AddItemToArray(list, e);
}

static void add_one(cJSON *list, const gk_rule *R, const gk_metrics *m, double predicted) {
    int c = gk_metrics_col(m, R->column), o = R->other ? gk_metrics_col(m, R->other) : 0;
    if (c < 0 || o < 0 || m->nrows == 0) return; /* a column this run does not have */
    char rule[160];
    describe(R, rule, sizeof rule);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "what", R->what);
    cJSON_AddStringToObject(e, "rule", rule);
    if (R->kind == GK_RULE_FINAL_RATIO) {
        double v = at(m, m->nrows - 1, c) / at(m, m->nrows - 1, o);
        if (isfinite(v)) cJSON_AddNumberToObject(e, "ratio", v);
        else cJSON_AddNullToObject(e, "ratio");
    } else {
        long r = rule_row(R, m, c, o);
        if (r < 0) cJSON_AddNullToObject(e, "step");
        else add_step(e, m, r, predicted);
    }
    cJSON_AddItemToArray(list, e);
}

void gk_summarize_rules(const gk_exp_type *T, void *exp, const gk_metrics *m, double predicted, cJSON *sum) {
    const gk_rule *rules = T->rules ? T->rules(exp) : default_rules;
    cJSON *list = cJSON_AddArrayToObject(sum, "phenomena");
    for (const gk_rule *R = rules; R && R->what; R++) add_one(list, R, m, predicted);
}
