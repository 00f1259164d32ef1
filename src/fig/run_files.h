/* run_files.h: what the figures read from a run directory (metrics.csv, config.json, summary.json), and the
 * words the figures use for its columns and theory references. */
#ifndef GK_FIG_RUN_FILES_H
#define GK_FIG_RUN_FILES_H

#include "groklab.h"
#include "io/metrics_read.h"

#include <cjson/cJSON.h>

typedef struct gk_fig_run {
    char dir[1024];
    gk_csv_table m;
    cJSON *config, *summary;  /* NULL when the file is absent or unreadable */
    double predicted, tstar;  /* predicted transition in steps; t* in time units; NAN when absent */
} gk_fig_run;

/* dir/name parsed as JSON; NULL when absent or not JSON. */
cJSON *gk_fig_read_json(const char *dir, const char *name);
/* Reads dir's metrics.csv (required), config.json and summary.json. */
gk_status gk_fig_run_load(gk_fig_run *r, const char *dir, gk_error *err);
void gk_fig_run_free(gk_fig_run *r);
/* The run's params object (config.json, else summary.json), NULL if none; its preset ("" if unknown). */
const cJSON *gk_fig_run_params(const gk_fig_run *r);
const char *gk_fig_run_preset(const gk_fig_run *r);
/* A param's value as text ("" when absent). */
void gk_fig_param_text(const gk_fig_run *r, const char *key, char *buf, size_t len);

/* A sweep.csv summary-scalar column (test_grok_step) in words for an axis title, as the sweep figures and the
 * sweep page name it; NULL when it has none (a swept config key: gk_param_words). */
const char *gk_sweep_column_words(const char *key);
/* The run's experiment ("" if unknown). */
const char *gk_fig_run_experiment(const gk_fig_run *r);
/* A config key in words for a legend or colour bar ("wd" -> "weight decay"; experiment: the run's, since a key
 * may mean different things in two experiments); NULL when the key has no entry. */
const char *gk_param_words(const char *key, const char *experiment);
/* A param and its value (as gk_fig_param_text gives it) for a legend: "weight decay 0.005", "fixed norm: yes",
 * or key=value for a key without words ("n=20"). */
void gk_param_label(const char *key, const char *experiment, const char *value, char *buf, size_t len);

/* A theory reference's name for a legend ("l2margin" -> "L2 max-margin"; unknown names as they are). */
const char *gk_reference_title(const char *key);
/* What a metrics column measures, for an axis title ("test_acc" -> "accuracy", "param_norm" -> "parameter
 * norm ||theta||"), and which set it is on for a legend ("train", "test"; "" when none). */
const char *gk_column_quantity(const char *col);
const char *gk_column_set(const char *col);
/* A column named in words, for a legend or a panel title: "train loss", "test accuracy", "weight norm of W_U",
 * "agreement with L2 max-margin"; the quantity alone when the column has no set ("parameter norm ||#gh||"). */
void gk_column_title(const char *col, char *buf, size_t len);
/* Figure text as plain UTF-8 for a web page: PLplot's Greek escapes (#ga, #gh, ...) as the letters, its
 * super/subscript escapes dropped (len >= 1). */
void gk_text_unicode(const char *in, char *out, size_t len);
/* Accuracies, agreements and shares: fractions in [0, 1]. */
int gk_column_is_fraction(const char *col);

#endif
