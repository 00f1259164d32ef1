/* plot.c: groklab's figures (stacked line panels, heat maps, matrices, histograms) drawn with PLplot.
 *
 * Each figure is drawn twice, by the pngcairo device (<base>.png) and by an SVG device (<base>.svg,
 * svgcairo when present so that it matches the PNG, else PLplot's own svg), each on a fresh PLplot
 * stream. Both go to hidden temp files in the target directory and are renamed into place only when
 * both are complete. PLplot is not thread-safe and its error hooks are global, so drawing runs under
 * one mutex. PLplot never gets to print or exit: plsError() collects the messages of operations it
 * aborts (we then fail with GK_EFAILED), and the exit handler jumps back here instead of letting
 * plexit() end the process. Text is passed to PLplot verbatim, so its escapes ("#gm" for mu) work.
 */
#include "io/plot.h"

#include "io/fsutil.h"

#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours: cmap0 indices ---------------------------------------------------------------------- */

enum { C_WHITE = 0, C_BLACK = 1, C_SERIES = 2, N_SERIES_COLOURS = 8, C_NAN = 10, C_VLINE, C_GRID, C_BAND, N_CMAP0 };

static const PLINT k_rgb[N_CMAP0][3] = {
    {255, 255, 255}, {0, 0, 0},                                                     /* background, ink */
    {31, 119, 180},  {214, 39, 40},  {44, 160, 44},  {255, 127, 14},               /* blue red green orange */
    {148, 103, 189}, {140, 86, 75},  {227, 119, 194}, {23, 190, 207},              /* purple brown pink cyan */
    {170, 170, 170}, {80, 80, 80},   {228, 228, 228},                              /* nan, vline, grid */
    {0, 0, 0},                                                 /* band: set to a series colour with alpha */
};

#define SYMBOL "#(850)" /* a filled circle (bullet) from the Hershey set */

static int series_colour(int k) { return C_SERIES + k % N_SERIES_COLOURS; }

static void set_cmap0(void) {
    PLINT r[N_CMAP0], g[N_CMAP0], b[N_CMAP0];
    for (int i = 0; i < N_CMAP0; i++) r[i] = k_rgb[i][0], g[i] = k_rgb[i][1], b[i] = k_rgb[i][2];
    plscmap0(r, g, b, N_CMAP0);
}

/* cmap1: viridis-like for sequential data, blue-white-red for signed data. */
static void set_cmap1(int diverging) {
    static const PLFLT pos[5] = {0, 0.25, 0.5, 0.75, 1};
    static const PLFLT seq[3][5] = {{0.267, 0.229, 0.128, 0.369, 0.993},
                                    {0.005, 0.322, 0.567, 0.789, 0.906},
                                    {0.329, 0.546, 0.551, 0.383, 0.144}};
    static const PLFLT div[3][5] = {{0.019, 0.263, 0.970, 0.839, 0.404},
                                    {0.188, 0.576, 0.970, 0.376, 0.000},
                                    {0.380, 0.765, 0.970, 0.302, 0.122}};
    const PLFLT(*c)[5] = diverging ? div : seq;
    plscmap1n(256);
    plscmap1l(1, 5, pos, c[0], c[1], c[2], NULL);
}

/* ---- axis ranges --------------------------------------------------------------------------------- */

typedef struct range {
    double lo, hi;
    int any;
} range;

/* A value in axis units (log10 on a log axis); NAN when it cannot be shown. */
static double to_axis(double v, int logaxis) {
    if (!isfinite(v)) return NAN;
    if (!logaxis) return v;
    return v > 0 ? log10(v) : NAN;
}

static void range_add(range *r, double v) {
    if (!isfinite(v)) return;
    if (!r->any) r->lo = r->hi = v;
    if (v < r->lo) r->lo = v;
    if (v > r->hi) r->hi = v;
    r->any = 1;
}

/* Empty: [0, 1]. Constant: one unit. A log axis spans at least one decade, ending on whole decades
 * where that gives labelled ticks. Otherwise a margin of `margin` times the span on both sides. */
static void range_finish(range *r, int logaxis, double margin) {
    if (!r->any) r->lo = 0, r->hi = 1;
    else if (logaxis && r->hi - r->lo < 1 && floor(r->lo) != ceil(r->hi)) r->lo = floor(r->lo), r->hi = ceil(r->hi);
    else if (r->hi == r->lo) r->lo -= 0.5, r->hi += 0.5;
    else if (logaxis && r->hi - r->lo < 1) r->lo = floor(r->lo) - 0.5, r->hi = ceil(r->hi) + 0.5;
    else {
        double m = margin * (r->hi - r->lo);
        r->lo -= m, r->hi += m;
    }
}

