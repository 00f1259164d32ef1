/* seeds.h: K independent runs of one config (seeds=K) reduced to the mean and the spread over the runs: one value
 * per run (xor's runs trained side by side), the metrics of K whole runs eval point by eval point, and their
 * summaries (the phenomena's steps: median, mean, spread). */
#ifndef GK_REPORT_SEEDS_H
#define GK_REPORT_SEEDS_H

#include "io/metrics.h"
#include "io/metrics_read.h"

#include <cjson/cJSON.h>
#include <stddef.h>

/* Mean, sample std (K - 1 in the denominator; 0 for one value), min and max over the finite x[k * stride],
 * k < K, into out[0..3]; NAN where no value is finite. */
void gk_spread(const double *x, int K, size_t stride, double out[4]);

enum { GK_SEEDS_MEAN, GK_SEEDS_STD, GK_SEEDS_MIN, GK_SEEDS_MAX };

/* The metrics of K runs, eval point by eval point. The runs share the eval schedule, and rows are matched by
 * their step: the aggregate has a row at every step where a run has one, reduced over the runs that have it
 * (count); a run that ended early (diverged, stopped) is left out of the later rows, and a row only some runs
 * have (a stopped run's last row, a schedule grown by a resume with steps=N) reduces over those. With by_index
 * (lr_auto: the runs reach an eval point's time at different steps) rows are matched by their place. Cells
 * that are not finite are left out of a row's reduction, as in gk_spread. */
typedef struct gk_seeds_agg {
    gk_metrics stat[4]; /* mean, std, min, max: the runs' columns (step, time, ...), one row per eval point; step
                         * and time are the mean (the runs' own unless lr_auto gave them other steps) */
    double *count;      /* per row: the runs that have it */
    gk_metrics table;   /* the multi-seed metrics.csv: step, time, seeds_n (= count), then for each other column c
                         * of the runs: c (the mean), c_std, c_min, c_max */
    char *names;        /* the names of every column above (owned) */
} gk_seeds_agg;

/* Reduces the metrics.csv tables of K >= 1 runs (runs[k] NULL or without rows: a run that wrote none). The runs'
 * columns must be the same (a run of another config is GK_EINVAL, naming the column). */
gk_status gk_seeds_aggregate(const gk_csv_table *const *runs, int K, int by_index, gk_seeds_agg *a, gk_error *err);
void gk_seeds_agg_free(gk_seeds_agg *a);

/* n, median, mean, std (sample), min, max of the finite v[0..K-1] as members of o (the statistics are null when
 * no value is finite). */
void gk_seeds_stats(cJSON *o, const double *v, int K);

/* Into out, from the K runs' summary.json objects (sums[k] NULL: a run without one):
 *  "phenomena": for each phenomenon of the runs' lists (by its "what"): its rule, each run's step ("steps", null
 *    where it never held) with gk_seeds_stats over the runs where it held, and "step" = their median (a final
 *    ratio: "ratios" and "ratio");
 *  "across_seeds": for each number at the top of the runs' summaries, gk_seeds_stats over the runs;
 *  and that number's median at the top of out, unless out already holds the key. */
void gk_seeds_summarize(const cJSON *const *sums, int K, cJSON *out);

/* Only "across_seeds" (and with medians, the medians at the top of out) of gk_seeds_summarize: also for the
 * per_seed entries of an experiment that trains its seeds side by side (xor). */
void gk_seeds_across(const cJSON *const *sums, int K, cJSON *out, int medians);

#endif
