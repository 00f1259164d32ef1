/* plot_lines.c: figures of line panels (gk_plot_panels): curves, point clouds, shaded bands, reference lines
 * and markers on shared axes, the panels in a grid on a landscape page, each legend where it covers no curve. */
#include "fig/plot_core.h"

#include <stdlib.h>
#include <string.h>

enum { CHUNK = 256 };

static void panel_axes(const gk_panel *p, axis *xa, axis *ya) {
    range xr = {0}, yr = {0};
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), v = to_axis(s->y[i], p->logy);
            if (!isfinite(u) || !isfinite(v)) continue;
            range_add(&xr, u);
            range_add(&yr, v);
            if (p->band_lo[k] && p->band_hi[k]) { /* bands widen the y range */
                range_add(&yr, to_axis(p->band_lo[k][i], p->logy));
                range_add(&yr, to_axis(p->band_hi[k][i], p->logy));
            }
        }
    }
    for (int k = 0; k < p->nvlines; k++) range_add(&xr, to_axis(p->vline[k], p->logx));
    for (int k = 0; k < p->nhlines; k++) range_add(&yr, to_axis(p->hline[k], p->logy));
    *xa = gkf_axis_make(xr, p->logx, 0, 6);
    double lo = to_axis(p->ymin, p->logy), hi = to_axis(p->ymax, p->logy);
    int fixed = (p->ymin != 0 || p->ymax != 0) && isfinite(lo) && isfinite(hi) && hi > lo;
    if (fixed) yr = (range){lo, hi, 1};
    else if (!p->logy && yr.any) { /* a little room, so that a line at the end of the data is not on the frame */
        double pad = 0.02 * (yr.hi - yr.lo);
        yr.lo = yr.lo >= 0 && yr.lo - pad < 0 ? 0 : yr.lo - pad;
        yr.hi = yr.hi <= 0 && yr.hi + pad > 0 ? 0 : yr.hi + pad;
    }
    *ya = gkf_axis_make(yr, p->logy, fixed, 5);
}

/* One run of points: a line (a lone point is drawn as a dot) or symbols. */
static void flush_run(PLFLT *x, PLFLT *y, int m, int style, int continued) {
    if (m == 0 || (m == 1 && continued)) return;
    gkf_line_style(style);
    if (style == 1 || m == 1) plstring(m, x, y, SYMBOL);
    else plline(m, x, y);
}

/* Draws a series in runs of valid points (a gap at each skipped point). */
static void draw_series(const gk_series *s, int logx, int logy) {
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
    }
    flush_run(bx, by, m, s->style, continued);
    gkf_line_style(0);
}

/* The band of series k: one polygon per run of points where x, lo and hi can all be shown (upper edge
 * forward, lower edge back), filled with the series' colour at alpha 0.25, clipped to the y range. */