/* Major tick spacing: automatic on a linear axis, whole decades on a log axis. */
static double tick_step(const range *r, int logaxis) {
    if (!logaxis) return 0;
    double span = r->hi - r->lo;
    return span <= 8 ? 1 : ceil(span / 8);
}

/* ---- layout helpers ------------------------------------------------------------------------------ */

typedef struct page {
    double w, h; /* pixels */
} page;

/* A viewport given in pixels from the top-left corner of the page. */
static void viewport_px(const page *pg, double left, double right, double top, double bottom) {
    plvpor(left / pg->w, right / pg->w, 1 - bottom / pg->h, 1 - top / pg->h);
}

static int has_text(const char *s) { return s && s[0]; }

static void draw_figure_title(const page *pg, const char *title, double band) {
    if (!has_text(title)) return;
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(C_BLACK);
    plschr(0, 1.3);
    plptex(0.5, 1 - 0.6 * band / pg->h, 1, 0, 0.5, title);
    plschr(0, 1.0);
}

/* The light grid, drawn under the data. */
static void draw_grid(const range *xr, int logx, const range *yr, int logy) {
    plcol0(C_GRID);
    plwidth(1);
    pllsty(1);
    plbox(logx ? "gl" : "g", tick_step(xr, logx), 0, logy ? "gl" : "g", tick_step(yr, logy), 0);
}

/* The frame with ticks and numeric labels, then the axis labels and the title, drawn over the data. */
static void draw_axes(const range *xr, int logx, const range *yr, int logy, const char *xlabel,
                      const char *ylabel, const char *title) {
    plcol0(C_BLACK);
    plwidth(1);
    pllsty(1);
    plbox(logx ? "bcnstl" : "bcnst", tick_step(xr, logx), 0, logy ? "bcnstvl" : "bcnstv", tick_step(yr, logy), 0);
    if (has_text(xlabel)) plmtex("b", 3.0, 0.5, 0.5, xlabel);
    if (has_text(ylabel)) plmtex("l", 4.2, 0.5, 0.5, ylabel);
    if (has_text(title)) plmtex("t", 1.0, 0.5, 0.5, title);
}

/* ---- legend placement: the inside corner covering the fewest data points ------------------------ */

typedef struct corners {
    long n[4]; /* top-right, top-left, bottom-right, bottom-left */
} corners;

/* (u, v): a point in [0, 1]^2 of the plot window. */
static void corners_add(corners *c, double u, double v) {
    int right = u > 0.55, left = u < 0.45, top = v > 0.6, bottom = v < 0.4;
    if (top && right) c->n[0]++;
    if (top && left) c->n[1]++;
    if (bottom && right) c->n[2]++;
    if (bottom && left) c->n[3]++;
}

static PLINT corners_best(const corners *c) {
    static const PLINT pos[4] = {PL_POSITION_TOP | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_LEFT,
                                 PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_BOTTOM | PL_POSITION_LEFT};
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (c->n[k] < c->n[best]) best = k;
    return pos[best] | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT;
}

typedef struct legend {
    int n;
    PLINT opt[GK_PLOT_MAX_SERIES], colour[GK_PLOT_MAX_SERIES], style[GK_PLOT_MAX_SERIES];
    PLINT nsym[GK_PLOT_MAX_SERIES], ink[GK_PLOT_MAX_SERIES];
    PLFLT width[GK_PLOT_MAX_SERIES], scale[GK_PLOT_MAX_SERIES];
    const char *text[GK_PLOT_MAX_SERIES], *sym[GK_PLOT_MAX_SERIES];
} legend;

/* style: 0 line, 1 points, 2 dashed line. */
static void legend_add(legend *lg, const char *label, int colour, int style) {
    if (!has_text(label) || lg->n >= GK_PLOT_MAX_SERIES) return;
    int k = lg->n++;
    lg->opt[k] = style == 1 ? PL_LEGEND_SYMBOL : PL_LEGEND_LINE;
    lg->colour[k] = colour;
    lg->ink[k] = C_BLACK;
    lg->style[k] = style == 2 ? 2 : 1;
    lg->width[k] = 2;
    lg->scale[k] = 1;
    lg->nsym[k] = 1;
    lg->text[k] = label;
    lg->sym[k] = SYMBOL;
}

static void legend_draw(const legend *lg, PLINT position) {
    if (lg->n == 0) return;
    PLFLT w, h;
    pllsty(1);
    plwidth(1);
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position, 0.02, 0.03, 0.08, C_WHITE,
             C_BLACK, 1, 0, 0, lg->n, lg->opt, 1.0, 0.9, 2.0, 0.0, lg->ink, lg->text, NULL, NULL, NULL,
             NULL, lg->colour, lg->style, lg->width, lg->colour, lg->scale, lg->nsym, lg->sym);
}

/* ---- rendering a figure to both files ------------------------------------------------------------ */

