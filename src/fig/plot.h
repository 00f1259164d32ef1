/* plot.h: figures with PLplot in one house style.
 *
 * Each figure is written whole or not at all: to hidden temp files in the target directory whose every
 * write, fsync and close is checked, renamed into place only when all of them are complete. A figure
 * `base` is written as <base>.png and <base>.svg; the *_file variants write one file whose format is
 * its extension (.png, .svg or .pdf). PDF and SVG keep their text as text (searchable, editable).
 *
 * Style (the same in every figure): a landscape 16:9 page (1600 x 900 pixels for several panels in a grid,
 * 1280 x 720 for one); log axes label every decade (every k-th when they do not fit) and carry minor ticks;
 * linear axes label every major tick with the digits the tick spacing needs (no separate exponent); category
 * axes label each value; the legend sits where no curve is (right of the axes when every inside spot is
 * taken); marker labels sit above the frame. Colours come from the one palette (fig/palette.h): a series
 * names its role, or takes the next palette colour no role of its panel has claimed, or gives its colour.
 *
 * The code: plot_core.c (colours, text metrics, axes, legends), plot_render.c (PLplot streams and the atomic
 * files), plot_lines.c (line panels), plot_cbar.c (their colour bar), plot_heat.c (heat maps and matrices), plot_hist.c (histograms). */
#ifndef GK_PLOT_H
#define GK_PLOT_H

#include "groklab.h"
#include "fig/palette.h"

#define GK_PLOT_MAX_SERIES 40
#define GK_PLOT_MAX_VLINES 4
#define GK_PLOT_MAX_HLINES 8

/* An explicit series colour (0xRRGGBB, e.g. gk_palette_seq(t)); 0 in gk_panel.colour[k] means "by its role". */
#define GK_RGB(r, g, b) ((int)(0x1000000 | ((r) << 16) | ((g) << 8) | (b)))

typedef struct gk_series {
    const char *label;   /* legend text; NULL for none. A series with n = 0 and a label is a legend-only entry */
    const double *x, *y; /* n points; non-finite points (and x <= 0 or y <= 0 on a log axis) are skipped */
    size_t n;
    int style;           /* 0 = line, 1 = points, 2 = dashed line, 3 = dotted line, 4 = dash-dot line,
                          * 5 = long-dash line */
    gk_role role;        /* its colour (GK_ROLE_AUTO: the next free palette colour) */
} gk_series;

typedef struct gk_panel {
    const char *title, *xlabel, *ylabel;
    int logx, logy;
    gk_series series[GK_PLOT_MAX_SERIES];
    int nseries;
    int colour[GK_PLOT_MAX_SERIES]; /* series k's colour: 0 = by its role, else GK_RGB(...) */
    double vline[GK_PLOT_MAX_VLINES]; /* vertical marker lines at these x, e.g. the predicted transition */
    const char *vline_label[GK_PLOT_MAX_VLINES];
    int nvlines;
    /* Horizontal reference lines (e.g. a reference classifier's test accuracy), dashed, in the legend. */
    double hline[GK_PLOT_MAX_HLINES];
    const char *hline_label[GK_PLOT_MAX_HLINES];
    gk_role hline_role[GK_PLOT_MAX_HLINES]; /* GK_ROLE_AUTO: the next free palette colour */
    int hline_colour[GK_PLOT_MAX_HLINES];   /* 0: by hline_role, else GK_RGB(...) */
    int nhlines;
    double ymin, ymax; /* both 0: automatic range */
    /* Optional shaded bands: when band_lo[k] and band_hi[k] are set, the area between them (at series k's
     * x, same n) is filled in a translucent shade of series k's colour, under the lines; NULL: no band. */
    const double *band_lo[GK_PLOT_MAX_SERIES], *band_hi[GK_PLOT_MAX_SERIES];
} gk_panel;

/* A colour bar for curves coloured by a number (a sweep's alpha, say): the sequential ramp (gk_palette_seq) from
 * lo (t = 0) to hi (t = 1), on a log scale when log (lo > 0). values (NULL: none) are the curves' numbers: each
 * is marked beside the bar, and labelled when there are at most 12 and their labels do not collide; otherwise
 * the bar carries ordinary axis ticks. */
