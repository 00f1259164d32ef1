/* plot.h: figures with PLplot, each written as <base>.png and <base>.svg (temp file + rename). */
#ifndef GK_PLOT_H
#define GK_PLOT_H

#include "groklab.h"

#define GK_PLOT_MAX_SERIES 8
#define GK_PLOT_MAX_VLINES 4

typedef struct gk_series {
    const char *label;   /* legend text; NULL for none */
    const double *x, *y; /* n points; non-finite points (and x <= 0 or y <= 0 on a log axis) are skipped */
    size_t n;
    int style;           /* 0 = line, 1 = points, 2 = dashed line */
} gk_series;

typedef struct gk_panel {
    const char *title, *xlabel, *ylabel;
    int logx, logy;
    gk_series series[GK_PLOT_MAX_SERIES];
    int nseries;
    double vline[GK_PLOT_MAX_VLINES]; /* vertical marker lines at these x, e.g. the predicted transition */
    const char *vline_label[GK_PLOT_MAX_VLINES];
    int nvlines;
    double ymin, ymax; /* both 0: automatic range */
    /* Optional shaded bands: when band_lo[k] and band_hi[k] are set, the area between them (at series k's
     * x, same n) is filled in a translucent shade of series k's colour, under the lines; NULL: no band. */
    const double *band_lo[GK_PLOT_MAX_SERIES], *band_hi[GK_PLOT_MAX_SERIES];
} gk_panel;

/* Panels stacked vertically in one figure, with a title on top. */
gk_status gk_plot_panels(const char *base, const char *title, const gk_panel *panels, int npanels, gk_error *err);

/* A heat map of z[iy*nx + ix] over the grid x[nx] by y[ny] (cell centres; log axes optional), with a
 * colour bar labelled zlabel. Non-finite cells are drawn grey. Optional markers at (mark_x, mark_y). */
gk_status gk_plot_heatmap(const char *base, const char *title, const char *xlabel, const char *ylabel,
                          const char *zlabel, const double *x, size_t nx, const double *y, size_t ny,
                          const double *z, int logx, int logy, const double *mark_x, const double *mark_y,
                          size_t nmarks, gk_error *err);

/* Several heat maps side by side (e.g. a matrix at three moments beside its target): panels[k] gives
 * nrows x ncols values row-major, all on one shared colour scale. */
gk_status gk_plot_matrices(const char *base, const char *title, const char *const *panel_titles,
                           const double *const *mats, int npanels, size_t nrows, size_t ncols, gk_error *err);

/* Histograms of several samples laid over each other (e.g. <w_j, mu1> over the neurons at chosen steps). */
gk_status gk_plot_histograms(const char *base, const char *title, const char *xlabel, const char *const *labels,
                             const double *const *samples, const size_t *counts, int nsamples, int nbins,
                             gk_error *err);

#endif