typedef void (*draw_fn)(const void *ctx, const page *pg);

typedef struct figure {
    page pg;
    draw_fn draw;
    const void *ctx;
} figure;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf g_jump;
static volatile int g_armed;
static char g_exit_msg[256];
static PLINT g_errcode;
static char g_errmsg[1024];

/* PLplot calls this from plexit() before it would print and exit(); jump back into render_stream. */
static int on_plexit(const char *msg) {
    snprintf(g_exit_msg, sizeof g_exit_msg, "%s", msg ? msg : "");
    if (g_armed) {
        g_armed = 0;
        longjmp(g_jump, 1);
    }
    return 1;
}

static void strip_newlines(char *s) {
    for (char *p = s; *p; p++)
        if (*p == '\n') *p = ' ';
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = '\0';
    while (s[0] == ' ') memmove(s, s + 1, strlen(s));
}

/* Draws fig with device dev into file tmp on a fresh stream; called with g_lock held. */
static gk_status render_stream(const char *dev, const char *tmp, const char *path, const figure *fig,
                               gk_error *err) {
    PLINT prev = 0, strm = -1;
    plgstrm(&prev);
    plmkstrm(&strm);
    if (strm < 0) return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot has no free stream", path);
    g_errcode = 0;
    g_errmsg[0] = '\0';
    plsError(&g_errcode, g_errmsg);
    plsexit(on_plexit);
    if (setjmp(g_jump) != 0) { /* PLplot gave up; its stream is abandoned rather than ended half-made */
        plsstrm(prev);
        strip_newlines(g_exit_msg);
        return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot: %s", path, g_exit_msg);
    }
    g_armed = 1;
    plsdev(dev);
    plsfnam(tmp);
    plspage(0, 0, (PLINT)fig->pg.w, (PLINT)fig->pg.h, 0, 0);
    plspause(0);
    set_cmap0();
    plinit();
    pladv(0);
    fig->draw(fig->ctx, &fig->pg);
    plend1();
    g_armed = 0;
    plsstrm(prev);
    if (g_errcode != 0) {
        strip_newlines(g_errmsg);
        return gk_fail(err, GK_EFAILED, "cannot plot %s: PLplot: %s", path, g_errmsg);
    }
    return GK_OK;
}

static int device_available(const char *name) {
    static const char *menus[128], *names[128];
    const char **pm = menus, **pn = names;
    int n = 128;
    plgDevs(&pm, &pn, &n);
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], name) == 0) return 1;
    return 0;
}

/* Draws into tmp (created first, so that an unwritable place is reported here and not by PLplot). */
static gk_status render_file(const char *dev, const char *tmp, const char *path, const figure *fig,
                             gk_error *err) {
    FILE *f = fopen(tmp, "wb");
    if (!f) return gk_fail(err, GK_EIO, "cannot write figure %s: %s", path, strerror(errno));
    fclose(f);
    pthread_mutex_lock(&g_lock);
    gk_status s = device_available(dev)
                      ? render_stream(dev, tmp, path, fig, err)
                      : gk_fail(err, GK_EUNAVAILABLE, "cannot plot %s: PLplot device %s is missing", path, dev);
    pthread_mutex_unlock(&g_lock);
    struct stat st;
    if (s == GK_OK && (stat(tmp, &st) != 0 || st.st_size == 0))
        s = gk_fail(err, GK_EIO, "cannot write figure %s: PLplot wrote nothing", path);
    if (s != GK_OK) remove(tmp);
    return s;
}

/* "<dir>/<name><ext>" and its temp name "<dir>/.<name><ext>.tmp<pid>". */
static gk_status figure_paths(const char *base, const char *ext, char *path, char *tmp, size_t len,
                              gk_error *err) {
    const char *slash = strrchr(base, '/');
    int dirlen = slash ? (int)(slash - base + 1) : 0;
    int a = snprintf(path, len, "%s%s", base, ext);
    int b = snprintf(tmp, len, "%.*s.%s%s.tmp%ld", dirlen, base, base + dirlen, ext, (long)getpid());
    if (a < 0 || b < 0 || (size_t)a >= len || (size_t)b >= len)
        return gk_fail(err, GK_EINVAL, "figure path too long: %s", base);
    return GK_OK;
}

static const char *svg_device(void) {
    pthread_mutex_lock(&g_lock);
    const char *dev = device_available("svgcairo") ? "svgcairo" : "svg";
    pthread_mutex_unlock(&g_lock);
    return dev;
}

