/* plot_cbar.c: the colour bar of a figure of line panels (gk_colour_bar in plot.h): curves coloured by a number
 * on the sequential ramp, the bar right of the panels with the curves' values marked and labelled. Drawn in
 * pixels on the whole page, like the legends. */
#include "fig/plot_core.h"

#include <stdio.h>
#include <string.h>

enum { BAR_PX = 22, MARK_PX = 6, GAP_PX = 14, MAX_VALUE_LABELS = 12, STRIPS = 128 };

double gk_colour_bar_pos(const gk_colour_bar *cb, double v) {
    double a = to_axis(cb->lo, cb->log), b = to_axis(cb->hi, cb->log), u = to_axis(v, cb->log);
    if (!isfinite(a) || !isfinite(b) || !isfinite(u) || b <= a) return 0;
    return fmin(fmax((u - a) / (b - a), 0), 1);
}

int gk_colour_bar_rgb(const gk_colour_bar *cb, double v) { return gk_palette_seq(gk_colour_bar_pos(cb, v)); }

/* The bar's axis (log10 units on a log bar): exactly lo to hi, ticks where the axis code puts them. */
static axis bar_axis(const gk_colour_bar *cb) {
    range r = {to_axis(cb->lo, cb->log), to_axis(cb->hi, cb->log), 1};
    if (!isfinite(r.lo) || !isfinite(r.hi) || r.hi <= r.lo) r = (range){0, 1, 1};
    return gkf_axis_make(r, cb->log, 1, 5);
}

/* A value's label: 3 significant digits, m x 10^k beyond 1e-3 .. 1e5. */
static void value_label(double v, char *buf, size_t len) {
    double a = fabs(v);
    if (a == 0 || (a >= 1e-3 && a < 1e5)) {
        snprintf(buf, len, "%.3g", v);
        return;
    }
    int e = (int)floor(log10(a) + 1e-9);
    double m = v / pow(10, e);
    if (fabs(fabs(m) - 1) < 5e-3) snprintf(buf, len, "%s10#u%d#d", m < 0 ? "-" : "", e);
    else snprintf(buf, len, "%.2g\xc3\x97" "10#u%d#d", m, e); /* U+00D7, the multiplication sign */
}

/* Whether the values get labels of their own on a bar of height px: few enough, none closer than a line. */
static int label_values(const gk_colour_bar *cb, double px) {
    if (!cb->values || cb->nvalues < 1 || cb->nvalues > MAX_VALUE_LABELS) return 0;
    double need = 1.15 * gkf_ch_px(S_TICK) / px;
    for (int i = 0; i < cb->nvalues; i++)
        for (int j = i + 1; j < cb->nvalues; j++)
            if (fabs(gk_colour_bar_pos(cb, cb->values[i]) - gk_colour_bar_pos(cb, cb->values[j])) < need) return 0;
    return 1;
}

/* The widest label either way of labelling the bar, in pixels. */
static double labels_width(const gk_colour_bar *cb) {
    axis za = bar_axis(cb);
    double w = gkf_ticks_width(&za);
    char buf[64];
    for (int i = 0; cb->values && i < cb->nvalues && i < MAX_VALUE_LABELS; i++) {
        value_label(cb->values[i], buf, sizeof buf);
        w = fmax(w, gkf_text_px(buf, S_TICK));
    }
    return w;
}

double gkf_cbar_width(const gk_colour_bar *cb) {
    if (!cb) return 0;
    double title = has_text(cb->label) ? 1.6 * gkf_ch_px(S_LABEL) : 0;
    return GAP_PX + BAR_PX + MARK_PX + 0.5 * gkf_ch_px(S_TICK) + labels_width(cb) + title + 12;
}

static void hline_px(const page *pg, double x0, double x1, double y) {
    PLFLT x[2] = {x0, x1}, yy[2] = {pg->h - y, pg->h - y};
    plline(2, x, yy);
}

/* Labels (and marks) at the values, or the axis's ticks; right of the bar, whose right edge is at x. */
static void draw_bar_labels(const gk_colour_bar *cb, const page *pg, double x, double top, double bottom) {
    const double c = gkf_ch_px(S_TICK), tx = x + MARK_PX + 0.4 * c;
    const int own = label_values(cb, bottom - top);
    char buf[64];
    gkf_text_size(S_TICK);
    plcol0(C_BLACK);
    plwidth(1);
    for (int i = 0; own && i < cb->nvalues; i++) {
        double y = bottom - gk_colour_bar_pos(cb, cb->values[i]) * (bottom - top);
        hline_px(pg, x, x + MARK_PX, y);
        value_label(cb->values[i], buf, sizeof buf);
        plptex(tx, pg->h - y, 1, 0, 0, buf);
    }
    if (own) return;
    axis za = bar_axis(cb);
    double t[MAX_TICKS];
    int n = gkf_axis_ticks(&za, t, MAX_TICKS);
    for (int i = 0; i < n; i++) {
        double y = bottom - axis_frac(&za, t[i]) * (bottom - top);
        hline_px(pg, x, x + MARK_PX, y);
        gkf_tick_label(&za, t[i], buf, sizeof buf);
        plptex(tx, pg->h - y, 1, 0, 0, buf);
    }
    plcol0(C_WHITE); /* each curve's value: a short white line into the bar from its left edge */
    plwidth(1.5);
    for (int i = 0; cb->values && i < cb->nvalues; i++)
        hline_px(pg, x - BAR_PX, x - 0.6 * BAR_PX, bottom - gk_colour_bar_pos(cb, cb->values[i]) * (bottom - top));
    plwidth(1);
}

void gkf_cbar_draw(const gk_colour_bar *cb, const page *pg, double top, double bottom) {
    if (!cb || !(bottom > top)) return;
    const double w = gkf_cbar_width(cb), l = pg->w - w + GAP_PX, r = l + BAR_PX;
    plvpor(0, 1, 0, 1);
    plwind(0, pg->w, 0, pg->h);
    double dy = (bottom - top) / STRIPS;
    for (int k = 0; k < STRIPS; k++) { /* the ramp, bottom (lo) to top (hi), a hair overlapping: no seams */
        gkf_use_rgb(gk_palette_seq((k + 0.5) / STRIPS), 1);
        double y0 = pg->h - (bottom - k * dy), y1 = pg->h - (bottom - (k + 1) * dy) + 0.3;
        PLFLT x[4] = {l, r, r, l}, y[4] = {y0, y0, y1, y1};
        plfill(4, x, y);
    }
    plcol0(C_BLACK);
    plwidth(1);
    PLFLT fx[5] = {l, r, r, l, l}, fy[5] = {pg->h - bottom, pg->h - bottom, pg->h - top, pg->h - top, pg->h - bottom};
    plline(5, fx, fy);
    draw_bar_labels(cb, pg, r, top, bottom);
    if (!has_text(cb->label)) return;
    gkf_text_size(S_LABEL);
    plcol0(C_BLACK);
    double x = r + MARK_PX + 0.5 * gkf_ch_px(S_TICK) + labels_width(cb) + 0.9 * gkf_ch_px(S_LABEL);
    plptex(x, pg->h - 0.5 * (top + bottom), 0, 1, 0.5, cb->label); /* reads upwards */
}
