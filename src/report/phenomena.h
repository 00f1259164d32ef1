/* phenomena.h: what a run's metrics say, declared as data by an experiment and read off the metrics table into
 * summary.json (the run layer calls these; src/exp/exp.h holds the tables' place in an experiment type).
 *  - A rule (gk_rule) is a phenomenon: the first eval row where a column meets it. The rules go into
 *    summary.json's "phenomena" list (what, rule, step, time, t/t*), which the CLI prints, so each family says
 *    its phenomenon in its own terms.
 *  - A fact (gk_fact) is one number of summary.json: the step where a rule first held, a column's value at
 *    such a row, its initial, final, smallest or largest value, or the ratio of two numbers of the summary. */
#ifndef GK_IO_PHENOMENA_H
#define GK_IO_PHENOMENA_H

#include "io/metrics.h"

#include <cjson/cJSON.h>

typedef enum gk_rule_kind {
    GK_RULE_AT_LEAST,       /* column >= thr */
    GK_RULE_AT_MOST,        /* column <= thr */
    GK_RULE_EQUALS,         /* column == thr (e.g. step == 1) */
    GK_RULE_FRAC_OF_START,  /* column <= thr x its value at the first row */
    GK_RULE_FALL_FROM_MAX,  /* after its maximum, column <= max - thr (misgrokking) */
    GK_RULE_BELOW_OTHER,    /* thr x column < other (e.g. 10 x train_loss < test_loss) */
    GK_RULE_FINAL_RATIO     /* not a step: column / other at the last row (how far below a reference line) */
} gk_rule_kind;

typedef struct gk_rule {
    const char *what;   /* "test accuracy jumped" */
    const char *column; /* "test_acc" */
    gk_rule_kind kind;
    double thr;
    const char *other;  /* the second column of BELOW_OTHER and FINAL_RATIO */
} gk_rule;

/* The row where rule R first holds, -1 if never (or a column is absent). */
long gk_rule_row(const gk_rule *R, const gk_metrics *m);

/* Evaluates rules (terminated by {NULL}) into sum["phenomena"]; t/t* when predicted (a step) is finite. */
void gk_summarize_rules(const gk_rule *rules, const gk_metrics *m, double predicted, cJSON *sum);

/* Appends a phenomenon found by an experiment's own rule (row -1: never) to sum["phenomena"]. */
void gk_phenomenon_add(cJSON *sum, const char *what, const char *rule, const gk_metrics *m, long row, double predicted);

typedef enum gk_fact_kind {
    GK_FACT_WHEN,    /* the step (or column `value`) at the first row where the rule holds (null: never) */
    GK_FACT_AT,      /* column at the row of the earlier fact `of` of the same table */
    GK_FACT_INITIAL, /* column at the first row */
    GK_FACT_FINAL,   /* column at the last row */
    GK_FACT_MIN,     /* the smallest value of column (NaN skipped; its row is the first that has it) */
    GK_FACT_MAX,     /* the largest */
    GK_FACT_RATIO,   /* summary number `of` / summary number `over` (null unless both are numbers, over > 0) */
    GK_FACT_FALL     /* the largest value of column minus its value at the last row (misgrokking's drop) */
} gk_fact_kind;

typedef struct gk_fact {
    const char *key;          /* the summary.json key */
    gk_fact_kind kind;
    const char *column;       /* the column read ("step" and "time" too), or the rule's column */
    gk_rule_kind rule;        /* GK_FACT_WHEN: the rule on column, with thr and other */
    double thr;
    const char *other;
    const char *of, *over;    /* GK_FACT_AT: the fact whose row is read (of this table, else the step a summary
                               * key already holds); GK_FACT_RATIO: the two keys */
    const char *value;        /* GK_FACT_WHEN: the column written (NULL: "step") */
} gk_fact;

/* The rows of a fact table, one macro a kind (a table ends with {NULL}). */
#define GK_STEP_WHEN(key, column, rule, thr, other) {key, GK_FACT_WHEN, column, rule, thr, other, NULL, NULL, NULL}
#define GK_VALUE_WHEN(key, value, column, rule, thr, other) \
    {key, GK_FACT_WHEN, column, rule, thr, other, NULL, NULL, value}
#define GK_VALUE_AT(key, column, of) {key, GK_FACT_AT, column, 0, 0, NULL, of, NULL, NULL}
#define GK_INITIAL_OF(key, column) {key, GK_FACT_INITIAL, column, 0, 0, NULL, NULL, NULL, NULL}
#define GK_FINAL_OF(key, column) {key, GK_FACT_FINAL, column, 0, 0, NULL, NULL, NULL, NULL}
#define GK_MIN_OF(key, column) {key, GK_FACT_MIN, column, 0, 0, NULL, NULL, NULL, NULL}
#define GK_MAX_OF(key, column) {key, GK_FACT_MAX, column, 0, 0, NULL, NULL, NULL, NULL}
#define GK_FALL_OF(key, column) {key, GK_FACT_FALL, column, 0, 0, NULL, NULL, NULL, NULL}
#define GK_RATIO_OF(key, of, over) {key, GK_FACT_RATIO, NULL, 0, 0, NULL, of, over, NULL}

/* Writes the facts (terminated by {NULL}) into sum, in order: a number, or null where there is none. A fact
 * on a column the run does not have is left out. A ratio may name any number already in sum. */
void gk_summarize_facts(const gk_fact *facts, const gk_metrics *m, cJSON *sum);

/* o[key] = v, or null when v is not finite (JSON has no NaN or infinity). */
void gk_json_number(cJSON *o, const char *key, double v);

#endif