static gk_status render(const char *base, const figure *fig, gk_error *err) {
    GK_ASSERT(base);
    char png[1024], svg[1024], tpng[1024], tsvg[1024];
    gk_status s = figure_paths(base, ".png", png, tpng, sizeof png, err);
    if (!s) s = figure_paths(base, ".svg", svg, tsvg, sizeof svg, err);
    if (!s) s = render_file("pngcairo", tpng, png, fig, err);
    if (s) return s;
    s = render_file(svg_device(), tsvg, svg, fig, err);
    if (!s) s = gk_rename_into_place(tpng, png, err);
    else remove(tpng);
    if (s) {
        remove(tsvg);
        return s;
    }
    return gk_rename_into_place(tsvg, svg, err);
}

/* ---- line panels --------------------------------------------------------------------------------- */

enum { PANEL_W = 900, PANEL_H = 360, TITLE_BAND = 50, CHUNK = 256 };

typedef struct panels_ctx {
    const char *title;
    const gk_panel *p;
    int n;
} panels_ctx;

static void panel_ranges(const gk_panel *p, range *xr, range *yr) {
    memset(xr, 0, sizeof *xr);
    memset(yr, 0, sizeof *yr);
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), v = to_axis(s->y[i], p->logy);
            if (!isfinite(u) || !isfinite(v)) continue;
            range_add(xr, u);
            range_add(yr, v);
        }
    }
    for (int k = 0; k < p->nseries; k++) { /* bands widen the y range (at points shown on the x axis) */
        const gk_series *s = &p->series[k];
        if (!p->band_lo[k] || !p->band_hi[k]) continue;
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(to_axis(s->x[i], p->logx))) continue;
            range_add(yr, to_axis(p->band_lo[k][i], p->logy));
            range_add(yr, to_axis(p->band_hi[k][i], p->logy));
        }
    }
    for (int k = 0; k < p->nvlines; k++) range_add(xr, to_axis(p->vline[k], p->logx));
    range_finish(xr, p->logx, 0.03);
    double lo = to_axis(p->ymin, p->logy), hi = to_axis(p->ymax, p->logy);
    if ((p->ymin != 0 || p->ymax != 0) && isfinite(lo) && isfinite(hi) && hi > lo) yr->lo = lo, yr->hi = hi;
    else range_finish(yr, p->logy, 0.05);
}

/* One run of points: a line (a lone point is drawn as a dot) or symbols. */
static void flush_run(PLFLT *x, PLFLT *y, int m, int style, int continued) {
    if (m == 0 || (m == 1 && continued)) return;
    pllsty(style == 2 ? 2 : 1);
    if (style == 1 || m == 1) plstring(m, x, y, SYMBOL);
    else plline(m, x, y);
}

/* Draws a series in runs of valid points (a gap at each skipped point) and counts legend coverage. */
static void draw_series(const gk_series *s, int logx, int logy, const range *xr, const range *yr, corners *c) {
    PLFLT bx[CHUNK], by[CHUNK];
    int m = 0, continued = 0;
    for (size_t i = 0; i < s->n; i++) {
        double u = to_axis(s->x[i], logx), v = to_axis(s->y[i], logy);
        if (!isfinite(u) || !isfinite(v)) {
            flush_run(bx, by, m, s->style, continued);
            m = continued = 0;
            continue;
        }
        if (m == CHUNK) {
            flush_run(bx, by, m, s->style, continued);
            bx[0] = bx[m - 1], by[0] = by[m - 1];
            m = continued = 1;
        }
        bx[m] = u, by[m] = v, m++;
        corners_add(c, (u - xr->lo) / (xr->hi - xr->lo), (v - yr->lo) / (yr->hi - yr->lo));
    }
    flush_run(bx, by, m, s->style, continued);
}

/* The band of series k: one polygon per run of points where x, lo and hi can all be shown (upper edge
 * forward, lower edge back), filled with series k's colour at alpha 0.25, clipped to the y range. */
static void draw_band(const gk_panel *p, int k, const range *yr) {
    const gk_series *s = &p->series[k];
    const double *lo = p->band_lo[k], *hi = p->band_hi[k];
    if (s->n < 2) return;
    PLFLT *px = malloc(2 * s->n * sizeof *px), *py = malloc(2 * s->n * sizeof *py);
    if (!px || !py) { /* a figure without its band rather than none */
        free(px);
        free(py);
        return;
    }
    const PLINT *c = k_rgb[series_colour(k)];
    plscol0a(C_BAND, c[0], c[1], c[2], 0.25);
    plcol0(C_BAND);
    size_t i = 0;
    while (i < s->n) {
        size_t m = 0;
        for (; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), a = to_axis(lo[i], p->logy), b = to_axis(hi[i], p->logy);
            if (!isfinite(u) || !isfinite(a) || !isfinite(b)) break;
            px[m] = u, py[m++] = fmin(fmax(b, yr->lo), yr->hi);
            px[2 * s->n - m] = u, py[2 * s->n - m] = fmin(fmax(a, yr->lo), yr->hi);
        }
        if (m >= 2) { /* the lower edge sits at the end of the buffers: move it next to the upper one */
            memmove(px + m, px + 2 * s->n - m, m * sizeof *px);
            memmove(py + m, py + 2 * s->n - m, m * sizeof *py);
            plfill((PLINT)(2 * m), px, py);
        }
        i++;
    }
    free(px);
    free(py);
}

