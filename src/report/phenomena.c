/* phenomena.c: an experiment's phenomenon rules and facts (phenomena.h) read off its metrics into
 * summary.json: each phenomenon names what happened, the rule, and the step, the time and t/t* where it first
 * held (or null: never), or for a final ratio its value; each fact is one number (or null). */
#include "report/phenomena.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double at(const gk_metrics *m, size_t r, int c) { return gk_metrics_at(m, r, c); }

void gk_json_number(cJSON *o, const char *key, double v) {
    if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
    else cJSON_AddNullToObject(o, key);
}

/* The row where the rule first holds on columns c (and o), -1 if never. */
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
                  : R->kind == GK_RULE_EQUALS        ? v == R->thr
                  : R->kind == GK_RULE_FRAC_OF_START ? v <= R->thr * ref
                  : R->kind == GK_RULE_FALL_FROM_MAX ? v <= ref - R->thr
                                                     : R->thr * v < at(m, r, o);
        if (hit) return (long)r;
    }
    return -1;
}

long gk_rule_row(const gk_rule *R, const gk_metrics *m) {
    int c = gk_metrics_col(m, R->column), o = R->other ? gk_metrics_col(m, R->other) : 0;
    return c < 0 || o < 0 ? -1 : rule_row(R, m, c, o);
}

static void describe(const gk_rule *R, char *buf, size_t len) {
    switch (R->kind) {
    case GK_RULE_AT_LEAST: snprintf(buf, len, "%s >= %g", R->column, R->thr); break;
    case GK_RULE_AT_MOST: snprintf(buf, len, "%s <= %g", R->column, R->thr); break;
    case GK_RULE_EQUALS: snprintf(buf, len, "%s == %g", R->column, R->thr); break;
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
        gk_json_number(e, "ratio", at(m, m->nrows - 1, c) / at(m, m->nrows - 1, o));
    } else {
        long r = rule_row(R, m, c, o);
        if (r < 0) cJSON_AddNullToObject(e, "step");
        else add_step(e, m, r, predicted);
    }
    cJSON_AddItemToArray(list, e);
}

void gk_summarize_rules(const gk_rule *rules, const gk_metrics *m, double predicted, cJSON *sum) {
    cJSON *list = cJSON_AddArrayToObject(sum, "phenomena");
    for (const gk_rule *R = rules; R && R->what; R++) add_one(list, R, m, predicted);
}

/* ---- facts ------------------------------------------------------------------------------------------------ */

/* The row of an extreme of column c (the first, NaN skipped), -1 if none. */
static long extreme_row(const gk_metrics *m, int c, int largest) {
    long best = -1;
    for (size_t r = 0; r < m->nrows; r++) {
        double v = at(m, r, c);
        if (!isnan(v) && (best < 0 || (largest ? v > at(m, (size_t)best, c) : v < at(m, (size_t)best, c)))) best = (long)r;
    }
    return best;
}

/* The number a summary key holds, NAN if it holds none. */
static double summary_number(const cJSON *sum, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(sum, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The row whose step is the step summary number `key` holds (a fact of an earlier table), -1 if none. */
static long row_of_summary_step(const cJSON *sum, const char *key, const gk_metrics *m) {
    double step = summary_number(sum, key);
    for (size_t r = 0; isfinite(step) && r < m->nrows; r++)
        if ((double)gk_metrics_step_of(m, (long)r) == step) return (long)r;
    return -1;
}

/* The row fact F is read at (rows[]: those of the earlier facts of table T; a GK_FACT_AT whose fact is not in T
 * reads the step sum holds under that key), -1 if none. */
static long fact_row(const gk_fact *T, const gk_fact *F, const long *rows, const gk_metrics *m, int c,
                     const cJSON *sum) {
    const long last = (long)m->nrows - 1;
    switch (F->kind) {
    case GK_FACT_WHEN: {
        gk_rule R = {F->key, F->column, F->rule, F->thr, F->other};
        return gk_rule_row(&R, m);
    }
    case GK_FACT_AT:
        for (const gk_fact *E = T; E < F; E++)
            if (!strcmp(E->key, F->of)) return rows[E - T];
        return row_of_summary_step(sum, F->of, m);
    case GK_FACT_INITIAL: return last >= 0 ? 0 : -1;
    case GK_FACT_FINAL: return last;
    case GK_FACT_MIN: return extreme_row(m, c, 0);
    case GK_FACT_MAX: return extreme_row(m, c, 1);
    case GK_FACT_RATIO: return -1;
    case GK_FACT_FALL: return last;
    }
    return -1;
}

void gk_summarize_facts(const gk_fact *facts, const gk_metrics *m, cJSON *sum) {
    long rows[64];
    for (const gk_fact *F = facts; F && F->key; F++) {
        const size_t k = (size_t)(F - facts);
        GK_ASSERT(k < sizeof rows / sizeof *rows);
        rows[k] = -1;
        if (F->kind == GK_FACT_RATIO) {
            double a = summary_number(sum, F->of), b = summary_number(sum, F->over);
            gk_json_number(sum, F->key, b > 0 ? a / b : NAN);
            continue;
        }
        int c = gk_metrics_col(m, F->column);
        int v = F->kind != GK_FACT_WHEN ? c : F->value ? gk_metrics_col(m, F->value) : 0; /* the column written */
        if (c < 0 || v < 0) continue; /* a column this run does not have */
        rows[k] = fact_row(facts, F, rows, m, c, sum);
        double x = rows[k] < 0 ? NAN : at(m, (size_t)rows[k], v);
        if (F->kind == GK_FACT_FALL) {
            long top = extreme_row(m, c, 1);
            x = top < 0 ? NAN : at(m, (size_t)top, c) - x;
        }
        gk_json_number(sum, F->key, x);
    }
}