static void draw_band(const gk_panel *p, int k, int rgb, const axis *ya) {
    const gk_series *s = &p->series[k];
    const double *lo = p->band_lo[k], *hi = p->band_hi[k];
    if (s->n < 2) return;
    PLFLT *px = malloc(2 * s->n * sizeof *px), *py = malloc(2 * s->n * sizeof *py);
    if (!px || !py) { /* a figure without its band rather than none */
        free(px);
        free(py);
        return;
    }
    gkf_use_rgb(rgb, 0.25);
    size_t i = 0;
    while (i < s->n) {
        size_t m = 0;
        for (; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), a = to_axis(lo[i], p->logy), b = to_axis(hi[i], p->logy);
            if (!isfinite(u) || !isfinite(a) || !isfinite(b)) break;
            px[m] = u, py[m++] = fmin(fmax(b, ya->lo), ya->hi);
            px[2 * s->n - m] = u, py[2 * s->n - m] = fmin(fmax(a, ya->lo), ya->hi);
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

/* Vertical markers (dotted, grey) with their labels above the frame, never on a curve; a label that would run
 * into the one before it moves right (box_px: the frame's width). */
static void draw_vlines(const gk_panel *p, const axis *xa, const axis *ya, double box_px) {
    plcol0(C_VLINE);
    plwidth(1.5);
    gkf_line_style(3);
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (!isfinite(u) || u < xa->lo || u > xa->hi) continue;
        PLFLT x[2] = {u, u}, y[2] = {ya->lo, ya->hi};
        plline(2, x, y);
    }
    gkf_line_style(0);
    gkf_text_size(S_SMALL);
    double right_end = -1; /* of the last label drawn, as a fraction of the box: the next starts after it */
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (!isfinite(u) || u < xa->lo || u > xa->hi || !has_text(p->vline_label[k])) continue;
        double half = 0.5 * (gkf_text_em(p->vline_label[k]) + 0.5) * gkf_ch_px(S_SMALL) / box_px;
        double c = fmin(fmax(axis_frac(xa, u), 0.02), 0.98);
        if (c - half < right_end) c = right_end + half;
        plmtex("t", 0.75, c, 0.5, p->vline_label[k]);
        right_end = c + half;
    }
}

static void draw_hlines(const gk_panel *p, const int *rgb, const axis *xa) {
    plwidth(1.8);
    for (int k = 0; k < p->nhlines; k++) {
        double v = to_axis(p->hline[k], p->logy);
        if (!isfinite(v)) continue;
        PLFLT x[2] = {xa->lo, xa->hi}, y[2] = {v, v};
        gkf_use_rgb(rgb[k], 1);
        gkf_line_style(2);
        plline(2, x, y);
    }
    gkf_line_style(0);
}

static int any_vline_label(const gk_panel *p) {
    for (int k = 0; k < p->nvlines; k++)
        if (has_text(p->vline_label[k])) return 1;
    return 0;
}

/* How many pieces of the panel's curves, points and reference lines fall inside box r. */
static long panel_hits(const gk_panel *p, const mapper *m, box r) {
    long hits = 0;
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        double px = NAN, py = NAN;
        for (size_t i = 0; i < s->n; i++) {
            double u = to_axis(s->x[i], p->logx), v = to_axis(s->y[i], p->logy);
            if (!isfinite(u) || !isfinite(v)) {
                px = NAN;
                continue;
            }
            double x = map_x(m, u), y = fmin(fmax(map_y(m, v), m->b.t), m->b.b);
            if (s->style == 1 || !isfinite(px)) hits += x >= r.l && x <= r.r && y >= r.t && y <= r.b;
            else hits += gkf_segment_hits(px, py, x, y, r);
            px = x, py = y;
        }
    }
    for (int k = 0; k < p->nhlines; k++) {
        double v = to_axis(p->hline[k], p->logy);
        if (isfinite(v)) hits += gkf_segment_hits(m->b.l, map_y(m, v), m->b.r, map_y(m, v), r);
    }
    for (int k = 0; k < p->nvlines; k++) {
        double u = to_axis(p->vline[k], p->logx);
        if (isfinite(u)) hits += gkf_segment_hits(map_x(m, u), m->b.t, map_x(m, u), m->b.b, r);
    }
    return hits;
}

/* A legend spot inside the plot box covering nothing, with a margin of 4 pixels round it if one is free,
 * else with less (a spot the curves only graze beats a plot box squeezed by a legend beside it); else
 * *outside = 1. */