static void draw_vlines(const gk_panel *p, const range *xr, const range *yr) {
    plcol0(C_VLINE);
    plwidth(1.5);
    pllsty(3);
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (!isfinite(u) || u < xr->lo || u > xr->hi) continue;
        PLFLT x[2] = {u, u}, y[2] = {yr->lo, yr->hi};
        plline(2, x, y);
        if (has_text(p->vline_label[k])) {
            plschr(0, 0.8);
            plptex(u - 0.014 * (xr->hi - xr->lo), yr->hi - 0.03 * (yr->hi - yr->lo), 0, 1, 1.0, p->vline_label[k]);
            plschr(0, 1.0);
        }
    }
    pllsty(1);
}

static void draw_panel(const gk_panel *p, const page *pg, double top) {
    GK_ASSERT(p->nseries >= 0 && p->nseries <= GK_PLOT_MAX_SERIES);
    GK_ASSERT(p->nvlines >= 0 && p->nvlines <= GK_PLOT_MAX_VLINES);
    range xr, yr;
    panel_ranges(p, &xr, &yr);
    viewport_px(pg, 125, pg->w - 30, top + 50, top + PANEL_H - 80);
    plwind(xr.lo, xr.hi, yr.lo, yr.hi);
    draw_grid(&xr, p->logx, &yr, p->logy);
    for (int k = 0; k < p->nseries; k++)
        if (p->band_lo[k] && p->band_hi[k]) draw_band(p, k, &yr);
    corners c = {{0}};
    legend lg = {0};
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        GK_ASSERT(s->n == 0 || (s->x && s->y));
        plcol0(series_colour(k));
        plwidth(2);
        draw_series(s, p->logx, p->logy, &xr, &yr, &c);
        legend_add(&lg, s->label, series_colour(k), s->style);
    }
    draw_vlines(p, &xr, &yr);
    draw_axes(&xr, p->logx, &yr, p->logy, p->xlabel, p->ylabel, p->title);
    legend_draw(&lg, corners_best(&c));
}

static void draw_panels(const void *vctx, const page *pg) {
    const panels_ctx *ctx = vctx;
    draw_figure_title(pg, ctx->title, TITLE_BAND);
    for (int k = 0; k < ctx->n; k++) draw_panel(&ctx->p[k], pg, TITLE_BAND + (double)k * PANEL_H);
}

gk_status gk_plot_panels(const char *base, const char *title, const gk_panel *panels, int npanels, gk_error *err) {
    if (npanels < 1 || !panels) return gk_fail(err, GK_EINVAL, "figure %s: no panels to plot", base ? base : "?");
    panels_ctx ctx = {title, panels, npanels};
    figure fig = {{PANEL_W, TITLE_BAND + (double)npanels * PANEL_H + 10}, draw_panels, &ctx};
    return render(base, &fig, err);
}

/* ---- heat maps ----------------------------------------------------------------------------------- */

/* Colour-scale range over the finite values: empty [0, 1], constant one unit wide; symmetric about 0
 * when `symmetric` and the values have both signs. */
static range z_range(const double *const *mats, int nmats, size_t n, int symmetric) {
    range r = {0};
    for (int k = 0; k < nmats; k++)
        for (size_t i = 0; i < n; i++) range_add(&r, mats[k][i]);
    if (symmetric && r.any && r.lo < 0 && r.hi > 0) {
        double m = fmax(-r.lo, r.hi);
        r.lo = -m, r.hi = m;
    }
    range_finish(&r, 0, 0);
    return r;
}

/* A filled rectangle in window coordinates, a hair larger so that anti-aliasing leaves no seams. */
static void fill_rect(double x0, double x1, double y0, double y1, double ex, double ey) {
    double l = fmin(x0, x1) - ex, r = fmax(x0, x1) + ex, b = fmin(y0, y1) - ey, t = fmax(y0, y1) + ey;
    PLFLT x[4] = {l, r, r, l}, y[4] = {b, b, t, t};
    plfill(4, x, y);
}

static void cell_colour(double z, const range *zr) {
    if (!isfinite(z)) {
        plcol0(C_NAN);
        return;
    }
    double t = (z - zr->lo) / (zr->hi - zr->lo);
    plcol1(t < 0 ? 0 : t > 1 ? 1 : t);
}

