/* overlay.h: the overlay figure: runs (or every point of a sweep directory) laid over each other on shared
 * axes, as `groklab plot` and gk_plot_runs (include/groklab.h) draw it.
 *
 * One panel per column (one run: its fractions (accuracies, agreements) in one panel, its other columns in
 * another, a colour per column named by its set: "train", "test"). Several runs: one colour per run, named in
 * the legend by the config params that differ between them (only the keys every run has; the preset when it
 * differs); with `by` KEY one colour per value of KEY (the sequential ramp when its values are numbers), and
 * when one other key differs, one line style per value of it, the legend naming each colour and each style;
 * otherwise every curve has its own legend entry. A numeric KEY of GK_OVERLAY_COLOUR_BAR_MIN values or more is
 * drawn on a colour bar instead of legend entries (log-spaced when its values span more than a decade). Legends
 * and the bar name known keys in words ("weight decay 0.01"). References from summary.json (the theory references' test
 * accuracies, say) are drawn as dashed lines, none more than 3 decades beyond the curves on a log axis; x =
 * tstar is step / predicted_transition_step (t / t* for flow runs), with a marker at 1. With logx the rows at
 * x = 0 (the step-0 evaluation) are drawn at half the smallest positive x, as the axis title says. A loss
 * column is drawn on a log axis when its values span more than two decades; logy leaves a panel of accuracies
 * linear unless accuracies are all the figure shows. Axis titles name what a column
 * measures ("accuracy", "loss"), not the column. */
#ifndef GK_FIG_OVERLAY_H
#define GK_FIG_OVERLAY_H

#include "fig/plot.h"
#include "groklab.h"

enum { GK_OVERLAY_MAX_RUNS = 256, GK_OVERLAY_MAX_COLS = 8 };

/* A numeric --by key with at least this many distinct values gets a colour bar (each curve coloured by its
 * value on the sequential ramp) instead of a legend entry per value; fewer values keep the legend. */
enum { GK_OVERLAY_COLOUR_BAR_MIN = 5 };

/* Whether the distinct values v[n] (ascending; NAN for one that is not a number) of a --by key get a colour bar,
 * and its range and scale in *cb (log when every value is > 0 and they span more than a decade). */
int gk_overlay_colour_scale(const double *v, int n, gk_colour_bar *cb);

/* The run directories named by dirs (a run directory, or a sweep directory standing for its points with a
 * metrics.csv, in name order) into out (room for GK_OVERLAY_MAX_RUNS); GK_EINVAL names the culprit. */
gk_status gk_overlay_expand(const char *const *dirs, int ndirs, char (*out)[1024], int *nout, gk_error *err);

#endif