static box legend_spot(const gk_panel *p, const mapper *m, const legend *lg, int *outside) {
    const double in = 8, w = lg->w, h = lg->h;
    const box b = m->b;
    double cx = 0.5 * (b.l + b.r - w), cy = 0.5 * (b.t + b.b - h);
    const double xs[8] = {b.r - in - w, b.l + in, b.r - in - w, b.l + in, cx, cx, b.r - in - w, b.l + in};
    const double ys[8] = {b.t + in, b.t + in, b.b - in - h, b.b - in - h, b.t + in, b.b - in - h, cy, cy};
    *outside = 0;
    if (w < b.r - b.l - 2 * in && h < b.b - b.t - 2 * in)
        for (double margin = 4; margin >= -2; margin -= 3)
            for (int k = 0; k < 8; k++) {
                box r = {xs[k], xs[k] + w, ys[k], ys[k] + h};
                box grown = {r.l - margin, r.r + margin, r.t - margin, r.b + margin};
                if (panel_hits(p, m, grown) == 0) return r;
            }
    *outside = 1;
    return (box){0};
}

/* The colour of a series or line: explicit, its role's, or the next palette colour no role of the panel has
 * claimed (*next: the palette index to try next). */
static int pick_rgb(int colour, gk_role role, const int *claimed, int *next) {
    if (colour) return colour & 0xffffff;
    if (role != GK_ROLE_AUTO) return gk_role_rgb(role);
    for (int tries = 0; tries < GK_PALETTE_SIZE && claimed[*next % GK_PALETTE_SIZE]; tries++) (*next)++;
    return gk_palette_rgb((*next)++);
}

/* The colours of the series (srgb) and reference lines (hrgb), and the legend. */
static void panel_colours(const gk_panel *p, int *srgb, int *hrgb, legend *lg) {
    int claimed[GK_PALETTE_SIZE] = {0}, next = 0;
    for (int k = 0; k < p->nseries; k++)
        if (!p->colour[k] && gk_role_index(p->series[k].role) >= 0) claimed[gk_role_index(p->series[k].role)] = 1;
    for (int k = 0; k < p->nhlines; k++)
        if (gk_role_index(p->hline_role[k]) >= 0) claimed[gk_role_index(p->hline_role[k])] = 1;
    for (int k = 0; k < p->nseries; k++) {
        srgb[k] = pick_rgb(p->colour[k], p->series[k].role, claimed, &next);
        gkf_legend_add(lg, p->series[k].label, srgb[k], p->series[k].style);
    }
    for (int k = 0; k < p->nhlines; k++) {
        hrgb[k] = pick_rgb(p->hline_colour[k], p->hline_role[k], claimed, &next);
        gkf_legend_add(lg, p->hline_label[k], hrgb[k], 2);
    }
    gkf_legend_measure(lg);
}

/* A panel's axes, colours, legend and plot box in its cell of the grid. */
typedef struct panel_layout {
    axis xa, ya;
    int srgb[GK_PLOT_MAX_SERIES], hrgb[GK_PLOT_MAX_HLINES];
    legend lg;
    double yw, vl, th; /* y tick label width, height of the marker labels, of the panel title */
    mapper m;
    box spot;          /* the legend's box */
    int outside;       /* the legend is right of the plot box */
} panel_layout;

/* cell: the panel's share of the page; left: the plot box's left edge (shared by the panels of a column). */
static void layout_panel(const gk_panel *p, box cell, double left, panel_layout *L) {
    GK_ASSERT(p->nseries >= 0 && p->nseries <= GK_PLOT_MAX_SERIES);
    GK_ASSERT(p->nvlines >= 0 && p->nvlines <= GK_PLOT_MAX_VLINES);
    GK_ASSERT(p->nhlines >= 0 && p->nhlines <= GK_PLOT_MAX_HLINES);
    memset(L, 0, sizeof *L);
    panel_axes(p, &L->xa, &L->ya);
    panel_colours(p, L->srgb, L->hrgb, &L->lg);
    L->yw = gkf_ticks_width(&L->ya);
    L->vl = any_vline_label(p) ? 1.4 * gkf_ch_px(S_SMALL) : 0;
    L->th = has_text(p->title) ? 1.6 * gkf_ch_px(S_LABEL) : 0;
    double right = cell.r - fmax(20, gkf_last_tick_half(&L->xa) + 8); /* the last x label is not cut */
    L->m = (mapper){&L->xa, &L->ya, {left, right, cell.t + L->th + L->vl + 6, cell.b - gkf_bottom_margin(p->xlabel)}};
    L->spot = L->lg.n ? legend_spot(p, &L->m, &L->lg, &L->outside) : (box){0};
    if (L->outside) {
        L->m.b.r = fmax(left + 0.4 * (cell.r - left), cell.r - L->lg.w - 16);
        L->spot = (box){L->m.b.r + 10, L->m.b.r + 10 + L->lg.w, L->m.b.t, L->m.b.t + L->lg.h};
    }
}