/* A vertical colour bar in its own viewport (pixels), labelled on the right. */
static void draw_colorbar(const page *pg, double left, double top, double bottom, const range *zr,
                          const char *label) {
    enum { STRIPS = 128 };
    viewport_px(pg, left, left + 22, top, bottom);
    plwind(0, 1, zr->lo, zr->hi);
    double dz = (zr->hi - zr->lo) / STRIPS;
    for (int k = 0; k < STRIPS; k++) {
        plcol1((k + 0.5) / STRIPS);
        fill_rect(0, 1, zr->lo + k * dz, zr->lo + (k + 1) * dz, 0, 0.3 * dz);
    }
    plcol0(C_BLACK);
    plwidth(1);
    plbox("bc", 0, 0, "bcmstv", 0, 0);
    if (has_text(label)) plmtex("r", 6.5, 0.5, 0.5, label);
}

typedef struct heat_ctx {
    const char *title, *xlabel, *ylabel, *zlabel;
    const double *xe, *ye, *z; /* cell edges in axis units (nx + 1, ny + 1); NULL when empty */
    size_t nx, ny;
    int logx, logy;
    range xr, yr, zr;
    const double *mx, *my;
    size_t nmarks;
} heat_ctx;

static void draw_markers(const heat_ctx *h) {
    for (size_t i = 0; i < h->nmarks; i++) {
        PLFLT u = to_axis(h->mx[i], h->logx), v = to_axis(h->my[i], h->logy);
        if (!isfinite(u) || !isfinite(v)) continue;
        plschr(0, 2.4);
        plcol0(C_WHITE);
        plstring(1, &u, &v, SYMBOL);
        plschr(0, 1.6);
        plcol0(C_BLACK);
        plstring(1, &u, &v, SYMBOL);
    }
    plschr(0, 1.0);
}

static void draw_heat(const void *vctx, const page *pg) {
    const heat_ctx *h = vctx;
    draw_figure_title(pg, h->title, TITLE_BAND);
    set_cmap1(0);
    viewport_px(pg, 100, pg->w - 200, TITLE_BAND + 20, pg->h - 85);
    plwind(h->xr.lo, h->xr.hi, h->yr.lo, h->yr.hi);
    double ex = 1e-3 * (h->xr.hi - h->xr.lo), ey = 1e-3 * (h->yr.hi - h->yr.lo);
    for (size_t iy = 0; iy < h->ny; iy++)
        for (size_t ix = 0; ix < h->nx; ix++) {
            cell_colour(h->z[iy * h->nx + ix], &h->zr);
            fill_rect(h->xe[ix], h->xe[ix + 1], h->ye[iy], h->ye[iy + 1], ex, ey);
        }
    draw_markers(h);
    draw_axes(&h->xr, h->logx, &h->yr, h->logy, h->xlabel, h->ylabel, NULL);
    draw_colorbar(pg, pg->w - 170, TITLE_BAND + 20, pg->h - 85, &h->zr, h->zlabel);
}

/* Cell edges in axis units from n cell centres: midpoints between neighbours (geometric on a log axis),
 * the outer edges half a neighbour spacing out, a lone centre one unit wide. */
static gk_status cell_edges(const double *c, size_t n, int logaxis, const char *name, double *e, range *r,
                            gk_error *err) {
    for (size_t i = 0; i < n; i++) {
        double t = to_axis(c[i], logaxis);
        if (!isfinite(t))
            return gk_fail(err, GK_EINVAL, "heat map: %s[%zu] = %g cannot be shown on a %s axis", name, i, c[i],
                           logaxis ? "log" : "linear");
        if (i > 0 && (t == e[i - 1] || (i > 1 && (t > e[i - 1]) != (e[i - 1] > e[i - 2]))))
            return gk_fail(err, GK_EINVAL, "heat map: %s must be strictly monotonic (at index %zu)", name, i);
        e[i] = t;
    }
    if (n == 1) {
        e[1] = e[0] + 0.5, e[0] -= 0.5;
    } else {
        double last = e[n - 1];
        for (size_t i = n - 1; i >= 1; i--) e[i] = 0.5 * (e[i] + e[i - 1]);
        e[0] = 2 * e[0] - e[1];
        e[n] = 2 * last - e[n - 1];
    }
    memset(r, 0, sizeof *r);
    range_add(r, e[0]);
    range_add(r, e[n]);
    return GK_OK;
}

