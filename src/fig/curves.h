/* curves.h: figures of metrics columns against the step, declared as data (an experiment's `curves` table in
 * src/exp/exp.h, or built by its `figures` hook): <file>.png and <file>.svg, panels stacked, the step on a log
 * axis, one line per column the run has, the predicted transition t* as a vertical line where there is one. */
#ifndef GK_IO_CURVES_H
#define GK_IO_CURVES_H

#include "fig/palette.h"
#include "fig/plot.h"
#include "io/metrics.h"

#define GK_CURVES_PER_PANEL 6
#define GK_CURVE_PANELS 4

typedef struct gk_curve {
    const char *column; /* a metrics column; "prefix*": every column that starts with prefix, labelled
                         * `label` followed by the rest of its name ("norm_W*", "W": W1, W2, ...) */
    const char *label;  /* legend text */
    int style;          /* as gk_series: 0 line, 2 dashed (references) */
    const char *band;   /* a column of the spread (a standard deviation, say): value +- band shaded, clipped to
                         * the panel's [band_min, band_max]; NULL or absent: no band */
    gk_role role;       /* its colour (fig/palette.h); absent: the next free palette colour */
} gk_curve;

typedef struct gk_curve_panel {
    const char *title, *ylabel; /* a NULL title ends a figure's panels */
    int logy;
    double ymin, ymax;          /* both 0: automatic */
    gk_curve curves[GK_CURVES_PER_PANEL]; /* up to the first NULL column */
    const char *hline_key, *hline_label;  /* a dashed grey (threshold) line at this config key's value (NULL: none) */
    double band_min, band_max;            /* the range of the bands (both 0: not clipped) */
} gk_curve_panel;

/* The x axis (log): the step, step 0 left out (as log axes do); the step with step 0 drawn at 0.5; step + 1. */
typedef enum gk_curve_x { GK_X_STEP, GK_X_STEP0_AT_HALF, GK_X_STEP_PLUS_1 } gk_curve_x;

typedef struct gk_curve_figure {
    const char *file, *title; /* a NULL file ends a table of figures */
    gk_curve_x x;
    gk_curve_panel panels[GK_CURVE_PANELS];
} gk_curve_figure;

/* The spread behind the curves of a multi-seed run: per column, the seeds' min (lo) and max (hi), tables with the
 * same columns and rows as the means drawn. */
typedef struct gk_band_tables {
    const gk_metrics *lo, *hi;
} gk_band_tables;

/* The band of series k of P (n values y): between lo and hi when both are given, else y -+ sd; clipped to
 * [clip_lo, clip_hi] (both 0: not clipped); its 2n values go into buf. Returns the values of buf used (0: none). */
size_t gk_panel_band(gk_panel *P, int k, const double *lo, const double *hi, const double *sd, double clip_lo,
                     double clip_hi, double *buf);

/* The band of series k of P from the band tables' column `col` (absent: none), into buf (2n). */
size_t gk_panel_band_of(gk_panel *P, int k, const gk_band_tables *b, const char *col, double clip_lo, double clip_hi,
                        double *buf);

/* Draws figure F from the metrics into dir. A curve whose column is absent or has no finite value is left out,
 * and so is a panel left without curves. cfg (may be NULL without hline keys) gives the horizontal lines;
 * predicted (a step, NAN for none) the t* line. Fewer than two rows: nothing is drawn. */
gk_status gk_plot_curves(const gk_curve_figure *F, const gk_metrics *m, const gk_config *cfg, double predicted,
                         const char *dir, gk_error *err);
/* The same with the band of every curve from the band tables (NULL: the curves' own band columns). */
gk_status gk_plot_curves_banded(const gk_curve_figure *F, const gk_metrics *m, const gk_band_tables *bands,
                                const gk_config *cfg, double predicted, const char *dir, gk_error *err);

#endif