/* A panel title over the plot box b, shrunk to the cell's width when it is longer and moved sideways as far as
 * it must to stay inside the cell (a legend right of the plot box leaves the box narrower than the cell). */
static void draw_panel_title(const char *title, double vl, box b, box cell) {
    if (!has_text(title)) return;
    const double w = cell.r - cell.l, tw = gkf_text_px(title, S_LABEL);
    double fit = fmin(1, 0.98 * w / tw), c = gkf_ch_px(S_LABEL), half = 0.5 * fit * tw;
    double centre = fmax(cell.l + half, fmin(cell.r - half, 0.5 * (b.l + b.r)));
    plschr(0, gkf_scale[S_LABEL] * gkf_font * fit);
    plcol0(C_BLACK);
    plmtex("t", (vl + 0.75 * c) / (c * fit), (centre - b.l) / (b.r - b.l), 0.5, title);
}

static void draw_panel(const gk_panel *p, const page *pg, box cell, double left) {
    panel_layout L;
    layout_panel(p, cell, left, &L);
    axis xa = L.xa, ya = L.ya;
    const box b = L.m.b;
    gkf_thin_log_axis(&ya, b.b - b.t, 2.5 * gkf_ch_px(S_TICK)); /* 10^k: the exponent is above the line */
    gkf_thin_log_axis(&xa, b.r - b.l, gkf_ticks_width(&xa) + gkf_ch_px(S_TICK));
    viewport_box(pg, b);
    plwind(xa.lo, xa.hi, ya.lo, ya.hi);
    gkf_draw_grid(&xa, &ya);
    for (int k = 0; k < p->nseries; k++)
        if (p->band_lo[k] && p->band_hi[k]) draw_band(p, k, L.srgb[k], &ya);
    draw_hlines(p, L.hrgb, &xa);
    for (int k = 0; k < p->nseries; k++) {
        const gk_series *s = &p->series[k];
        GK_ASSERT(s->n == 0 || (s->x && s->y));
        gkf_use_rgb(L.srgb[k], 1);
        plwidth(2);
        draw_series(s, p->logx, p->logy);
    }
    draw_vlines(p, &xa, &ya, b.r - b.l);
    gkf_draw_frame(&xa, &ya);
    gkf_draw_tick_labels(&xa, "b");
    gkf_draw_tick_labels(&ya, "l");
    gkf_draw_axis_labels(L.yw, p->xlabel, p->ylabel);
    draw_panel_title(p->title, L.vl, b, cell);
    gkf_legend_draw(&L.lg, pg, L.spot);
}

/* ---- the grid -------------------------------------------------------------------------------------- */

typedef struct panels_ctx {
    const char *title;
    const gk_panel *p;
    int n, cols;
    const gk_colour_bar *cbar; /* NULL: none */
    double cbar_w;             /* pixels the bar takes at the page's right edge */
} panels_ctx;

/* Panel k's cell: columns of equal width, rows of equal height under the title band (and left of a colour bar). */
static box grid_cell(const panels_ctx *c, const page *pg, int k) {
    int rows = (c->n + c->cols - 1) / c->cols;
    double band = has_text(c->title) ? TITLE_BAND * gkf_font : 10, pad = 12;
    double cw = (pg->w - pad - c->cbar_w) / c->cols, chh = (pg->h - band - pad) / rows;
    int col = k % c->cols, row = k / c->cols;
    return (box){pad + col * cw, pad + (col + 1) * cw, band + row * chh, band + (row + 1) * chh};
}