gk_status gk_plot_heatmap(const char *base, const char *title, const char *xlabel, const char *ylabel,
                          const char *zlabel, const double *x, size_t nx, const double *y, size_t ny,
                          const double *z, int logx, int logy, const double *mark_x, const double *mark_y,
                          size_t nmarks, gk_error *err) {
    GK_ASSERT(nmarks == 0 || (mark_x && mark_y));
    int empty = nx == 0 || ny == 0;
    GK_ASSERT(empty || (x && y && z));
    heat_ctx h = {title, xlabel, ylabel, zlabel, NULL, NULL, z, empty ? 0 : nx, empty ? 0 : ny, logx, logy,
                  {0, 1, 1}, {0, 1, 1}, {0, 1, 1}, mark_x, mark_y, nmarks};
    double *xe = NULL, *ye = NULL;
    gk_status s = GK_OK;
    if (!empty) {
        xe = malloc((nx + 1) * sizeof *xe);
        ye = malloc((ny + 1) * sizeof *ye);
        if (!xe || !ye) s = gk_fail(err, GK_ENOMEM, "heat map %s: out of memory", base);
        if (!s) s = cell_edges(x, nx, logx, "x", xe, &h.xr, err);
        if (!s) s = cell_edges(y, ny, logy, "y", ye, &h.yr, err);
        h.xe = xe, h.ye = ye;
        h.zr = z_range(&z, 1, nx * ny, 0);
    }
    if (!s) {
        figure fig = {{900, 700}, draw_heat, &h};
        s = render(base, &fig, err);
    }
    free(xe);
    free(ye);
    return s;
}

/* ---- matrices side by side ----------------------------------------------------------------------- */

typedef struct mat_ctx {
    const char *title;
    const char *const *titles;
    const double *const *mats;
    int n;
    size_t rows, cols;
    range zr;
    double panel_w, panel_h;
} mat_ctx;

enum { MAT_LEFT = 60, MAT_GAP = 45, MAT_BAR = 150, MAT_TOP = TITLE_BAND + 35, MAT_BOTTOM = 45 };

/* Integer tick spacing for an index axis of n cells. */
static double index_step(size_t n) {
    double s = ceil(n / 5.0);
    return s < 1 ? 1 : s;
}

static void draw_matrix(const mat_ctx *m, int k, const page *pg) {
    double left = MAT_LEFT + k * (m->panel_w + MAT_GAP);
    viewport_px(pg, left, left + m->panel_w, MAT_TOP, MAT_TOP + m->panel_h);
    double ncols = m->cols ? (double)m->cols : 1, nrows = m->rows ? (double)m->rows : 1;
    plwind(0, ncols, nrows, 0); /* row 0 at the top */
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            cell_colour(m->mats[k][i * m->cols + j], &m->zr);
            fill_rect(j, j + 1.0, i, i + 1.0, 1e-3 * ncols, 1e-3 * nrows);
        }
    plcol0(C_BLACK);
    plwidth(1);
    plbox("bcnt", index_step(m->cols), 0, "bcntv", index_step(m->rows), 0);
    if (m->titles && has_text(m->titles[k])) plmtex("t", 1.0, 0.5, 0.5, m->titles[k]);
}

static void draw_matrices(const void *vctx, const page *pg) {
    const mat_ctx *m = vctx;
    draw_figure_title(pg, m->title, TITLE_BAND);
    set_cmap1(m->zr.lo < 0 && m->zr.hi > 0);
    for (int k = 0; k < m->n; k++) draw_matrix(m, k, pg);
    draw_colorbar(pg, pg->w - MAT_BAR + 25, MAT_TOP, MAT_TOP + m->panel_h, &m->zr, NULL);
}

gk_status gk_plot_matrices(const char *base, const char *title, const char *const *panel_titles,
                           const double *const *mats, int npanels, size_t nrows, size_t ncols, gk_error *err) {
    if (npanels < 1 || !mats) return gk_fail(err, GK_EINVAL, "figure %s: no matrices to plot", base ? base : "?");
    size_t n = nrows * ncols;
    for (int k = 0; k < npanels; k++) GK_ASSERT(n == 0 || mats[k]);
    mat_ctx m = {title, panel_titles, mats, npanels, nrows, ncols, z_range(mats, npanels, n, 1), 0, 0};
    double w = fmax(900, MAT_LEFT + MAT_BAR + npanels * (120.0 + MAT_GAP));
    m.panel_w = (w - MAT_LEFT - MAT_BAR) / npanels - MAT_GAP;
    double aspect = (nrows && ncols) ? (double)nrows / (double)ncols : 1;
    m.panel_h = fmin(fmax(m.panel_w * aspect, 120), 600);
    figure fig = {{w, MAT_TOP + m.panel_h + MAT_BOTTOM}, draw_matrices, &m};
    return render(base, &fig, err);
}

/* ---- histograms ---------------------------------------------------------------------------------- */

typedef struct hist_ctx {
    const char *title, *xlabel;
    const char *const *labels;
    int ns, nbins;
    range xr, yr;
    const double *edges; /* nbins + 1 */
    const size_t *counts; /* ns x nbins */
    PLFLT *px, *py;       /* 2 nbins + 2 points of one step outline */
} hist_ctx;