typedef struct gk_colour_bar {
    const char *label; /* what the colour means, in words */
    double lo, hi;
    int log;
    const double *values;
    int nvalues;
} gk_colour_bar;

/* Where v sits on the bar, in [0, 1] (clamped; 0 when lo == hi), and its colour there (0xRRGGBB). */
double gk_colour_bar_pos(const gk_colour_bar *cb, double v);
int gk_colour_bar_rgb(const gk_colour_bar *cb, double v);

/* The page of a figure of panels. Zero fields take the defaults. */
typedef struct gk_plot_layout {
    int width, height; /* pixels; default 1600 x 900 (one panel: 1280 x 720) */
    int columns;       /* panels per row; default 1 for one panel, 3 for 3, 5 or 6, else 2 */
    double font;       /* text scale; default 1 */
    const gk_colour_bar *cbar; /* NULL: none; else one bar right of the panels, shared by all of them */
} gk_plot_layout;

/* Panels in a grid (row by row) in one figure, with a title on top: <base>.png and <base>.svg. */
gk_status gk_plot_panels(const char *base, const char *title, const gk_panel *panels, int npanels, gk_error *err);
/* The same figure as one file; its format is path's extension (.png, .svg or .pdf). */
gk_status gk_plot_panels_file(const char *path, const char *title, const gk_panel *panels, int npanels,
                              gk_error *err);
/* Either of them on a given page (L may be NULL): one file when path is set, else <base>.png and .svg. */
gk_status gk_plot_panels_ex(const char *path, const char *base, const char *title, const gk_panel *panels,
                            int npanels, const gk_plot_layout *L, gk_error *err);

/* A heat map of z[iy*nx + ix] over the grid x[nx] by y[ny]. */
typedef struct gk_heatmap {
    const char *title, *xlabel, *ylabel, *zlabel;
    const double *x, *y, *z; /* nx, ny cell centres (strictly monotonic); z row-major, non-finite: grey */
    size_t nx, ny;
    int logx, logy;     /* continuous axes: log spacing (ignored when categorical) */
    int categorical;    /* equal cells, each labelled with its value (a sweep's grid) */
    const char *const *xnames, *const *ynames; /* categorical: each cell's label (NULL: its value, %g) */
    int cell_values;    /* print each cell's value in it */
    int logz;           /* log colour scale (positive values) */
    /* Optional prediction on the same grid (e.g. the predicted t* per cell): printed under each value
     * (when cell_values) and drawn as white contour lines labelled with their level, in the gaps between
     * the cells' numbers. NULL: none. */
    const double *zpred;
    const char *zpred_label; /* e.g. "t*" */
    const double *mark_x, *mark_y; /* optional markers */
    size_t nmarks;
} gk_heatmap;

gk_status gk_plot_heatmap_ex(const char *base, const gk_heatmap *h, gk_error *err);

/* A continuous heat map (as gk_plot_heatmap_ex with only these fields), with a colour bar labelled zlabel.
 * Optional markers at (mark_x, mark_y). */
gk_status gk_plot_heatmap(const char *base, const char *title, const char *xlabel, const char *ylabel,
                          const char *zlabel, const double *x, size_t nx, const double *y, size_t ny,
                          const double *z, int logx, int logy, const double *mark_x, const double *mark_y,
                          size_t nmarks, gk_error *err);

/* Several heat maps side by side (e.g. a matrix at three moments beside its target): panels[k] gives
 * nrows x ncols values row-major, all on one shared colour scale, its bar labelled zlabel (NULL: none). */
gk_status gk_plot_matrices(const char *base, const char *title, const char *const *panel_titles,
                           const double *const *mats, int npanels, size_t nrows, size_t ncols, const char *zlabel,
                           gk_error *err);

/* Histograms of several samples laid over each other (e.g. <w_j, mu1> over the neurons at chosen steps),
 * each a translucent filled step outline. */
gk_status gk_plot_histograms(const char *base, const char *title, const char *xlabel, const char *const *labels,
                             const double *const *samples, const size_t *counts, int nsamples, int nbins,
                             gk_error *err);

#endif
