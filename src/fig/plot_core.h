/* plot_core.h: what the files of fig/plot share (not part of the figure API): the page and its
 * rendering (plot_render.c), colours, text metrics, axes and legends (plot_core.c). Every function here is
 * called with the drawing lock held (inside a draw_fn) unless it says otherwise. Layout is in pixels from the
 * page's top-left corner. */
#ifndef GK_FIG_PLOT_CORE_H
#define GK_FIG_PLOT_CORE_H

#include "fig/plot.h"

#include <math.h>
#include <plplot.h>

/* ---- the page and its files (plot_render.c) ---- */
typedef struct page {
    double w, h; /* pixels */
} page;

typedef void (*draw_fn)(const void *ctx, const page *pg);

typedef struct figure {
    page pg;
    draw_fn draw;
    const void *ctx;
    double font; /* text scale (0: 1) */
} figure;

/* <base>.png and <base>.svg; path: one file whose format is its extension. Whole or not at all. */
gk_status gkf_render(const char *base, const figure *fig, gk_error *err);
gk_status gkf_render_path(const char *path, const figure *fig, gk_error *err);

/* ---- colours (plot_core.c) ---- */
enum { C_WHITE = 0, C_BLACK, C_GRID, C_VLINE, C_NAN, C_RGB, C_BAND, C_FRAME, N_CMAP0 };
#define SYMBOL "#(850)" /* a filled circle (bullet) from the Hershey set */

void gkf_set_cmap0(void);
void gkf_set_cmap1(int diverging);
void gkf_use_rgb(int rgb, double alpha);
void gkf_line_style(int style); /* 0, 1 solid, 2 dashed, 3 dotted, 4 dash-dot */

/* ---- text (plot_core.c) ---- */
enum { S_TITLE, S_LABEL, S_TICK, S_SMALL };
#define CHAR_MM 6.3 /* character height at scale 1, set on every stream */

extern const double gkf_scale[4];
extern _Thread_local double gkf_font; /* the text scale of the figure being laid out or drawn */
double gkf_ch_px(int size);           /* pixels of one character height */
void gkf_text_size(int size);
double gkf_text_em(const char *s); /* estimated width in character heights */
double gkf_script_em(const char *s); /* the extra height its super- and subscripts take, in character heights */
static inline double gkf_text_px(const char *s, int size) { return gkf_text_em(s) * gkf_ch_px(size); }
static inline int has_text(const char *s) { return s && s[0]; }

/* ---- axes (plot_core.c) ---- */
typedef struct range {
    double lo, hi;
    int any;
} range;

/* A value in axis units (log10 on a log axis); NAN when it cannot be shown. */
static inline double to_axis(double v, int logaxis) {
    if (!isfinite(v)) return NAN;
    if (!logaxis) return v;
    return v > 0 ? log10(v) : NAN;
}

static inline void range_add(range *r, double v) {
    if (!isfinite(v)) return;
    if (!r->any) r->lo = r->hi = v;
    if (v < r->lo) r->lo = v;
    if (v > r->hi) r->hi = v;
    r->any = 1;
}

typedef struct axis {
    double lo, hi; /* axis units (log10 on a log axis) */
    int log;
    double step;   /* major tick spacing, axis units */
    int nsub;      /* minor intervals per major one (linear axes) */
    int sci;       /* linear: labels as m x 10^k */
    int decimals;  /* linear, not sci: digits after the point */
    int plain125;  /* log, at most ~1.5 decades: labels at 1, 2 and 5 x 10^k as plain numbers (10, 20, 50) */
} axis;

enum { MAX_TICKS = 64, TITLE_BAND = 50 };

double gkf_nice_step(double span, int target);
axis gkf_axis_make(range r, int logaxis, int fixed, int target);
void gkf_thin_log_axis(axis *a, double px, double need);
int gkf_axis_ticks(const axis *a, double *t, int max);
void gkf_tick_label(const axis *a, double v, char *buf, size_t len);
double gkf_ticks_width(const axis *a);       /* the widest tick label, pixels */
double gkf_last_tick_half(const axis *a);    /* half the width of the label of the last tick, pixels */
static inline double axis_frac(const axis *a, double v) { return (v - a->lo) / (a->hi - a->lo); }
void gkf_draw_tick_labels(const axis *a, const char *side); /* "b", "l" or "r" */
void gkf_draw_grid(const axis *xa, const axis *ya);
void gkf_draw_frame(const axis *xa, const axis *ya);

typedef struct box {
    double l, r, t, b;
} box;

static inline void viewport_box(const page *pg, box b) {
    plvpor(b.l / pg->w, b.r / pg->w, 1 - b.b / pg->h, 1 - b.t / pg->h);
}
double gkf_left_margin(double ytick_w, const char *ylabel);
double gkf_bottom_margin(const char *xlabel);
void gkf_draw_axis_labels(double ytick_w, const char *xlabel, const char *ylabel);
void gkf_draw_figure_title(const page *pg, const char *title, double band);

/* Maps axis units into the pixel box of the plot. */
typedef struct mapper {
    const axis *xa, *ya;
    box b;
} mapper;
static inline double map_x(const mapper *m, double u) { return m->b.l + axis_frac(m->xa, u) * (m->b.r - m->b.l); }
static inline double map_y(const mapper *m, double v) { return m->b.b - axis_frac(m->ya, v) * (m->b.b - m->b.t); }

/* ---- legends (plot_core.c) ---- */
enum { MAX_ENTRIES = GK_PLOT_MAX_SERIES + GK_PLOT_MAX_HLINES };

typedef struct legend {
    int n;
    const char *text[MAX_ENTRIES];
    int rgb[MAX_ENTRIES], style[MAX_ENTRIES];
    double w, h; /* pixels */
} legend;

void gkf_legend_add(legend *lg, const char *text, int rgb, int style);
void gkf_legend_measure(legend *lg);
void gkf_legend_draw(const legend *lg, const page *pg, box r);
int gkf_segment_hits(double x0, double y0, double x1, double y1, box r);

/* ---- the colour bar of line panels (plot_cbar.c) ---- */
/* The width of the page's right strip the bar takes (0 for none), and the bar drawn there from top to bottom. */
double gkf_cbar_width(const gk_colour_bar *cb);
void gkf_cbar_draw(const gk_colour_bar *cb, const page *pg, double top, double bottom);

#endif