static void draw_step(const hist_ctx *h, int k, corners *c) {
    const size_t *cnt = h->counts + (size_t)k * h->nbins;
    int m = 0;
    h->px[m] = h->edges[0], h->py[m++] = 0;
    for (int b = 0; b < h->nbins; b++) {
        h->px[m] = h->edges[b], h->py[m++] = (double)cnt[b];
        h->px[m] = h->edges[b + 1], h->py[m++] = (double)cnt[b];
        double u = (0.5 * (h->edges[b] + h->edges[b + 1]) - h->xr.lo) / (h->xr.hi - h->xr.lo);
        corners_add(c, u, (double)cnt[b] / h->yr.hi);
    }
    h->px[m] = h->edges[h->nbins], h->py[m++] = 0;
    plcol0(series_colour(k));
    plwidth(2);
    pllsty(1);
    plline(m, h->px, h->py);
}

static void draw_hists(const void *vctx, const page *pg) {
    const hist_ctx *h = vctx;
    draw_figure_title(pg, h->title, TITLE_BAND);
    viewport_px(pg, 100, pg->w - 30, TITLE_BAND + 20, pg->h - 85);
    plwind(h->xr.lo, h->xr.hi, h->yr.lo, h->yr.hi);
    draw_grid(&h->xr, 0, &h->yr, 0);
    corners c = {{0}};
    legend lg = {0};
    for (int k = 0; k < h->ns; k++) {
        draw_step(h, k, &c);
        legend_add(&lg, h->labels ? h->labels[k] : NULL, series_colour(k), 0);
    }
    draw_axes(&h->xr, 0, &h->yr, 0, h->xlabel, "count", NULL);
    legend_draw(&lg, corners_best(&c));
}

/* Shared bins over the pooled finite values (constant data: one unit wide). */
static void bin_samples(hist_ctx *h, double *edges, size_t *counts, const double *const *samples,
                        const size_t *n) {
    range r = {0};
    for (int k = 0; k < h->ns; k++)
        for (size_t i = 0; i < n[k]; i++) range_add(&r, samples[k][i]);
    range_finish(&r, 0, 0);
    double w = (r.hi - r.lo) / h->nbins, top = 0;
    for (int b = 0; b <= h->nbins; b++) edges[b] = r.lo + b * w;
    edges[h->nbins] = r.hi;
    for (int k = 0; k < h->ns; k++) {
        size_t *cnt = counts + (size_t)k * h->nbins;
        for (size_t i = 0; i < n[k]; i++) {
            double v = samples[k][i];
            if (!isfinite(v)) continue;
            int b = (int)((v - r.lo) / w);
            cnt[b < 0 ? 0 : b >= h->nbins ? h->nbins - 1 : b]++;
        }
        for (int b = 0; b < h->nbins; b++) top = fmax(top, (double)cnt[b]);
    }
    h->xr = r;
    h->xr.lo -= 0.02 * (r.hi - r.lo), h->xr.hi += 0.02 * (r.hi - r.lo);
    h->yr = (range){0, top > 0 ? 1.08 * top : 1, 1};
}

gk_status gk_plot_histograms(const char *base, const char *title, const char *xlabel, const char *const *labels,
                             const double *const *samples, const size_t *counts, int nsamples, int nbins,
                             gk_error *err) {
    if (nsamples < 0 || nsamples > GK_PLOT_MAX_SERIES)
        return gk_fail(err, GK_EINVAL, "histogram %s: %d samples (at most %d)", base ? base : "?", nsamples,
                       GK_PLOT_MAX_SERIES);
    GK_ASSERT(nsamples == 0 || (samples && counts));
    size_t most = 0;
    for (int k = 0; k < nsamples; k++) {
        GK_ASSERT(counts[k] == 0 || samples[k]);
        if (counts[k] > most) most = counts[k];
    }
    if (nbins < 1) nbins = (int)fmin(50, fmax(10, ceil(sqrt((double)most))));
    hist_ctx h = {.title = title, .xlabel = xlabel, .labels = labels, .ns = nsamples, .nbins = nbins};
    double *edges = malloc((size_t)(nbins + 1) * sizeof *edges);
    size_t *cnt = calloc((size_t)(nsamples ? nsamples : 1) * (size_t)nbins, sizeof *cnt);
    PLFLT *px = malloc((size_t)(2 * nbins + 2) * sizeof *px), *py = malloc((size_t)(2 * nbins + 2) * sizeof *py);
    gk_status s = GK_OK;
    if (!edges || !cnt || !px || !py) s = gk_fail(err, GK_ENOMEM, "histogram %s: out of memory", base);
    if (!s) {
        bin_samples(&h, edges, cnt, samples, counts);
        h.edges = edges, h.counts = cnt, h.px = px, h.py = py;
        figure fig = {{900, 560}, draw_hists, &h};
        s = render(base, &fig, err);
    }
    free(edges);
    free(cnt);
    free(px);
    free(py);
    return s;
}