/* The plot boxes of a column share their left edge (their y axes line up): the widest y labels decide. */
static double column_left(const panels_ctx *c, const page *pg, int col) {
    double left = 0;
    panel_layout L;
    for (int k = col; k < c->n; k += c->cols) {
        box cell = grid_cell(c, pg, k);
        layout_panel(&c->p[k], cell, cell.l, &L);
        left = fmax(left, cell.l + gkf_left_margin(L.yw, c->p[k].ylabel));
    }
    return left;
}

/* The colour bar beside the panels: from the top of the first row's plot boxes to the bottom of the last's. */
static void draw_panels_cbar(const panels_ctx *c, const page *pg) {
    panel_layout L;
    box first = grid_cell(c, pg, 0), last = grid_cell(c, pg, c->n - 1);
    layout_panel(&c->p[0], first, first.l, &L);
    double top = L.m.b.t;
    layout_panel(&c->p[c->n - 1], last, last.l, &L);
    gkf_cbar_draw(c->cbar, pg, top, L.m.b.b);
}

static void draw_panels(const void *vctx, const page *pg) {
    panels_ctx c = *(const panels_ctx *)vctx;
    c.cbar_w = gkf_cbar_width(c.cbar); /* (text sizes are known only now, with the figure's font) */
    gkf_draw_figure_title(pg, c.title, TITLE_BAND * gkf_font);
    for (int col = 0; col < c.cols && col < c.n; col++) {
        double left = column_left(&c, pg, col);
        for (int k = col; k < c.n; k += c.cols) draw_panel(&c.p[k], pg, grid_cell(&c, pg, k), left);
    }
    if (c.cbar) draw_panels_cbar(&c, pg);
}

static int default_columns(int n) { return n <= 1 ? 1 : (n == 3 || n == 5 || n == 6) ? 3 : 2; }

gk_status gk_plot_panels_ex(const char *path, const char *base, const char *title, const gk_panel *panels,
                            int npanels, const gk_plot_layout *L, gk_error *err) {
    const char *name = path ? path : base ? base : "?";
    if (npanels < 1 || !panels) return gk_fail(err, GK_EINVAL, "figure %s: no panels to plot", name);
    gk_plot_layout d = L ? *L : (gk_plot_layout){0};
    if (d.width < 0 || d.height < 0 || d.columns < 0 || d.font < 0 || (d.width && d.width < 200) ||
        (d.height && d.height < 150) || d.width > 20000 || d.height > 20000 || d.font > 5)
        return gk_fail(err, GK_EINVAL, "figure %s: page %dx%d, font %g (allowed: 200-20000 x 150-20000 pixels, "
                       "font 0-5)", name, d.width, d.height, d.font);
    panels_ctx ctx = {title, panels, npanels, d.columns ? d.columns : default_columns(npanels), d.cbar, 0};
    if (ctx.cols > npanels) ctx.cols = npanels;
    double w = d.width ? d.width : npanels == 1 ? 1280 : 1600, h = d.height ? d.height : npanels == 1 ? 720 : 900;
    figure fig = {{w, h}, draw_panels, &ctx, d.font};
    return path ? gkf_render_path(path, &fig, err) : gkf_render(base, &fig, err);
}

gk_status gk_plot_panels(const char *base, const char *title, const gk_panel *panels, int npanels, gk_error *err) {
    return gk_plot_panels_ex(NULL, base, title, panels, npanels, NULL, err);
}

gk_status gk_plot_panels_file(const char *path, const char *title, const gk_panel *panels, int npanels,
                              gk_error *err) {
    return gk_plot_panels_ex(path, NULL, title, panels, npanels, NULL, err);
}
