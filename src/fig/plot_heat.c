/* plot_heat.c: heat maps (a value per cell of a grid, with a colour bar, optional cell numbers, predicted
 * contours and markers) and matrices side by side on one colour scale. */
#include "fig/plot_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The colour of value z on colour axis za (log10 of z when logz); grey when it cannot be shown. */
static double cell_t(double z, const axis *za, int logz) {
    double v = to_axis(z, logz);
    if (!isfinite(v)) return NAN;
    double t = axis_frac(za, v);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static void cell_colour(double z, const axis *za, int logz) {
    double t = cell_t(z, za, logz);
    if (isfinite(t)) plcol1(t);
    else plcol0(C_NAN);
}

/* A filled rectangle in window coordinates, a hair larger so that anti-aliasing leaves no seams. */
static void fill_rect(double x0, double x1, double y0, double y1, double ex, double ey) {
    double l = fmin(x0, x1) - ex, r = fmax(x0, x1) + ex, b = fmin(y0, y1) - ey, t = fmax(y0, y1) + ey;
    PLFLT x[4] = {l, r, r, l}, y[4] = {b, b, t, t};
    plfill(4, x, y);
}

/* The colour axis over the finite values (log10 when logz): symmetric about 0 when `symmetric` and the
 * values have both signs; a constant one unit wide. */
static axis z_axis(const double *const *mats, int nmats, size_t n, int symmetric, int logz) {
    range r = {0};
    for (int k = 0; k < nmats; k++)
        for (size_t i = 0; i < n; i++) range_add(&r, to_axis(mats[k][i], logz));
    if (symmetric && r.any && r.lo < 0 && r.hi > 0) {
        double m = fmax(-r.lo, r.hi);
        r.lo = -m, r.hi = m;
    }
    if (!r.any) r = (range){0, 1, 1};
    if (r.hi == r.lo) r.lo -= 0.5, r.hi += 0.5;
    return gkf_axis_make(r, logz, !logz && symmetric, 5);
}

/* A vertical colour bar in box b (pixels) with its tick labels and label on the right. */
static void draw_colorbar(const page *pg, box b, const axis *za, const char *label) {
    enum { STRIPS = 128 };
    viewport_box(pg, b);
    plwind(0, 1, za->lo, za->hi);
    double dz = (za->hi - za->lo) / STRIPS;
    for (int k = 0; k < STRIPS; k++) {
        plcol1((k + 0.5) / STRIPS);
        fill_rect(0, 1, za->lo + k * dz, za->lo + (k + 1) * dz, 0, 0.3 * dz);
    }
    plcol0(C_BLACK);
    plwidth(1);
    plbox("bc", 0, 0, za->log ? "bcstl" : "bcst", za->step, za->log ? 0 : za->nsub);
    gkf_draw_tick_labels(za, "r");
    if (has_text(label)) {
        gkf_text_size(S_LABEL);
        double c = gkf_ch_px(S_LABEL);
        plmtex("r", (gkf_ticks_width(za) + 0.6 * gkf_ch_px(S_TICK) + 0.9 * c) / c, 0.5, 0.5, label);
    }
}

typedef struct heat_ctx {
    const gk_heatmap *h;
    const double *xe, *ye; /* cell edges in window units (nx + 1, ny + 1) */
    axis xa, ya, za;
} heat_ctx;

static void draw_markers(const gk_heatmap *h) {
    for (size_t i = 0; i < h->nmarks; i++) {
        PLFLT u = to_axis(h->mark_x[i], h->logx), v = to_axis(h->mark_y[i], h->logy);
        if (!isfinite(u) || !isfinite(v)) continue;
        plschr(0, 2.4);
        plcol0(C_WHITE);
        plstring(1, &u, &v, SYMBOL);
        plschr(0, 1.6);
        plcol0(C_BLACK);
        plstring(1, &u, &v, SYMBOL);
    }
}

/* A cell value: whole numbers in full up to 6 digits, else 3 significant digits. */
static void cell_text(double v, char *buf, size_t len) {
    if (!isfinite(v)) snprintf(buf, len, "-");
    else if (fabs(v) >= 100 && fabs(v) < 1e6) snprintf(buf, len, "%.0f", v);
    else snprintf(buf, len, "%.3g", v);
}

/* The texts of cell (ix, iy): its value in a, its prediction (when there is one) in b. */
static void cell_texts(const gk_heatmap *h, size_t ix, size_t iy, char *a, size_t alen, char *b, size_t blen) {
    cell_text(h->z[iy * h->nx + ix], a, alen);
    b[0] = '\0';
    if (!h->zpred) return;
    char pv[48];
    cell_text(h->zpred[iy * h->nx + ix], pv, sizeof pv);
    snprintf(b, blen, "%s %s", has_text(h->zpred_label) ? h->zpred_label : "pred", pv);
}

/* Each cell's value (and its prediction below it), white on dark cells and black on light ones, on a patch of
 * the cell's colour so that no contour line runs through the numbers. cw, ch: a cell's size in pixels. */
static void draw_cell_values(const heat_ctx *c, double cw, double ch) {
    const gk_heatmap *h = c->h;
    char a[48], b[64];
    for (size_t iy = 0; iy < h->ny; iy++)
        for (size_t ix = 0; ix < h->nx; ix++) {
            double z = h->z[iy * h->nx + ix], t = cell_t(z, &c->za, h->logz);
            double x0 = c->xe[ix], x1 = c->xe[ix + 1], v0 = c->ye[iy], v1 = c->ye[iy + 1];
            double u = 0.5 * (x0 + x1), v = 0.5 * (v0 + v1), dy = 0.16 * (v1 - v0);
            cell_texts(h, ix, iy, a, sizeof a, b, sizeof b);
            double em = fmax(gkf_text_em(a), gkf_text_em(b)), px1 = gkf_ch_px(S_LABEL) / gkf_scale[S_LABEL];
            double scale = fmin(gkf_scale[S_LABEL] * gkf_font, 0.8 * cw / (em * px1 / gkf_font));
            double fw = fmin(0.92, (em * scale * px1 / gkf_font + 8) / cw);
            /* both lines sit dy from the centre: the patch spans them and a line's height beyond */
            double fh = fmin(0.9, (b[0] ? 2 * 0.16 : 0) + 1.4 * scale * px1 / gkf_font / ch);
            cell_colour(z, &c->za, h->logz);
            fill_rect(u - 0.5 * fw * (x1 - x0), u + 0.5 * fw * (x1 - x0), v - 0.5 * fh * (v1 - v0),
                      v + 0.5 * fh * (v1 - v0), 0, 0);
            plschr(0, scale);
            plcol0(isfinite(t) && t < 0.6 ? C_WHITE : C_BLACK);
            plptex(u, b[0] ? v + dy : v, 1, 0, 0.5, a);
            if (b[0]) {
                plschr(0, 0.8 * scale);
                plptex(u, v - dy, 1, 0, 0.5, b);
            }
        }
}

/* "Nice" contour levels of the prediction inside its range: 1, 2, 5 x 10^k when log, else linear. */
static int pred_levels(const gk_heatmap *h, PLFLT *lev, int max) {
    range r = {0};
    for (size_t i = 0; i < h->nx * h->ny; i++) range_add(&r, h->zpred[i]);
    if (!r.any || r.hi <= r.lo) return 0;
    int n = 0;
    if (h->logz && r.lo > 0) {
        static const double m[3] = {1, 2, 5};
        for (double e = floor(log10(r.lo)); e <= ceil(log10(r.hi)) && n < max; e++)
            for (int k = 0; k < 3 && n < max; k++) {
                double v = m[k] * pow(10, e);
                if (v > r.lo && v < r.hi) lev[n++] = v;
            }
        return n;
    }
    double st = gkf_nice_step(r.hi - r.lo, 4);
    for (double v = st * ceil(r.lo / st); v < r.hi && n < max; v += st)
        if (v > r.lo) lev[n++] = v;
    return n;
}

/* The predicted values as labelled white contour lines over the cell centres (all must be finite). */
static void draw_pred_contours(const heat_ctx *c) {
    const gk_heatmap *h = c->h;
    if (!h->zpred || h->nx < 2 || h->ny < 2) return;
    for (size_t i = 0; i < h->nx * h->ny; i++)
        if (!isfinite(h->zpred[i])) return;
    PLFLT lev[16];
    int nlev = pred_levels(h, lev, 16);
    PLFLT **f = NULL, *xg = malloc(h->nx * sizeof *xg), *yg = malloc(h->ny * sizeof *yg);
    plAlloc2dGrid(&f, (PLINT)h->nx, (PLINT)h->ny);
    if (f && xg && yg && nlev > 0) {
        for (size_t ix = 0; ix < h->nx; ix++) xg[ix] = 0.5 * (c->xe[ix] + c->xe[ix + 1]);
        for (size_t iy = 0; iy < h->ny; iy++) yg[iy] = 0.5 * (c->ye[iy] + c->ye[iy + 1]);
        for (size_t ix = 0; ix < h->nx; ix++)
            for (size_t iy = 0; iy < h->ny; iy++) f[ix][iy] = h->zpred[iy * h->nx + ix];
        PLcGrid cg = {xg, yg, NULL, (PLINT)h->nx, (PLINT)h->ny, 0};
        pl_setcontlabelparam(0.006, 0.6, 0.12, 0); /* unlabelled: draw_contour_labels labels them in the gaps */
        plcol0(C_WHITE);
        plwidth(2.5);
        gkf_line_style(2);
        plcont((PLFLT_MATRIX)f, (PLINT)h->nx, (PLINT)h->ny, 1, (PLINT)h->nx, 1, (PLINT)h->ny, lev, nlev, pltr1, &cg);
        gkf_line_style(0);
    }
    if (f) plFree2dGrid(f, (PLINT)h->nx, (PLINT)h->ny);
    free(xg);
    free(yg);
}

/* The prediction at the centre of cell (ix, iy). */
static double pred_at(const gk_heatmap *h, size_t ix, size_t iy) { return h->zpred[iy * h->nx + ix]; }

/* Where the contour of `level` crosses a line between two rows (or two columns) of cells, the gap the cell
 * numbers leave free: along the line the prediction is the mean of the rows' (columns') values, linear between
 * centres. The crossing nearest the middle of the map; 0 when there is none. */
static int level_spot(const heat_ctx *c, double level, double *u, double *v) {
    const gk_heatmap *h = c->h;
    double best = INFINITY, mu = 0.5 * (c->xe[0] + c->xe[h->nx]), mv = 0.5 * (c->ye[0] + c->ye[h->ny]);
    for (int rows = 1; rows >= 0; rows--) { /* the lines between rows, then those between columns */
        size_t nb = rows ? h->ny : h->nx, nc = rows ? h->nx : h->ny;
        for (size_t k = 1; k < nb; k++)
            for (size_t i = 0; i + 1 < nc; i++) {
                double g0 = rows ? 0.5 * (pred_at(h, i, k - 1) + pred_at(h, i, k))
                                 : 0.5 * (pred_at(h, k - 1, i) + pred_at(h, k, i));
                double g1 = rows ? 0.5 * (pred_at(h, i + 1, k - 1) + pred_at(h, i + 1, k))
                                 : 0.5 * (pred_at(h, k - 1, i + 1) + pred_at(h, k, i + 1));
                if (g0 == g1 || (g0 - level) * (g1 - level) > 0) continue;
                const double *e = rows ? c->xe : c->ye, t = (level - g0) / (g1 - g0);
                double along = 0.5 * (e[i] + e[i + 1]) + t * 0.5 * (e[i + 2] - e[i]);
                double pu = rows ? along : c->xe[k], pv = rows ? c->ye[k] : along;
                double d = hypot(pu - mu, pv - mv);
                if (d < best) best = d, *u = pu, *v = pv;
            }
        if (isfinite(best)) return 1;
    }
    return 0;
}

/* Each contour's level written once where the line crosses a gap between the cells' numbers, on a patch of the
 * cell colour there. wpx, hpx: the map's size in pixels. */
static void draw_contour_labels(const heat_ctx *c, double wpx, double hpx) {
    const gk_heatmap *h = c->h;
    for (size_t i = 0; i < h->nx * h->ny; i++)
        if (!isfinite(h->zpred[i])) return; /* no contours drawn (draw_pred_contours) */
    PLFLT lev[16];
    int nlev = pred_levels(h, lev, 16);
    const double sx = (c->xe[h->nx] - c->xe[0]) / wpx, sy = (c->ye[h->ny] - c->ye[0]) / hpx;
    for (int k = 0; k < nlev; k++) {
        double u, v;
        if (!level_spot(c, lev[k], &u, &v)) continue;
        char text[48];
        cell_text(lev[k], text, sizeof text);
        const double w = gkf_text_px(text, S_SMALL) + 8, ht = 1.5 * gkf_ch_px(S_SMALL);
        size_t ix = 0, iy = 0;
        while (ix + 1 < h->nx && c->xe[ix + 1] <= u) ix++;
        while (iy + 1 < h->ny && c->ye[iy + 1] <= v) iy++;
        double z = h->z[iy * h->nx + ix], t = cell_t(z, &c->za, h->logz);
        cell_colour(z, &c->za, h->logz);
        fill_rect(u - 0.5 * w * sx, u + 0.5 * w * sx, v - 0.5 * ht * sy, v + 0.5 * ht * sy, 0, 0);
        gkf_text_size(S_SMALL);
        plcol0(isfinite(t) && t < 0.6 ? C_WHITE : C_BLACK);
        plptex(u, v, 1, 0, 0.5, text);
    }
}

/* The label of category i: names[i], or the value v[i] (%g) without names. */
static const char *category_label(const double *v, const char *const *names, size_t i, char *buf, size_t len) {
    if (names && names[i]) return names[i];
    snprintf(buf, len, "%g", v[i]);
    return buf;
}

/* Category labels: one per cell, at its centre. */
static void draw_category_labels(const double *v, const char *const *names, size_t n, const double *e, const axis *a,
                                 const char *side) {
    char buf[48];
    gkf_text_size(S_TICK);
    plcol0(C_BLACK);
    for (size_t i = 0; i < n; i++) {
        const char *label = category_label(v, names, i, buf, sizeof buf);
        double f = axis_frac(a, 0.5 * (e[i] + e[i + 1]));
        if (side[0] == 'b') plmtex("b", 1.5, f, 0.5, label);
        else plmtex("lv", 0.6, f, 1.0, label);
    }
}

static double category_width(const double *v, const char *const *names, size_t n) {
    char buf[48];
    double w = 0;
    for (size_t i = 0; i < n; i++) w = fmax(w, gkf_text_px(category_label(v, names, i, buf, sizeof buf), S_TICK));
    return w;
}

static void draw_heat(const void *vctx, const page *pg) {
    const heat_ctx *c = vctx;
    const gk_heatmap *h = c->h;
    gkf_draw_figure_title(pg, h->title, TITLE_BAND);
    gkf_set_cmap1(0);
    double yw = h->categorical ? category_width(h->y, h->ynames, h->ny) : gkf_ticks_width(&c->ya);
    double note = h->zpred && h->cell_values ? 3.0 * gkf_ch_px(S_SMALL) : 0;
    box b = {gkf_left_margin(yw, h->ylabel), pg->w - 210, TITLE_BAND + 15, pg->h - gkf_bottom_margin(h->xlabel) - note};
    viewport_box(pg, b);
    plwind(c->xa.lo, c->xa.hi, c->ya.lo, c->ya.hi);
    double ex = 1e-3 * (c->xa.hi - c->xa.lo), ey = 1e-3 * (c->ya.hi - c->ya.lo);
    for (size_t iy = 0; iy < h->ny; iy++)
        for (size_t ix = 0; ix < h->nx; ix++) {
            cell_colour(h->z[iy * h->nx + ix], &c->za, h->logz);
            fill_rect(c->xe[ix], c->xe[ix + 1], c->ye[iy], c->ye[iy + 1], ex, ey);
        }
    draw_pred_contours(c);
    if (h->cell_values && h->nx) draw_cell_values(c, (b.r - b.l) / (double)h->nx, (b.b - b.t) / (double)h->ny);
    if (h->zpred && h->nx >= 2 && h->ny >= 2) draw_contour_labels(c, b.r - b.l, b.b - b.t);
    draw_markers(h);
    plcol0(C_BLACK);
    plwidth(1);
    if (h->categorical) {
        plbox("bc", 0, 0, "bc", 0, 0);
        draw_category_labels(h->x, h->xnames, h->nx, c->xe, &c->xa, "b");
        draw_category_labels(h->y, h->ynames, h->ny, c->ye, &c->ya, "l");
    } else {
        gkf_draw_frame(&c->xa, &c->ya);
        gkf_draw_tick_labels(&c->xa, "b");
        gkf_draw_tick_labels(&c->ya, "l");
    }
    gkf_draw_axis_labels(yw, h->xlabel, h->ylabel);
    if (note > 0) {
        char buf[256], lines[256];
        const char *pl = has_text(h->zpred_label) ? h->zpred_label : "prediction";
        snprintf(buf, sizeof buf, "in each cell: %s (top), predicted %s (below)", has_text(h->zlabel) ? h->zlabel : "value", pl);
        PLFLT lev[16];
        int nlev = h->nx >= 2 && h->ny >= 2 ? pred_levels(h, lev, 16) : 0;
        size_t u = (size_t)snprintf(lines, sizeof lines, "dashed white lines, labelled: predicted %s =", pl);
        for (int k = 0; k < nlev && u < sizeof lines; k++)
            u += (size_t)snprintf(lines + u, sizeof lines - u, "%s %g", k ? "," : "", lev[k]);
        gkf_text_size(S_SMALL);
        double disp = (gkf_bottom_margin(h->xlabel) + 0.6 * gkf_ch_px(S_SMALL)) / gkf_ch_px(S_SMALL);
        plmtex("b", disp, 0.0, 0.0, buf);
        if (nlev) plmtex("b", disp + 1.4, 0.0, 0.0, lines);
    }
    draw_colorbar(pg, (box){pg->w - 180, pg->w - 158, b.t, b.b}, &c->za, h->zlabel);
}

/* Cell edges in window units from n cell centres: midpoints between neighbours (geometric on a log
 * axis), the outer edges half a neighbour spacing out, a lone centre one unit wide; categorical: the
 * index i +- 0.5. */
static gk_status cell_edges(const double *c, size_t n, int logaxis, int categorical, const char *name, double *e,
                            gk_error *err) {
    if (n == 0) { /* an empty axis: [0, 1] (see edge_axis) */
        e[0] = 0;
        return GK_OK;
    }
    for (size_t i = 0; i < n; i++) {
        double t = categorical ? (double)i : to_axis(c[i], logaxis);
        if (!isfinite(t) || !isfinite(c[i]))
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
    return GK_OK;
}

/* The window axis over edges e[0..n] (exact range; ticks where they fall). */
static axis edge_axis(const double *e, size_t n, int logaxis) {
    range r = {0};
    range_add(&r, e[0]);
    range_add(&r, e[n]);
    if (r.lo == r.hi) r.hi = r.lo + 1;
    axis a = gkf_axis_make(r, logaxis, 1, 5);
    return a;
}

gk_status gk_plot_heatmap_ex(const char *base, const gk_heatmap *h, gk_error *err) {
    GK_ASSERT(h && (h->nmarks == 0 || (h->mark_x && h->mark_y)));
    gk_heatmap empty = *h;
    if (h->nx == 0 || h->ny == 0) { /* an empty frame */
        static const double zero = 0;
        empty.nx = empty.ny = 0, empty.x = empty.y = empty.z = &zero, empty.zpred = NULL;
        h = &empty;
    }
    GK_ASSERT(h->x && h->y && h->z);
    heat_ctx c = {.h = h};
    double *xe = malloc((h->nx + 1) * sizeof *xe), *ye = malloc((h->ny + 1) * sizeof *ye);
    gk_status s = GK_OK;
    if (!xe || !ye) s = gk_fail(err, GK_ENOMEM, "heat map %s: out of memory", base);
    if (!s) s = cell_edges(h->x, h->nx, h->logx, h->categorical, "x", xe, err);
    if (!s) s = cell_edges(h->y, h->ny, h->logy, h->categorical, "y", ye, err);
    if (!s) {
        c.xe = xe, c.ye = ye;
        c.xa = edge_axis(xe, h->nx, h->logx && !h->categorical);
        c.ya = edge_axis(ye, h->ny, h->logy && !h->categorical);
        c.za = z_axis(&h->z, 1, h->nx * h->ny, 0, h->logz);
        figure fig = {{1280, 720}, draw_heat, &c, 1};
        s = gkf_render(base, &fig, err);
    }
    free(xe);
    free(ye);
    return s;
}

gk_status gk_plot_heatmap(const char *base, const char *title, const char *xlabel, const char *ylabel,
                          const char *zlabel, const double *x, size_t nx, const double *y, size_t ny,
                          const double *z, int logx, int logy, const double *mark_x, const double *mark_y,
                          size_t nmarks, gk_error *err) {
    gk_heatmap h = {.title = title, .xlabel = xlabel, .ylabel = ylabel, .zlabel = zlabel, .x = x, .y = y, .z = z,
                    .nx = nx, .ny = ny, .logx = logx, .logy = logy, .mark_x = mark_x, .mark_y = mark_y,
                    .nmarks = nmarks};
    return gk_plot_heatmap_ex(base, &h, err);
}

/* ---- matrices side by side ----------------------------------------------------------------------- */

typedef struct mat_ctx {
    const char *title;
    const char *const *titles;
    const double *const *mats;
    int n;
    size_t rows, cols;
    axis za;
    double panel_w, panel_h;
    int grid_cols;     /* matrices per row */
    double left;       /* the grid's left edge (the grid is centred on the page) */
    const char *zlabel; /* the colour bar's */
} mat_ctx;

/* The page: 16:9, 1600 x 900; MAT_ROW_GAP leaves room for the titles of the next row's matrices. */
enum { MAT_W = 1600, MAT_H = 900, MAT_LEFT = 60, MAT_GAP = 55, MAT_ROW_GAP = 70, MAT_BAR = 150,
       MAT_TOP = TITLE_BAND + 35, MAT_BOTTOM = 50 };

/* Integer tick spacing for an index axis of n cells. */
static double index_step(size_t n) {
    double s = ceil(n / 5.0);
    return s < 1 ? 1 : s;
}

static void draw_matrix(const mat_ctx *m, int k, const page *pg) {
    double left = m->left + (k % m->grid_cols) * (m->panel_w + MAT_GAP);
    double top = MAT_TOP + (k / m->grid_cols) * (m->panel_h + MAT_ROW_GAP);
    viewport_box(pg, (box){left, left + m->panel_w, top, top + m->panel_h});
    double ncols = m->cols ? (double)m->cols : 1, nrows = m->rows ? (double)m->rows : 1;
    plwind(0, ncols, nrows, 0); /* row 0 at the top */
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            cell_colour(m->mats[k][i * m->cols + j], &m->za, 0);
            fill_rect(j, j + 1.0, i, i + 1.0, 1e-3 * ncols, 1e-3 * nrows);
        }
    plcol0(C_BLACK);
    plwidth(1);
    gkf_text_size(S_TICK);
    plbox("bcnt", index_step(m->cols), 0, "bcntv", index_step(m->rows), 0);
    if (m->titles && has_text(m->titles[k])) {
        gkf_text_size(gkf_text_px(m->titles[k], S_LABEL) < m->panel_w + MAT_GAP - 10 ? S_LABEL : S_SMALL);
        plmtex("t", 0.9, 0.5, 0.5, m->titles[k]);
    }
}

static void draw_matrices(const void *vctx, const page *pg) {
    const mat_ctx *m = vctx;
    gkf_draw_figure_title(pg, m->title, TITLE_BAND);
    gkf_set_cmap1(m->za.lo < 0 && m->za.hi > 0);
    for (int k = 0; k < m->n; k++) draw_matrix(m, k, pg);
    int rows = (m->n + m->grid_cols - 1) / m->grid_cols;
    double l = m->left + m->grid_cols * (m->panel_w + MAT_GAP) - MAT_GAP + 20;
    draw_colorbar(pg, (box){l, l + 22, MAT_TOP, MAT_TOP + rows * m->panel_h + (rows - 1) * MAT_ROW_GAP}, &m->za, m->zlabel);
}

/* The grid (matrices per row) that draws them largest on the 16:9 page, keeping their aspect (rows/cols). */
static void mat_grid(mat_ctx *m, double aspect) {
    const double aw = MAT_W - MAT_LEFT - MAT_BAR, ah = MAT_H - MAT_TOP - MAT_BOTTOM;
    double best = -1;
    for (int c = 1; c <= m->n; c++) {
        int r = (m->n + c - 1) / c;
        double w = fmin(aw / c - MAT_GAP, (ah - (r - 1) * MAT_ROW_GAP) / r / aspect);
        if (w > best) best = w, m->grid_cols = c;
    }
    m->panel_w = best, m->panel_h = best * aspect;
    m->left = MAT_LEFT + 0.5 * (aw - m->grid_cols * (m->panel_w + MAT_GAP) + MAT_GAP);
}

gk_status gk_plot_matrices(const char *base, const char *title, const char *const *panel_titles,
                           const double *const *mats, int npanels, size_t nrows, size_t ncols, const char *zlabel,
                           gk_error *err) {
    if (npanels < 1 || !mats) return gk_fail(err, GK_EINVAL, "figure %s: no matrices to plot", base ? base : "?");
    size_t n = nrows * ncols;
    for (int k = 0; k < npanels; k++) GK_ASSERT(n == 0 || mats[k]);
    mat_ctx m = {title, panel_titles, mats, npanels, nrows, ncols, z_axis(mats, npanels, n, 1, 0), 0, 0, 1, 0, zlabel};
    double aspect = (nrows && ncols) ? fmin(fmax((double)nrows / (double)ncols, 0.25), 4) : 1;
    mat_grid(&m, aspect);
    figure fig = {{MAT_W, MAT_H}, draw_matrices, &m, 1};
    return gkf_render(base, &fig, err);
}
